// Global client flags come before the command (`wharf -H unix:///x version`), which
// citty's subcommand lookup does not understand, so they are taken off here first.
import type { ClientTls } from "../client/client.ts";

export interface GlobalFlags {
  host?: string;
  debug: boolean;
  logLevel?: string;
  /** Only when a TLS flag was given. */
  tls?: ClientTls;
  rest: string[];
}

export function parseGlobalFlags(argv: string[]): GlobalFlags {
  const out: GlobalFlags = { debug: false, rest: [] };
  let i = 0;
  const value = (flag: string): string => {
    const v = argv[++i];
    if (v === undefined) throw new Error(`flag needs an argument: ${flag}`);
    return v;
  };
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "-H" || a === "--host") out.host = value(a);
    else if (a.startsWith("--host=")) out.host = a.slice(7);
    else if (a.startsWith("-H") && a.length > 2) out.host = a.slice(2).replace(/^=/, "");
    else if (a === "-D" || a === "--debug") out.debug = true;
    else if (a === "-l" || a === "--log-level") out.logLevel = value(a);
    else if (a.startsWith("--log-level=")) out.logLevel = a.slice(12);
    else if (/^--tls(verify)?(=(true|false))?$/.test(a)) (out.tls ??= {})[a.startsWith("--tlsverify") ? "verify" : "tls"] = !a.endsWith("=false");
    else if (a === "--tlscacert" || a === "--tlscert" || a === "--tlskey") (out.tls ??= {})[a === "--tlscacert" ? "ca" : a === "--tlscert" ? "cert" : "key"] = value(a);
    else if (/^--tls(cacert|cert|key)=/.test(a)) (out.tls ??= {})[a.startsWith("--tlscacert") ? "ca" : a.startsWith("--tlscert") ? "cert" : "key"] = a.slice(a.indexOf("=") + 1);
    else break;
  }
  out.rest = argv.slice(i);
  return out;
}
