// wharf login / logout: the daemon checks the credentials (POST /auth); they are kept
// in config.json as the docker CLI keeps them, and removed again by logout.
import type { Runner } from "../command.ts";
import { getClient } from "../context.ts";
import { bool, str } from "../flags.ts";
import { ExitError } from "../exit.ts";
import { indexServer, readConfig, serverKey, writeConfig } from "../auth.ts";

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

export const login: Runner = async (p) => {
  const server = p.positionals[0] ?? indexServer;
  let username = str(p, "username");
  let password = str(p, "password");
  if (bool(p, "password-stdin")) {
    if (password !== undefined) throw new ExitError(1, "--password and --password-stdin are mutually exclusive");
    if (!username) throw new ExitError(1, "Must provide --username with --password-stdin");
    password = (await readStdin()).replace(/\r?\n$/, "");
  }
  if (password !== undefined && !bool(p, "password-stdin")) process.stderr.write("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
  if (username === undefined || password === undefined) {
    if (!process.stdin.isTTY) throw new ExitError(1, "Error: Cannot perform an interactive login from a non TTY device");
    username ??= await prompt("Username: ", false);
    password ??= await prompt("Password: ", true);
  }
  if (!username) throw new ExitError(1, "Error: Non-null Username Required");
  if (!password) throw new ExitError(1, "Error: Password Required");
  const key = serverKey(server);
  const r = await getClient().json("POST", "/auth", { body: { username, password, serveraddress: key } });
  const config = readConfig();
  config.auths ??= {};
  config.auths[key] = r?.IdentityToken ? { auth: "", identitytoken: r.IdentityToken } : { auth: Buffer.from(`${username}:${password}`).toString("base64") };
  writeConfig(config);
  process.stdout.write(`${r?.Status ?? "Login Succeeded"}\n`);
};

export const logout: Runner = async (p) => {
  const key = serverKey(p.positionals[0] ?? indexServer);
  const config = readConfig();
  // docker 28 says so whether or not there was anything to remove.
  process.stdout.write(`Removing login credentials for ${key}\n`);
  if (config.auths?.[key]) {
    delete config.auths[key];
    writeConfig(config);
  }
};
