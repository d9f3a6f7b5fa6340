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
    syscall: { args: [i64, u64, u64, u64], returns: i64 },
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
    setdomainname: { args: [P, u64], returns: i32 },
    setrlimit: { args: [i32, P], returns: i32 },
    execve: { args: [P, P, P], returns: i32 },
    kill: { args: [i32, i32], returns: i32 },
    waitpid: { args: [i32, P, i32], returns: i32 },
    pipe2: { args: [P, i32], returns: i32 },
    socket: { args: [i32, i32, i32], returns: i32 },
    close: { args: [i32], returns: i32 },
    connect: { args: [i32, P, i32], returns: i32 },
    write: { args: [i32, P, u64], returns: i64 },
    lsetxattr: { args: [P, P, P, u64, i32], returns: i32 },
    lgetxattr: { args: [P, P, P, u64], returns: i64 },
    llistxattr: { args: [P, P, u64], returns: i64 },
    signal: { args: [i32, u64], returns: u64 },
    sigprocmask: { args: [i32, P, P], returns: i32 },
    openpty: { args: [P, P, P, P, P], returns: i32 },
    open: { args: [P, i32], returns: i32 },
    read: { args: [i32, P, u64], returns: i64 },
    dup2: { args: [i32, i32], returns: i32 },
    memfd_create: { args: [P, u64], returns: i32 },
    fcntl: { args: [i32, i32, u64], returns: i32 },
    getsockopt: { args: [i32, i32, i32, P, P], returns: i32 },
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
export function check(call: string, rc: unknown): number {
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

// ---- container setup (dockerinit). Each wrapper throws ErrnoError on failure.

const arch = process.arch === "arm64" ? "arm64" : "x64";
const SYS = {
  pivot_root: arch === "arm64" ? 41 : 155,
  capget: arch === "arm64" ? 90 : 125,
  capset: arch === "arm64" ? 91 : 126,
  close_range: 436,
  unshare: arch === "arm64" ? 97 : 272,
  pidfd_open: 434,
  pidfd_getfd: 438,
  seccomp: arch === "arm64" ? 277 : 317,
  bpf: arch === "arm64" ? 280 : 321,
  madvise: arch === "arm64" ? 233 : 28,
};

const addr = (b: Buffer | Uint8Array | BigUint64Array) => BigInt(ptr(b));

export function mount(source: string | null, target: string, fstype: string | null, flags: number, data = ""): void {
  const s = source === null ? null : cstr(source);
  const f = fstype === null ? null : cstr(fstype);
  const d = data ? cstr(data) : null;
  // Every buffer is held in a variable so it stays alive across the call.
  const t = cstr(target);
  check(`mount ${target}`, libc().mount(s && ptr(s), ptr(t), f && ptr(f), BigInt(flags), d && ptr(d)));
}

export function umount2(target: string, flags: number): void {
  const t = cstr(target);
  check(`umount ${target}`, libc().umount2(ptr(t), flags));
}

export function pivotRoot(newRoot: string, putOld: string): void {
  const a = cstr(newRoot);
  const b = cstr(putOld);
  check("pivot_root", libc().syscall(BigInt(SYS.pivot_root), addr(a), addr(b), 0n));
}

export function sethostname(name: string): void {
  const b = Buffer.from(name);
  check("sethostname", libc().sethostname(ptr(b.length ? b : Buffer.alloc(1)), BigInt(b.length)));
}

export function setdomainname(name: string): void {
  const b = Buffer.from(name);
  check("setdomainname", libc().setdomainname(ptr(b.length ? b : Buffer.alloc(1)), BigInt(b.length)));
}

export function prctl(option: number, arg2 = 0, arg3 = 0): number {
  return check(`prctl ${option}`, libc().prctl(option, BigInt(arg2), BigInt(arg3), 0n, 0n));
}

/** Sets effective, permitted and inheritable capabilities of this thread (64-bit masks). */
export function capset(effective: bigint, permitted: bigint, inheritable: bigint): void {
  const hdr = new Uint32Array([0x20080522, 0]); // _LINUX_CAPABILITY_VERSION_3, this thread
  const lo = (v: bigint) => Number(v & 0xffffffffn);
  const hi = (v: bigint) => Number(v >> 32n);
  const data = new Uint32Array([lo(effective), lo(permitted), lo(inheritable), hi(effective), hi(permitted), hi(inheritable)]);
  check("capset", libc().syscall(BigInt(SYS.capset), BigInt(ptr(hdr)), BigInt(ptr(data)), 0n));
}

export function setgroups(gids: number[]): void {
  const list = new Uint32Array(gids.length || 1);
  gids.forEach((g, i) => (list[i] = g));
  check("setgroups", libc().setgroups(BigInt(gids.length), ptr(list)));
}

export function setresgid(gid: number): void {
  check("setresgid", libc().setresgid(gid, gid, gid));
}

export function setresuid(uid: number): void {
  check("setresuid", libc().setresuid(uid, uid, uid));
}

/** soft/hard of -1 mean RLIM_INFINITY. */
export function setrlimit(resource: number, soft: number, hard: number): void {
  const inf = 0xffffffffffffffffn;
  const lim = new BigUint64Array([soft < 0 ? inf : BigInt(soft), hard < 0 ? inf : BigInt(hard)]);
  check(`setrlimit ${resource}`, libc().setrlimit(resource, ptr(lim)));
}

/** Marks every descriptor from `first` up close-on-exec, so exec leaks nothing. */
export function closeRangeCloexec(first: number): void {
  check("close_range", libc().syscall(BigInt(SYS.close_range), BigInt(first), 0xffffffffn, 4n)); // CLOSE_RANGE_CLOEXEC
}

/** unshare(2) for the namespaces a threaded process may still enter (cgroup, uts, ipc, net). */
export function unshareNs(flags: number): void {
  check("unshare", libc().syscall(BigInt(SYS.unshare), BigInt(flags), 0n, 0n));
}

export function setns(fd: number, nstype: number): void {
  check("setns", libc().setns(fd, nstype));
}

export function kill(pid: number, signal: number): void {
  check(`kill ${pid}`, libc().kill(pid, signal));
}

/** waitpid; returns [pid, raw status] or [0, 0] with WNOHANG and nothing to reap. */
export function waitpid(pid: number, options: number): [number, number] {
  const st = new Int32Array(1);
  const r = check("waitpid", libc().waitpid(pid, ptr(st), options));
  return [r, st[0]!];
}

/** Sets IFF_UP on an interface of this network namespace (lo in a fresh one). */
export function interfaceUp(name: string): void {
  const SIOCGIFFLAGS = 0x8913n, SIOCSIFFLAGS = 0x8914n, IFF_UP = 1;
  const fd = check("socket", libc().socket(2, 2 | 0o2000000, 0)); // AF_INET, SOCK_DGRAM|SOCK_CLOEXEC
  try {
    const ifr = Buffer.alloc(40); // struct ifreq: name[16], then a short of flags
    ifr.write(name, 0, 15);
    check(`SIOCGIFFLAGS ${name}`, libc().ioctl(fd, SIOCGIFFLAGS, BigInt(ptr(ifr))));
    ifr.writeInt16LE(ifr.readInt16LE(16) | IFF_UP, 16);
    check(`SIOCSIFFLAGS ${name}`, libc().ioctl(fd, SIOCSIFFLAGS, BigInt(ptr(ifr))));
  } finally {
    libc().close(fd);
  }
}

/**
 * A close-on-exec connection to a unix stream socket, without node:net (dockerinit
 * must boot fast, and the descriptor must vanish at execve).
 */
export function unixConnect(path: string): number {
  const fd = check("socket", libc().socket(1, 1 | 0o2000000, 0)); // AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC
  const addr = Buffer.alloc(110); // struct sockaddr_un: sa_family, then sun_path[108]
  addr.writeUInt16LE(1, 0);
  if (addr.write(path, 2) >= 107) throw new Error(`socket path too long: ${path}`);
  const rc = libc().connect(fd, ptr(addr), 110);
  if (rc !== 0) {
    const e = errno();
    libc().close(fd);
    throw new ErrnoError(`connect ${path}`, e);
  }
  return fd;
}

export function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) {
    const chunk = data.subarray(off);
    off += check("write", libc().write(fd, ptr(chunk), BigInt(chunk.length)));
  }
}

export function closeFd(fd: number): void {
  libc().close(fd);
}

/** A pipe whose both ends are close-on-exec (spawn dup2s the one a child gets). */
export function pipe(): [read: number, write: number] {
  const fds = new Int32Array(2);
  check("pipe2", libc().pipe2(ptr(fds), 0o2000000)); // O_CLOEXEC
  return [fds[0]!, fds[1]!];
}

/**
 * Sets a pipe's capacity (F_SETPIPE_SZ); returns the size the kernel gave, or 0 where it
 * refused (above /proc/sys/fs/pipe-max-size for an unprivileged process).
 */
export function setPipeSize(fd: number, bytes: number): number {
  const r = Number(libc().fcntl(fd, 1031, BigInt(bytes))); // F_SETPIPE_SZ
  return r < 0 ? 0 : r;
}

/** A pipe's capacity (F_GETPIPE_SZ), or 0 for a descriptor that is not a pipe. */
export function pipeSize(fd: number): number {
  const r = Number(libc().fcntl(fd, 1032, 0n)); // F_GETPIPE_SZ
  return r < 0 ? 0 : r;
}

export function mkfifo(path: string, mode: number): void {
  const p = cstr(path);
  check(`mkfifo ${path}`, libc().mknod(ptr(p), 0o010000 | mode, 0n)); // S_IFIFO
}

/**
 * Before an execve into a container's command: every signal back to its default action
 * and none blocked. Ignored signals survive execve, and Bun ignores SIGPIPE, so without
 * this `yes | head` never ends in a container (Docker's commands start with defaults).
 */
export function resetSignals(): void {
  const SIG_SETMASK = 2;
  for (let sig = 1; sig <= 64; sig++) {
    if (sig === 9 || sig === 19 || sig === 32 || sig === 33) continue; // KILL, STOP, glibc's own RT signals
    libc().signal(sig, 0n); // SIG_DFL
  }
  check("sigprocmask", libc().sigprocmask(SIG_SETMASK, ptr(new Uint8Array(128)), null));
}

/** Replaces this process; only returns by throwing ErrnoError. */
export function execve(path: string, argv: string[], env: string[]): never {
  const keep: Buffer[] = [];
  const table = (list: string[]) => {
    const t = new BigUint64Array(list.length + 1);
    list.forEach((s, i) => {
      const b = cstr(s);
      keep.push(b);
      t[i] = BigInt(ptr(b));
    });
    return t;
  };
  const a = table(argv);
  const e = table(env);
  libc().execve(ptr(cstr(path)), ptr(a), ptr(e));
  throw new ErrnoError(`execve ${path}`, errno());
}

// ---- layer storage: extended attributes and device nodes (never follow symlinks).

export function lsetxattr(path: string, name: string, value: Uint8Array): void {
  const v = value.length ? value : new Uint8Array(1);
  check(`lsetxattr ${name} on ${path}`, libc().lsetxattr(ptr(cstr(path)), ptr(cstr(name)), ptr(v), BigInt(value.length), 0));
}

const ENODATA = 61;

/** The attribute's bytes, or null when the file does not have it. */
export function lgetxattr(path: string, name: string): Buffer | null {
  const buf = Buffer.alloc(65536);
  const n = Number(libc().lgetxattr(ptr(cstr(path)), ptr(cstr(name)), ptr(buf), BigInt(buf.length)));
  if (n === -1) {
    const e = errno();
    if (e === ENODATA) return null;
    throw new ErrnoError(`lgetxattr ${name} on ${path}`, e);
  }
  return Buffer.from(buf.subarray(0, n));
}

/** The names of a file's extended attributes (its own, never a symlink's target's). */
export function llistxattr(path: string): string[] {
  const buf = Buffer.alloc(65536);
  const n = Number(libc().llistxattr(ptr(cstr(path)), ptr(buf), BigInt(buf.length)));
  if (n === -1) throw new ErrnoError(`llistxattr ${path}`, errno());
  return buf.subarray(0, n).toString("latin1").split("\0").filter(Boolean);
}

/** glibc's makedev encoding of a device number. */
export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major);
  const mi = BigInt(minor);
  return ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) | (mi & 0xffn);
}

/** mknod(2); `mode` carries the file type bits (S_IFCHR, S_IFBLK, S_IFIFO) and permissions. */
export function mknod(path: string, mode: number, major = 0, minor = 0): void {
  check(`mknod ${path}`, libc().mknod(ptr(cstr(path)), mode, makedev(major, minor)));
}

// ---- terminals (TTY containers and exec -t).

const TIOCSWINSZ = 0x5414n, TIOCGWINSZ = 0x5413n, TIOCSCTTY = 0x540en, FIOCLEX = 0x5451n;

/** A new pseudo-terminal pair, both ends close-on-exec (spawn dup2s the slave where it goes). */
export function openpty(): [master: number, slave: number] {
  const fds = new Int32Array(2);
  check("openpty", libc().openpty(ptr(fds), ptr(fds, 4), null, null, null));
  for (const fd of fds) libc().ioctl(fd, FIOCLEX, 0n);
  return [fds[0]!, fds[1]!];
}

/**
 * A pseudo-terminal pair from the devpts instance whose ptmx is at `ptmxPath` (a
 * container's, through /proc/PID/root), so the slave has a name inside that container.
 */
export function openptyAt(ptmxPath: string): [master: number, slave: number] {
  const O_RDWR = 2, O_NOCTTY = 0o400, O_CLOEXEC = 0o2000000;
  const TIOCSPTLCK = 0x40045431n, TIOCGPTPEER = 0x5441n;
  const p = cstr(ptmxPath);
  const master = check(`open ${ptmxPath}`, libc().open(ptr(p), O_RDWR | O_NOCTTY | O_CLOEXEC));
  try {
    const unlock = new Int32Array([0]);
    check("TIOCSPTLCK", libc().ioctl(master, TIOCSPTLCK, BigInt(ptr(unlock))));
    const slave = check("TIOCGPTPEER", libc().ioctl(master, TIOCGPTPEER, BigInt(O_RDWR | O_NOCTTY | O_CLOEXEC)));
    return [master, slave];
  } catch (err) {
    libc().close(master);
    throw err;
  }
}

/** TIOCSWINSZ: the terminal's size; its foreground process group gets SIGWINCH. */
export function setWinsize(fd: number, rows: number, cols: number): void {
  const ws = new Uint16Array([rows, cols, 0, 0]);
  check("TIOCSWINSZ", libc().ioctl(fd, TIOCSWINSZ, BigInt(ptr(ws))));
}

export function getWinsize(fd: number): { rows: number; cols: number } {
  const ws = new Uint16Array(4);
  check("TIOCGWINSZ", libc().ioctl(fd, TIOCGWINSZ, BigInt(ptr(ws))));
  return { rows: ws[0]!, cols: ws[1]! };
}

/** A new session whose controlling terminal is `fd` (a pty slave), as a login does. */
export function takeControllingTty(fd: number): void {
  libc().setsid(); // fails only for a group leader, which then keeps its session
  check("TIOCSCTTY", libc().ioctl(fd, TIOCSCTTY, 0n));
}


/** dup2(2): `from` also becomes descriptor `to` (without close-on-exec). */
export function dup2(from: number, to: number): void {
  check(`dup2 ${from} ${to}`, libc().dup2(from, to));
}

/** One blocking read of up to `max` bytes; empty at end of file. */
export function readSome(fd: number, max = 1): Buffer {
  const buf = Buffer.alloc(max);
  const n = check("read", libc().read(fd, ptr(buf), BigInt(max)));
  return buf.subarray(0, n);
}

/**
 * A copy of descriptor `fd` of process `pid` (pidfd_getfd(2), Linux 5.6), close-on-exec.
 * Needs ptrace rights over it: the monitor has them over the inits it started.
 */
export function takeFdOf(pid: number, fd: number): number {
  const pidfd = check("pidfd_open", libc().syscall(BigInt(SYS.pidfd_open), BigInt(pid), 0n, 0n));
  try {
    return check("pidfd_getfd", libc().syscall(BigInt(SYS.pidfd_getfd), BigInt(pidfd), BigInt(fd), 0n));
  } finally {
    libc().close(pidfd);
  }
}

/**
 * Installs a classic BPF seccomp program (struct sock_filter[], as libseccomp exports
 * it) on the calling thread: seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog).
 */
export function seccompInstall(program: Uint8Array): void {
  if (program.length % 8 !== 0 || program.length === 0 || program.length / 8 > 0xffff) throw new Error(`seccomp: a BPF program of ${program.length} bytes is malformed`);
  const fprog = Buffer.alloc(16); // struct sock_fprog: unsigned short len, then a pointer
  fprog.writeUInt16LE(program.length / 8, 0);
  fprog.writeBigUInt64LE(BigInt(ptr(program)), 8);
  check("seccomp", libc().syscall(BigInt(SYS.seccomp), 1n, 0n, BigInt(ptr(fprog))));
}

/** Marks descriptors first..last close-on-exec (sockets systemd passed, which no child may keep). */
export function setCloexecRange(first: number, last: number): void {
  check("close_range", libc().syscall(BigInt(SYS.close_range), BigInt(first), BigInt(last), 4n)); // CLOSE_RANGE_CLOEXEC
}

/** A socket's address family (SO_DOMAIN): 1 unix, 2 inet, 10 inet6. */
export function socketDomain(fd: number): number {
  const val = Buffer.alloc(4);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(4, 0);
  check("getsockopt", libc().getsockopt(fd, 1, 39, ptr(val), ptr(len))); // SOL_SOCKET, SO_DOMAIN
  return val.readInt32LE(0);
}

/**
 * One datagram to a unix datagram socket (sd_notify's NOTIFY_SOCKET): a path, or an
 * abstract name written with a leading "@".
 */
export function unixDatagramSend(path: string, data: Uint8Array): void {
  const fd = check("socket", libc().socket(1, 2 | 0o2000000, 0)); // AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC
  try {
    const name = Buffer.from(path.startsWith("@") ? "\0" + path.slice(1) : path);
    if (name.length > 107) throw new Error(`socket path too long: ${path}`);
    const addr = Buffer.alloc(110); // struct sockaddr_un
    addr.writeUInt16LE(1, 0);
    name.copy(addr, 2);
    // An abstract name's length is exact; a path is NUL-terminated within the struct.
    const len = path.startsWith("@") ? 2 + name.length : 110;
    if (libc().connect(fd, ptr(addr), len) !== 0) throw new ErrnoError(`connect ${path}`, errno());
    check("write", libc().write(fd, ptr(data), BigInt(data.length)));
  } finally {
    libc().close(fd);
  }
}

// The client's terminal checks get a handle of their own: opening the full table above
// compiles a trampoline per symbol, more than a short command's whole start-up.
let ttyLib: ReturnType<typeof openTty> | undefined;
function openTty() {
  return dlopen("libc.so.6", { isatty: { args: [i32], returns: i32 } }).symbols;
}

/** isatty(3), without node:tty (whose load costs the client milliseconds). */
export function isTerminal(fd: number): boolean {
  ttyLib ??= openTty();
  return ttyLib.isatty(fd) === 1;
}

/**
 * A sealed in-memory copy of a file (memfd, MFD_ALLOW_SEALING): once written it can
 * never change size or content (F_SEAL_SEAL|SHRINK|GROW|WRITE), so a process running
 * from it cannot be used to overwrite what it runs (CVE-2019-5736). Close-on-exec.
 */
export function sealedMemfd(name: string, fill: (path: string) => void): number {
  const MFD_CLOEXEC = 1n, MFD_ALLOW_SEALING = 2n;
  const F_ADD_SEALS = 1033, SEALS = 0x1 | 0x2 | 0x4 | 0x8;
  const fd = check("memfd_create", libc().memfd_create(ptr(cstr(name)), MFD_CLOEXEC | MFD_ALLOW_SEALING));
  try {
    fill(`/proc/self/fd/${fd}`);
    check("fcntl F_ADD_SEALS", libc().fcntl(fd, F_ADD_SEALS, BigInt(SEALS)));
    return fd;
  } catch (err) {
    libc().close(fd);
    throw err;
  }
}

/** bpf(2) with an attribute block (zero-padded as the kernel wants); returns its result. */
export function bpf(cmd: number, attr: Uint8Array, what: string): number {
  return check(what, libc().syscall(BigInt(SYS.bpf), BigInt(cmd), BigInt(ptr(attr)), BigInt(attr.length)));
}

const MADV_DONTNEED = 4;

/**
 * Drops this process's page-table entries for a range of a read-only file mapping. The
 * pages stay in the page cache; a later touch maps them again from there. Only for
 * ranges whose every page still equals the file (no private copy), or data is lost.
 */
export function dropFilePages(start: bigint, length: bigint): void {
  check("madvise", libc().syscall(BigInt(SYS.madvise), start, length, BigInt(MADV_DONTNEED)));
}

// ---- inode flags (FS_IOC_GETFLAGS / FS_IOC_SETFLAGS, as chattr(1)).

const FS_IOC_GETFLAGS = 0x80086601n, FS_IOC_SETFLAGS = 0x40086602n, FS_TOPDIR_FL = 0x00020000;
const O_RDONLY_DIR = 0o200000 | 0o2000000; // O_DIRECTORY | O_CLOEXEC

/**
 * Marks a directory as the top of a hierarchy (chattr +T): ext2/3/4 then place each new
 * directory made in it in a block group of its own choosing (Orlov) instead of next to
 * its parent. Returns false where the filesystem has no such flag; throws on other errors.
 */
export function markTopDir(path: string): boolean {
  const fd = check(`open ${path}`, libc().open(ptr(cstr(path)), O_RDONLY_DIR));
  try {
    // The kernel reads and writes an int here, whatever the ioctl's declared size.
    const flags = new Int32Array(2);
    if (libc().ioctl(fd, FS_IOC_GETFLAGS, BigInt(ptr(flags))) === -1) {
      const e = errno();
      if (e === 25 || e === 95 || e === 22) return false; // ENOTTY, EOPNOTSUPP, EINVAL
      throw new ErrnoError(`FS_IOC_GETFLAGS ${path}`, e);
    }
    if (flags[0]! & FS_TOPDIR_FL) return true;
    flags[0] = flags[0]! | FS_TOPDIR_FL;
    if (libc().ioctl(fd, FS_IOC_SETFLAGS, BigInt(ptr(flags))) === -1) {
      const e = errno();
      if (e === 25 || e === 95 || e === 22) return false;
      throw new ErrnoError(`FS_IOC_SETFLAGS ${path}`, e);
    }
    return true;
  } finally {
    libc().close(fd);
  }
}
