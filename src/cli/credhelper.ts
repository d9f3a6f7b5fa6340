// The docker credential-helper protocol: `docker-credential-NAME get|store|erase`, the
// server on stdin (or the credentials as JSON for store), JSON credentials on stdout;
// a helper that has nothing says so with "credentials not found in native keychain".
import { runCommandSync } from "../sys/spawn.ts";

export interface HelperCredentials {
  ServerURL: string;
  Username: string;
  Secret: string;
}

const notFound = "credentials not found in native keychain";

export interface CredentialHelper {
  get(server: string): HelperCredentials | undefined;
  store(c: HelperCredentials): void;
  erase(server: string): void;
}

/** Runs one action; throws docker's `error ACTION credentials - err: …, out: `…`` on failure. */
function call(program: string, action: string, input: string, verb: string): { ok: true; out: string } | { ok: false; out: string } {
  if (!Bun.which(program)) throw new Error(`error ${verb} credentials - err: exec: "${program}": executable file not found in $PATH, out: \`\``);
  let r;
  try {
    r = runCommandSync([program, action], { input, timeoutMs: 60_000 });
  } catch (e) {
    throw new Error(`error ${verb} credentials - err: ${(e as Error).message}, out: \`\``);
  }
  const out = r.stdout.trim();
  if (r.code === 0) return { ok: true, out };
  if (out === notFound) return { ok: false, out };
  // Ended by a signal: no exit code (Go's os/exec says "signal: killed").
  const err = r.code < 0 ? "signal: killed" : `exit status ${r.code}`;
  throw new Error(`error ${verb} credentials - err: ${err}, out: \`${out}\``);
}

export function credentialHelper(name: string): CredentialHelper {
  const program = `docker-credential-${name}`;
  return {
    get(server) {
      const r = call(program, "get", server, "getting");
      if (!r.ok) return undefined;
      let c: Partial<HelperCredentials>;
      try {
        c = JSON.parse(r.out) as Partial<HelperCredentials>;
      } catch {
        throw new Error(`error getting credentials - err: invalid JSON from ${program}, out: \`${r.out}\``);
      }
      if (!c.Username && !c.Secret) return undefined;
      return { ServerURL: c.ServerURL ?? server, Username: c.Username ?? "", Secret: c.Secret ?? "" };
    },
    store(c) {
      call(program, "store", JSON.stringify(c), "storing");
    },
    erase(server) {
      call(program, "erase", server, "erasing");
    },
  };
}
