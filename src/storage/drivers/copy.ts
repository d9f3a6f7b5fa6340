// Full copies of a directory tree for vfs (cp keeps owners, modes, times, xattrs,
// hard links, devices; reflinks where the filesystem can).
import { mustRun } from "../../sys/spawn.ts";

export async function copyTree(from: string, to: string): Promise<void> {
  // A whole image's tree can take minutes on a slow disk: no deadline.
  await mustRun(["cp", "-a", "--reflink=auto", "--no-target-directory", from, to], { timeoutMs: Infinity });
}
