// Host commands through src/sys/spawn.ts: output and exit code back, a failure quoting
// the command line and its stderr, a deadline that kills a wedged command and says so;
// and no other file spawning a host command of its own.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { mustRun, quoteCommand, runCommand, runCommandSync } from "../../src/sys/spawn.ts";

describe("host commands", () => {
  it("returns stdout, stderr and the exit code; feeds stdin", async () => {
    const r = await runCommand(["sh", "-c", "cat; echo oops >&2; exit 3"], { input: "hello\n" });
    expect(r).toEqual({ code: 3, stdout: "hello\n", stderr: "oops\n" });
    expect(await mustRun(["sh", "-c", "echo ok"])).toBe("ok\n");
    expect(runCommandSync(["sh", "-c", "echo sync; exit 2"])).toEqual({ code: 2, stdout: "sync\n", stderr: "" });
  });

  it("a failure quotes the command line, the exit and what it said", async () => {
    await expect(mustRun(["sh", "-c", "echo 'no such device' >&2; exit 2"])).rejects.toThrow(
      "sh -c 'echo '\\''no such device'\\'' >&2; exit 2' failed (exit 2): no such device",
    );
    await expect(mustRun(["sh", "-c", "exit 1"], { input: "link add x\nlink set x up\n" })).rejects.toThrow(
      "failed (exit 1) (input: link add x; link set x up)",
    );
    await expect(runCommand(["/nonexistent/wharf-tool", "x"])).rejects.toThrow(/^\/nonexistent\/wharf-tool x could not start/);
  });

  it("a command past its deadline is killed and the error says so", async () => {
    const t = Date.now();
    await expect(runCommand(["sh", "-c", "echo stuck >&2; exec sleep 30"], { timeoutMs: 300 })).rejects.toThrow(
      "sh -c 'echo stuck >&2; exec sleep 30' timed out after 300 ms: stuck",
    );
    expect(Date.now() - t).toBeLessThan(10_000);
    expect(() => runCommandSync(["sleep", "30"], { timeoutMs: 300 })).toThrow("sleep 30 timed out after 300 ms");
  });

  it("quotes words a shell would split", () => {
    expect(quoteCommand(["ip", "-batch", "-"])).toBe("ip -batch -");
    expect(quoteCommand(["a b", "", "it's"])).toBe(`'a b' '' 'it'\\''s'`);
  });

  it("only sys/spawn.ts spawns host commands; the other spawns are long-lived children", () => {
    const src = resolve(import.meta.dirname, "../../src");
    const files: string[] = [];
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith(".ts")) files.push(p);
      }
    };
    walk(src);
    const spawning = files.filter((f) => /Bun\.spawn(Sync)?\(|from "node:child_process"/.test(readFileSync(f, "utf8"))).map((f) => relative(src, f)).sort();
    // The monitor, container inits and their children, exec helpers, the terminal pumps,
    // a streaming (de)compressor and the client's context tar: each outlives one call.
    expect(spawning).toEqual([
      "cli/commands/build.ts",
      "distribution/pipe.ts",
      "init/tinyinit.ts",
      "runtime/client.ts",
      "runtime/exec.ts",
      "runtime/initproc.ts",
      "runtime/tty.ts",
      "sys/spawn.ts",
    ]);
  });
});
