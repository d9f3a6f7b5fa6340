// The one place that calls libc through bun:ffi. Keep every unsafe call here, small
// and typed; callers get plain numbers and thrown errors with the errno name.
import { dlopen, FFIType, read, ptr, CString, type Pointer } from "bun:ffi";

const { i32, u64, ptr: P, cstring, i64 } = {
  i32: FFIType.i32,
  u64: FFIType.u64,
  ptr: FFIType.ptr,
  cstring: FFIType.cstring,
  i64: FFIType.i64,
};

let lib: ReturnType<typeof open> | undefined;

function open() {
  return dlopen("libc.so.6", {
    __errno_location: { args: [], returns: P },
    strerror: { args: [i32], returns: cstring },
    flock: { args: [i32, i32], returns: i32 },
    getpid: { args: [], returns: i32 },
    mount: { args: [P, P, P, u64, P], returns: i32 },
    umount2: { args: [P, i32], returns: i32 },
    sethostname: { args: [P, u64], returns: i32 },
    syscall: { args: [i64, P, P], returns: i64 },
    chroot: { args: [P], returns: i32 },
    chdir: { args: [P], returns: i32 },
    setns: { args: [i32, i32], returns: i32 },
    prctl: { args: [i32, u64, u64, u64, u64], returns: i32 },
    setgroups: { args: [u64, P], returns: i32 },
    setresgid: { args: [i32, i32, i32], returns: i32 },
    setresuid: { args: [i32, i32, i32], returns: i32 },
    mknod: { args: [P, i32, u64], returns: i32 },
    umask: { args: [i32], returns: i32 },
    setsid: { args: [], returns: i32 },
    ioctl: { args: [i32, u64, u64], returns: i32 },
  });
}

export function libc() {
  lib ??= open();
  return lib.symbols;
}

export class ErrnoError extends Error {
  constructor(
    readonly call: string,
    readonly errno: number,
  ) {
    super(`${call}: ${strerror(errno)} (errno ${errno})`);
    this.name = "ErrnoError";
  }
}

export function errno(): number {
  return read.i32(libc().__errno_location() as Pointer, 0);
}

function strerror(n: number): string {
  return String(libc().strerror(n));
}

/** Throws ErrnoError when a libc call returned -1. */
export function check(call: string, rc: number | bigint): number {
  if (Number(rc) === -1) throw new ErrnoError(call, errno());
  return Number(rc);
}

/** A NUL-terminated C string kept alive by the returned buffer. */
export function cstr(s: string): Buffer {
  return Buffer.from(s + "\0");
}

export const EWOULDBLOCK = 11;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;

/** Non-blocking exclusive flock; returns false when another process holds the lock. */
export function tryLockExclusive(fd: number): boolean {
  const rc = libc().flock(fd, LOCK_EX | LOCK_NB);
  if (rc === 0) return true;
  const e = errno();
  if (e === EWOULDBLOCK) return false;
  throw new ErrnoError("flock", e);
}

export { ptr, CString };
