import type { ClientTls } from "../client/client.ts";

// Global client flags come before the command (`wharf -H unix:///x version`); they are
// taken off here first, so the command's own flags may reuse their letters (`run -h`).
export interface GlobalFlags {
  host?: string;
  debug: boolean;
  logLevel?: string;
  config?: string;
  context?: string;
  help?: boolean;
  version?: boolean;
  /** --tls, --tlsverify and the certificate paths, as the docker CLI takes them. */
  tls: ClientTls;
  rest: string[];
  /** docker's refusal of the endpoint flags given (two -H, or -H with --context). */
  hostError?: string;
}

const logLevels = ["debug", "info", "warn", "error", "fatal", "panic", "trace"];

export function parseGlobalFlags(argv: string[]): GlobalFlags {
  const out: GlobalFlags = { debug: false, tls: {}, rest: [] };
  let i = 0;
  const value = (flag: string, inline?: string): string => {
    if (inline !== undefined) return inline;
    const v = argv[++i];
    if (v === undefined) throw new Error(`flag needs an argument: ${flag}`);
    return v;
  };
  let hosts = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("-") || a === "-") break;
    if (a === "--") {
      i++;
      break;
    }
    const long = /^--([\w-]+)(?:=(.*))?$/.exec(a);
    const short = long ? undefined : /^-(\w)(?:=?(.+))?$/.exec(a);
    const name = long ? long[1]! : ({ H: "host", D: "debug", l: "log-level", c: "context", v: "version", h: "help" } as Record<string, string>)[short?.[1] ?? ""];
    const inline = long ? long[2] : short?.[2];
    const flag = long ? `--${long[1]}` : `'${short?.[1]}' in ${a}`;
    switch (name) {
      case "host":
        hosts++;
        out.host = value(flag, inline);
        break;
      case "debug": out.debug = true; break;
      case "log-level": {
        const v = value(flag, inline);
        if (!logLevels.includes(v)) throw new Error(`Unable to parse logging level: ${v}`);
        out.logLevel = v;
        break;
      }
      case "config": out.config = value(flag, inline); break;
      case "context": out.context = value(flag, inline); break;
      case "help": out.help = true; break;
      case "version": out.version = true; break;
      case "tls":
      case "tlsverify": {
        if (inline !== undefined && !["true", "false", "1", "0"].includes(inline)) throw new Error(`invalid argument "${inline}" for "${flag}" flag: strconv.ParseBool: parsing "${inline}": invalid syntax`);
        out.tls[name === "tls" ? "tls" : "verify"] = inline === undefined || inline === "true" || inline === "1";
        break;
      }
      case "tlscacert": out.tls.ca = value(flag, inline); break;
      case "tlscert": out.tls.cert = value(flag, inline); break;
      case "tlskey": out.tls.key = value(flag, inline); break;
      default: throw new Error(long ? `unknown flag: ${a.split("=")[0]}` : `unknown shorthand flag: '${a[1]}' in ${a}`);
    }
  }
  out.rest = argv.slice(i);
  if (hosts > 1) out.hostError = "Failed to initialize: unable to resolve docker endpoint: Specify only one -H";
  else if (out.host !== undefined && out.context !== undefined) out.hostError = "conflicting options: cannot specify both --host and --context";
  return out;
}
