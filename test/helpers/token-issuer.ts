// A tiny token server for Distribution's token auth: checks Basic credentials against a
// user table and hands out RS256 JWTs (certificate in the `x5c` header) that the registry
// verifies against the same certificate. Refresh tokens answer POST grants as Docker
// Hub's server does. Keys and certificate are made with openssl in a temp folder. It runs
// as its own process: tests block their event loop in spawnSync while the docker CLI
// (and through it the registry) waits for a token.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { createSign, randomBytes } from "node:crypto";
import type { TokenAuth } from "./registry.ts";

export interface TokenIssuer {
  auth: TokenAuth;
  /** How many tokens were handed out (cache checks). */
  issued(): number;
  stop(): void;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

function serve(users: Record<string, string>, service: string, dir: string): void {
  const key = join(dir, "key.pem");
  const crt = join(dir, "cert.pem");
  const r = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt, "-days", "2", "-subj", "/CN=wharf-test-token"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
  const keyPem = readFileSync(key, "utf8");
  const certPem = readFileSync(crt, "utf8");
  const der = Buffer.from(certPem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
  const issuer = "wharf-test-issuer";
  const refresh = new Map<string, string>();
  let count = 0;

  const sign = (sub: string, scopes: string[]) => {
    const access = scopes
      .map((s) => s.split(":"))
      .filter((p) => p.length >= 3 && p[0] === "repository")
      .map((p) => ({ type: "repository", name: p.slice(1, -1).join(":"), actions: sub ? p.at(-1)!.split(",") : [] }));
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: "JWT", alg: "RS256", x5c: [der.toString("base64")] };
    const claims = { iss: issuer, sub, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString("hex"), access };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const sig = createSign("RSA-SHA256").update(input).sign(keyPem);
    count++;
    return `${input}.${b64url(sig)}`;
  };

  const server = Bun.serve({
    idleTimeout: 0,
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      if (url.pathname === "/count") return new Response(String(count));
      if (url.pathname !== "/token") return new Response("not found", { status: 404 });
      let user = "";
      if (req.method === "POST") {
        const form = new URLSearchParams(await req.text());
        const scopes = (form.get("scope") ?? "").split(" ").filter(Boolean);
        if (form.get("grant_type") === "refresh_token") {
          user = refresh.get(form.get("refresh_token") ?? "") ?? "";
          if (!user) return Response.json({ error: "invalid refresh token" }, { status: 401 });
          return Response.json({ access_token: sign(user, scopes), expires_in: 300, refresh_token: form.get("refresh_token") });
        }
        if (form.get("grant_type") === "password") {
          user = form.get("username") ?? "";
          if (users[user] === undefined || users[user] !== form.get("password")) return Response.json({ errors: [{ code: "UNAUTHORIZED", message: "incorrect username or password" }] }, { status: 401 });
          const rt = randomBytes(16).toString("hex");
          refresh.set(rt, user);
          return Response.json({ access_token: sign(user, scopes), expires_in: 300, refresh_token: rt });
        }
        return new Response("unsupported grant", { status: 400 });
      }
      const authz = req.headers.get("authorization");
      if (authz?.startsWith("Basic ")) {
        const [u, ...rest] = Buffer.from(authz.slice(6), "base64").toString().split(":");
        if (users[u!] === undefined || users[u!] !== rest.join(":")) {
          return Response.json({ errors: [{ code: "UNAUTHORIZED", message: "incorrect username or password" }] }, { status: 401 });
        }
        user = u!;
      }
      const scopes = url.searchParams.getAll("scope").flatMap((s) => s.split(" ")).filter(Boolean);
      const token = sign(user, scopes);
      const body: Record<string, unknown> = { token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() };
      if (user && url.searchParams.get("offline_token") === "true") {
        const rt = randomBytes(16).toString("hex");
        refresh.set(rt, user);
        body.refresh_token = rt;
      }
      return Response.json(body);
    },
  });
  process.stdout.write(JSON.stringify({ port: server.port, service, issuer, cert: certPem }) + "\n");
}

export async function startTokenIssuer(users: Record<string, string>, service = "wharf-test-registry"): Promise<TokenIssuer> {
  const dir = mkdtempSync(join(tmpdir(), "wharf-token-"));
  const proc = spawn(process.execPath, [import.meta.filename, dir, service, JSON.stringify(users)], { stdio: ["ignore", "pipe", "inherit"] });
  const info = await new Promise<{ port: number; service: string; issuer: string; cert: string }>((resolve, reject) => {
    let buf = "";
    proc.stdout!.on("data", (c) => {
      buf += c;
      const nl = buf.indexOf("\n");
      if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)));
    });
    proc.on("exit", (code) => reject(new Error(`token issuer exited with ${code}`)));
  });
  const base = `http://127.0.0.1:${info.port}`;
  return {
    auth: { realm: `${base}/token`, service: info.service, issuer: info.issuer, rootCertBundle: info.cert },
    issued: () => Number(spawnSync("curl", ["-s", `${base}/count`], { encoding: "utf8" }).stdout),
    stop() {
      proc.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

if (import.meta.main) serve(JSON.parse(process.argv[4]!), process.argv[3]!, process.argv[2]!);
