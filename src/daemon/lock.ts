// One daemon per data root: an flock on <data-root>/wharf.lock (released by the kernel
// even after kill -9), plus the pidfile users and init systems look for.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, ftruncateSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { tryLockExclusive } from "../sys/libc.ts";
import { conflict } from "../errors.ts";

export class DataRootLock {
  private constructor(
    private readonly fd: number,
    private readonly pidfile: string,
  ) {}

  static acquire(dataRoot: string, pidfile: string): DataRootLock {
    mkdirSync(dataRoot, { recursive: true, mode: 0o711 });
    const path = join(dataRoot, "wharf.lock");
    const fd = openSync(path, "a+", 0o600);
    if (!tryLockExclusive(fd)) {
      const holder = readFileSync(path, "utf8").trim();
      closeSync(fd);
      throw conflict(
        `another wharf daemon${holder ? ` (pid ${holder})` : ""} is already using data root ${dataRoot}; stop it first`,
      );
    }
    ftruncateSync(fd, 0);
    writeSync(fd, `${process.pid}\n`, 0);
    const other = pidInFile(pidfile);
    if (other !== undefined && other !== process.pid && alive(other)) {
      closeSync(fd);
      throw conflict(`pid file found, ensure wharf is not running or delete ${pidfile} (pid ${other} is alive)`);
    }
    mkdirSync(dirname(pidfile), { recursive: true });
    writeFileSync(pidfile, `${process.pid}\n`);
    return new DataRootLock(fd, pidfile);
  }

  release(): void {
    rmSync(this.pidfile, { force: true });
    closeSync(this.fd);
  }
}

function pidInFile(path: string): number | undefined {
  try {
    const n = Number(readFileSync(path, "utf8").trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
