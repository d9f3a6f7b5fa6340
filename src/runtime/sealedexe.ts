// The exec helper (dockerinit in exec mode) runs inside a live container's pid
// namespace, so a container process may find it there. It must not run from the host's
// wharf binary: an open /proc/N/exe would let the container overwrite that binary once
// nothing runs it. It runs from a sealed memfd copy made once per daemon (runc's fix
// for CVE-2019-5736), reached as /proc/<daemon pid>/fd/<n>.
import { copyFileSync } from "node:fs";
import { sealedMemfd } from "../sys/libc.ts";

let sealed: { source: string; path: string } | undefined;

/** The path to exec instead of `binary`; made on first use. */
export function sealedBinary(binary: string): string {
  if (sealed?.source === binary) return sealed.path;
  const fd = sealedMemfd("wharf-dockerinit", (path) => copyFileSync(binary, path));
  sealed = { source: binary, path: `/proc/${process.pid}/fd/${fd}` };
  return sealed.path;
}
