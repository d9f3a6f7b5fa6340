// The binary picks its role from the name it was invoked as, like busybox.
import { basename } from "node:path";

type Initializer = (args: string[]) => Promise<number> | number;

const roles = new Map<string, Initializer>();

export function register(name: string, init: Initializer): void {
  if (roles.has(name)) throw new Error(`reexec: role ${name} registered twice`);
  roles.set(name, init);
}

export function lookup(name: string): Initializer | undefined {
  return roles.get(name);
}

/**
 * The name this process was invoked as. In a compiled Bun binary `process.argv[0]` is
 * the string "bun"; the real invocation name is `process.argv0`.
 */
export function invokedAs(argv0: string = process.argv0): string {
  return basename(argv0 || "wharf");
}

/** How to start this same binary in another role: the path to run and the argv0 to give it. */
export function selfCommand(role: string, args: string[] = []): { cmd: string[]; argv0: string } {
  const exe = process.execPath;
  if (isCompiled()) return { cmd: [exe, ...args], argv0: role };
  // Running from source under Bun: the role is passed as an environment hint instead.
  return { cmd: [exe, entryScript(), ...args], argv0: role };
}

export function isCompiled(): boolean {
  return !/\/bun(-[a-z0-9-]+)?$/.test(process.execPath) && !process.execPath.endsWith("/node");
}

function entryScript(): string {
  return new URL("../bin/wharf.ts", import.meta.url).pathname;
}
