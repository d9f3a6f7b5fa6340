// The docker credential-helper protocol: `docker-credential-NAME get|store|erase`, the
// server on stdin (or the credentials as JSON for store), JSON credentials on stdout;
// a helper that has nothing says so with "credentials not found in native keychain".
import { spawnSync } from "node:child_process";

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
  const r = spawnSync(program, [action], { input, encoding: "utf8", timeout: 60_000 });
  const out = (r.stdout ?? "").trim();
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    const err = code === "ENOENT" ? `exec: "${program}": executable file not found in $PATH` : r.error.message;
    throw new Error(`error ${verb} credentials - err: ${err}, out: \`\``);
  }
  if (r.status === 0) return { ok: true, out };
  if (out === notFound) return { ok: false, out };
  const err = r.signal ? `signal: ${r.signal === "SIGKILL" ? "killed" : r.signal}` : `exit status ${r.status}`;
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
