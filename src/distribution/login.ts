// POST /auth: check credentials against the registry as dockerd's loginV2 does: probe
// /v2/, answer the challenge with the credentials, and report dockerd's sentences.
import { invalidParameter, WharfError } from "../errors.ts";
import { basicHeader, type AuthConfig } from "./auth.ts";
import { RegistrySession } from "./client.ts";
import { dockerHub, endpointsFor, type RegistryOptions } from "./endpoint.ts";
import { statusLine } from "./errors.ts";

export interface LoginResult {
  Status: string;
  IdentityToken: string;
}

/** `https://index.docker.io/v1/` → `docker.io`; `http://host:5000/` → `host:5000`. */
export function registryDomain(serveraddress: string | undefined): string {
  if (!serveraddress) return dockerHub;
  const s = serveraddress.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "");
  if (!s) throw invalidParameter(`invalid registry address "${serveraddress}"`);
  if (s === "index.docker.io" || s === "registry-1.docker.io" || s === "docker.io") return dockerHub;
  return s;
}

export async function login(opts: RegistryOptions, creds: AuthConfig): Promise<LoginResult> {
  const domain = registryDomain(creds.serveraddress);
  const ep = endpointsFor(domain, opts).at(-1)!;
  const session = RegistrySession.uncached(ep, creds);
  const url = session.url("/v2/");
  const challenge = await session.probe();
  const fail = (status: number) => new WharfError("system", `login attempt to ${url} failed with status: ${statusLine(status)}`);
  if (!challenge) return { Status: "Login Succeeded", IdentityToken: "" };
  if (challenge.scheme === "basic") {
    const auth = basicHeader(creds);
    if (!auth) throw fail(401);
    const res = await fetch(url, { headers: { Authorization: auth } });
    await res.body?.cancel().catch(() => {});
    if (res.status !== 200) throw fail(res.status);
    return { Status: "Login Succeeded", IdentityToken: "" };
  }
  let res: Response;
  try {
    res = await session.request("/v2/", null);
  } catch (e) {
    if (e instanceof WharfError && /unauthorized|401/i.test(e.message)) throw fail(401);
    throw e;
  }
  await res.body?.cancel().catch(() => {});
  if (res.status !== 200) throw fail(res.status);
  return { Status: "Login Succeeded", IdentityToken: session.refreshToken ?? "" };
}
