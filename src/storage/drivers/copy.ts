// Full copies of a directory tree for vfs (cp keeps owners, modes, times, xattrs,
// hard links, devices; reflinks where the filesystem can).
import { systemError } from "../../errors.ts";

export async function copyTree(from: string, to: string): Promise<void> {
  const p = Bun.spawn(["cp", "-a", "--reflink=auto", "--no-target-directory", from, to], {
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  const [code, err] = await Promise.all([p.exited, new Response(p.stderr).text()]);
  if (code !== 0) throw systemError(`copying ${from}: ${err.trim() || `cp exit ${code}`}`);
}
