// The BPF program a container's process gets, compiled by libseccomp once per
// (profile, capabilities, arch, kernel) and kept in the exec root: libseccomp spends
// some 12 ms building the default profile's filter, loading a ready one costs nothing.
import { createHash, randomBytes } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from "node:fs";
import { arch, release } from "node:os";
import { exportFilter } from "../sys/libseccomp.ts";
import { defaultProfile, parseProfile, resolveProfile } from "./seccomp.ts";

/** The spec's profile: unset means Docker's default; "unconfined" means none. */
export function seccompProgram(profile: string | undefined, caps: bigint, cacheDir: string | undefined): Buffer | null {
  if (profile === "unconfined") return null;
  const key = createHash("sha256")
    .update(profile ?? "builtin-default-v1")
    .update(`\0${caps.toString(16)}\0${arch()}\0${release()}`)
    .digest("hex");
  const file = cacheDir ? `${cacheDir}/${key}.bpf` : undefined;
  if (file) {
    try {
      return readFileSync(file);
    } catch {}
  }
  const filter = resolveProfile(profile === undefined ? defaultProfile : parseProfile(profile), caps);
  const dir = cacheDir ?? "/tmp";
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Not the pid: every container's init is pid 1 in its own namespace, and two that
  // start together compile the same key at once.
  const tmp = `${dir}/${key}.${randomBytes(8).toString("hex")}.tmp`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    exportFilter(filter, fd);
  } finally {
    closeSync(fd);
  }
  const prog = readFileSync(tmp);
  if (file) renameSync(tmp, file);
  else rmSync(tmp, { force: true });
  return prog;
}
