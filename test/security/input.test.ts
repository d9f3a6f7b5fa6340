// Bad input refused before anything is stored, through the real API: wrong JSON types
// and out-of-range values name the field (dockerd's messages where it has them), JSON
// nested too deep or too big is a quick 400, a 1 MB header a 431, slow or idle
// connections are closed, and one connection too many is told so.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { connect } from "node:net";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { docker, loadBusybox, removeAllAndCleanup, startDaemon, type TestDaemon } from "../helpers/daemon.ts";

let d: TestDaemon;

beforeAll(async () => {
  process.env.WHARF_API_HEADER_TIMEOUT_MS = "1500";
  process.env.WHARF_API_IDLE_TIMEOUT_MS = "2500";
  process.env.WHARF_API_MAX_CONNECTIONS = "40";
  try {
    d = await startDaemon();
  } finally {
    delete process.env.WHARF_API_HEADER_TIMEOUT_MS;
    delete process.env.WHARF_API_IDLE_TIMEOUT_MS;
    delete process.env.WHARF_API_MAX_CONNECTIONS;
  }
  loadBusybox(d);
});
afterAll(async () => removeAllAndCleanup(d));

async function api(method: string, path: string, body?: string | object, headers: Record<string, string> = {}) {
  const res = await fetch(`http://localhost/v1.45${path}`, {
    method,
    unix: d.sock,
    headers: { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  } as RequestInit);
  const text = await res.text();
  return { status: res.status, text, message: (() => { try { return JSON.parse(text).message as string; } catch { return text; } })() };
}

const containerDirs = () => readdirSync(join(d.dataRoot, "containers")).sort();
const listAll = async () => (await api("GET", "/containers/json?all=1")).text;

describe("create bodies", () => {
  const cases: [string, object, RegExp][] = [
    ["Memory as a string", { Image: "busybox", HostConfig: { Memory: "abc" } }, /cannot unmarshal string into Go struct field HostConfig\.HostConfig\.Memory of type int64/],
    ["Memory past int64", { Image: "busybox", HostConfig: { Memory: 1e30 } }, /cannot unmarshal number 1e\+30 into Go struct field HostConfig\.HostConfig\.Memory of type int64/],
    ["Memory -1", { Image: "busybox", HostConfig: { Memory: -1 } }, /^Minimum memory limit allowed is 6MB$/],
    ["CapAdd CAP_BOGUS", { Image: "busybox", HostConfig: { CapAdd: ["CAP_BOGUS"] } }, /^unknown capability: "CAP_BOGUS"$/],
    ["CapDrop BOGUS", { Image: "busybox", HostConfig: { CapDrop: ["BOGUS"] } }, /^unknown capability: "BOGUS"$/],
    ["Image as a number", { Image: 123 }, /cannot unmarshal number into Go struct field ContainerConfigWrapper\.Image of type string/],
    ["MemorySwap as a bool", { Image: "busybox", HostConfig: { Memory: 64 << 20, MemorySwap: true } }, /HostConfig\.MemorySwap of type int64/],
    ["CpuShares negative", { Image: "busybox", HostConfig: { CpuShares: -5 } }, /invalid CPU shares \(-5\)/],
    ["NanoCpus a fraction", { Image: "busybox", HostConfig: { NanoCpus: 1.5 } }, /number 1\.5 into Go struct field HostConfig\.HostConfig\.NanoCpus/],
    ["PidsLimit a string", { Image: "busybox", HostConfig: { PidsLimit: "10" } }, /HostConfig\.PidsLimit of type int64/],
    ["Env not a list", { Image: "busybox", Env: "A=1" }, /ContainerConfigWrapper\.Env of type \[\]string/],
    ["HostConfig not an object", { Image: "busybox", HostConfig: "x" }, /cannot unmarshal string/],
  ];
  for (const [name, body, message] of cases) {
    test(`${name}: 400 naming the field, nothing stored`, async () => {
      const before = containerDirs();
      const listed = await listAll();
      const r = await api("POST", "/containers/create", body);
      expect(r.status).toBe(400);
      expect(r.message).toMatch(message);
      expect(containerDirs()).toEqual(before);
      expect(await listAll()).toBe(listed);
    });
  }

  test("the docker CLI can still inspect every container afterwards", () => {
    const ps = docker(d, ["ps", "-aq"]);
    for (const id of ps.stdout.split("\n").filter(Boolean)) expect(docker(d, ["inspect", id]).code).toBe(0);
  });

  test("an update with a bad type is refused and leaves the container as it was", async () => {
    const c = docker(d, ["create", "-m", "64m", "busybox", "true"]);
    const id = c.stdout.trim();
    const r = await api("POST", `/containers/${id}/update`, { Memory: "lots" });
    expect(r.status).toBe(400);
    expect(r.message).toContain("Memory of type int64");
    expect(docker(d, ["inspect", "-f", "{{.HostConfig.Memory}}", id]).stdout.trim()).toBe(String(64 << 20));
    docker(d, ["rm", id]);
  });
});

describe("JSON limits", () => {
  test("100k-deep JSON is a fast 400, not a 500", async () => {
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    const t0 = performance.now();
    const r = await api("POST", "/containers/create", `{"Image":"busybox","Labels":${deep}}`);
    const ms = performance.now() - t0;
    expect(r.status).toBe(400);
    expect(r.message).toContain("nested deeper than 512 levels");
    expect(ms).toBeGreaterThan(0); // timing is reported, not asserted (bench/ measures)
    console.log(`deep JSON refused in ${ms.toFixed(1)} ms`);
  });

  test("a body over 32 MiB is refused by its Content-Length", async () => {
    const big = `{"Image":"busybox","Labels":{"x":"${"a".repeat(33 * 1024 * 1024)}"}}`;
    const r = await api("POST", "/containers/create", big);
    expect(r.status).toBe(400);
    expect(r.message).toMatch(/request body is too large: \d+ bytes, at most 33554432/);
  });
});

function raw(send: string | Buffer, waitMs = 5000): Promise<{ text: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const s = connect(d.sock);
    let got = "";
    s.on("data", (c) => (got += c.toString("latin1")));
    s.on("close", () => resolve({ text: got, closedAfterMs: Date.now() - t0 }));
    s.on("error", (e: NodeJS.ErrnoException) => (e.code === "ECONNRESET" || e.code === "EPIPE" ? undefined : reject(e)));
    if (send.length) s.write(send);
    setTimeout(() => (s.destroy(), resolve({ text: got, closedAfterMs: -1 })), waitMs);
  });
}

describe("HTTP limits", () => {
  test("a 1 MB header is answered 431, not dropped", async () => {
    const r = await raw(`GET /_ping HTTP/1.1\r\nHost: d\r\nX-Big: ${"a".repeat(1100 * 1024)}\r\n\r\n`);
    expect(r.text).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  });

  test("a head that never completes gets 408 after the header timeout", async () => {
    const r = await raw("GET /_ping HTTP/1.1\r\nHost: d\r\n", 6000);
    expect(r.text).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
    expect(r.closedAfterMs).toBeGreaterThan(1000);
  });

  test("an idle keep-alive connection is closed after the idle timeout", async () => {
    const r = await raw("GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n", 8000);
    expect(r.text).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(r.closedAfterMs).toBeGreaterThan(2000);
  });

  test("past the connection cap the next client is answered 503 at once, and served again after", async () => {
    const held = await Promise.all(Array.from({ length: 40 }, () => new Promise<ReturnType<typeof connect>>((r) => { const s = connect(d.sock, () => r(s)); })));
    try {
      await Bun.sleep(100);
      const r = spawnSync("curl", ["-s", "-i", "--max-time", "5", "--unix-socket", d.sock, "http://x/_ping"], { encoding: "utf8" });
      expect(r.stdout).toMatch(/^HTTP\/1\.1 503 Service Unavailable/);
      expect(r.stdout).toContain("too many connections");
    } finally {
      for (const s of held) s.destroy();
    }
    await Bun.sleep(200);
    expect((await api("GET", "/_ping")).text).toBe("OK");
  });
});
