// wharf login / logout: the daemon checks the credentials (POST /auth); they are kept
// in config.json as the docker CLI keeps them, and removed again by logout.
import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { bool, str } from "../flags.ts";
import { ExitError } from "../exit.ts";
import { eraseCredentials, getCredentials, indexServer, serverKey, storeCredentials, type Credentials } from "../auth.ts";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString("utf8");
}

/** One line typed at the terminal; not echoed for a password. */
async function prompt(question: string, hidden: boolean): Promise<string> {
  process.stdout.write(question);
  if (hidden && process.stdin.isTTY) process.stdin.setRawMode(true);
  let line = "";
  try {
    for await (const c of process.stdin) {
      const s = Buffer.from(c).toString("utf8");
      if (s === "\x03") throw new ExitError(130);
      const nl = s.search(/[\r\n]/);
      if (nl >= 0) {
        line += s.slice(0, nl);
        break;
      }
      line += s;
    }
  } finally {
    if (hidden && process.stdin.isTTY) process.stdin.setRawMode(false);
    process.stdin.pause();
  }
  if (hidden) process.stdout.write("\n");
  return line.trim();
}

const unencrypted = (file: string) =>
  `\nWARNING! Your credentials are stored unencrypted in '${file}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n`;

interface AuthAnswer {
  Status?: string;
  IdentityToken?: string;
}

/** Asks the daemon to check the credentials; stores them (if they changed) once they pass. */
async function check(key: string, cred: Credentials): Promise<AuthAnswer> {
  const body = cred.identitytoken
    ? { username: cred.username, identitytoken: cred.identitytoken, serveraddress: key }
    : { username: cred.username, password: cred.password, serveraddress: key };
  const r = ((await getClient().json("POST", "/auth", { body })) ?? {}) as AuthAnswer;
  const next: Credentials = r.IdentityToken ? { username: cred.username, password: "", identitytoken: r.IdentityToken } : cred;
  let old: Credentials | undefined;
  try {
    old = getCredentials(key);
  } catch {
    // A helper that cannot answer: store anyway (its failure to store is what is reported).
  }
  if (!old || old.username !== next.username || old.password !== next.password || (old.identitytoken ?? "") !== (next.identitytoken ?? "")) {
    let file: string | undefined;
    try {
      file = storeCredentials(key, next);
    } catch (e) {
      throw new ExitError(1, `Error saving credentials: ${(e as Error).message}`);
    }
    if (file) process.stderr.write(unencrypted(file));
  }
  return r;
}

export const login: Runner = async (p) => {
  const server = p.positionals[0] ?? indexServer;
  const key = serverKey(server);
  let username = str(p, "username");
  let password = str(p, "password");
  if (bool(p, "password-stdin")) {
    if (password !== undefined) throw new ExitError(1, "--password and --password-stdin are mutually exclusive");
    if (!username) throw new ExitError(1, "Must provide --username with --password-stdin");
    password = (await readStdin()).replace(/\r?\n$/, "");
  }
  if (password && !bool(p, "password-stdin")) process.stderr.write("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
  if (username === undefined && password === undefined) {
    // docker 28 first tries what is stored for the registry.
    const stored = getCredentials(key);
    if (stored && (stored.password || stored.identitytoken)) {
      process.stderr.write(`Authenticating with existing credentials...${stored.username ? ` [Username: ${stored.username}]` : ""}\n`);
      try {
        const r = await check(key, stored);
        process.stderr.write("\n Info -> To login with a different account, run 'docker logout' followed by 'docker login'\n\n\n");
        process.stdout.write(`${r.Status ?? "Login Succeeded"}\n`);
        return;
      } catch (e) {
        if (e instanceof ExitError) throw e;
        process.stderr.write(`Login did not succeed, error: ${(e as Error).message}\n`);
      }
    }
  }
  // docker asks for what is missing or empty, which needs a terminal.
  if (!username) username = undefined;
  if (!password) password = undefined;
  if (username === undefined || password === undefined) {
    if (!process.stdin.isTTY) throw new ExitError(1, "Error: Cannot perform an interactive login from a non TTY device");
    username ??= await prompt("Username: ", false);
    password ??= await prompt("Password: ", true);
  }
  if (!username) throw new ExitError(1, "Error: Non-null Username Required");
  if (!password) throw new ExitError(1, "Error: Password Required");
  const r = await check(key, { username, password });
  process.stdout.write(`${r.Status ?? "Login Succeeded"}\n`);
};

export const logout: Runner = async (p) => {
  const key = serverKey(p.positionals[0] ?? indexServer);
  // docker 28 says so whether or not there was anything to remove.
  process.stdout.write(`Removing login credentials for ${key}\n`);
  eraseCredentials(key);
};
