// The in-container role. The daemon starts it inside fresh namespaces with its setup on
// an inherited pipe (fd 3) and _WHARF_INIT_PIPE set; anything else is a mistake, refused.
import { fstatSync } from "node:fs";

export const initPipeEnv = "_WHARF_INIT_PIPE";

export async function dockerinitMain(_args: string[]): Promise<number> {
  if (process.env[initPipeEnv] !== "3" || !isPipe(3)) {
    process.stderr.write(
      "dockerinit: not started by the wharf daemon inside a container setup; " +
        "this role sets a container up from inside and cannot be run by hand\n",
    );
    return 1;
  }
  process.stderr.write("dockerinit: container setup is not implemented yet\n");
  return 125;
}

function isPipe(fd: number): boolean {
  try {
    return fstatSync(fd).isFIFO();
  } catch {
    return false;
  }
}
