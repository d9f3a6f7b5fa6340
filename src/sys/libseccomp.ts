// libseccomp (Debian's libseccomp2) through bun:ffi: the filter a container's process
// runs under. Callers hand over rules already resolved for this host (arch, kernel and
// capability conditions applied, see init/seccomp.ts); this module only talks C.
import { dlopen, FFIType, ptr, type Pointer } from "bun:ffi";


let lib: ReturnType<typeof open> | undefined;

function open() {
  return dlopen("libseccomp.so.2", {
    seccomp_init: { args: [FFIType.u32], returns: FFIType.ptr },
    seccomp_release: { args: [FFIType.ptr], returns: FFIType.void },
    seccomp_arch_add: { args: [FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
    seccomp_arch_native: { args: [], returns: FFIType.u32 },
    seccomp_attr_set: { args: [FFIType.ptr, FFIType.i32, FFIType.u32], returns: FFIType.i32 },
    seccomp_syscall_resolve_name: { args: [FFIType.ptr], returns: FFIType.i32 },
    seccomp_rule_add_array: { args: [FFIType.ptr, FFIType.u32, FFIType.i32, FFIType.u32, FFIType.ptr], returns: FFIType.i32 },
    seccomp_load: { args: [FFIType.ptr], returns: FFIType.i32 },
    seccomp_export_bpf: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
  });
}

function sym() {
  lib ??= open();
  return lib.symbols;
}

export class SeccompError extends Error {
  constructor(call: string, rc: number) {
    super(`seccomp: ${call}: errno ${-rc}`);
    this.name = "SeccompError";
  }
}

/** libseccomp's scmp_compare. */
export const scmpCompare = { SCMP_CMP_NE: 1, SCMP_CMP_LT: 2, SCMP_CMP_LE: 3, SCMP_CMP_EQ: 4, SCMP_CMP_GE: 5, SCMP_CMP_GT: 6, SCMP_CMP_MASKED_EQ: 7 } as const;

export interface ArgCompare {
  index: number;
  op: number;
  value: bigint;
  valueTwo: bigint;
}

export interface FilterRule {
  action: number;
  syscall: string;
  args: ArgCompare[];
}

export interface Filter {
  defaultAction: number;
  /** Audit arch tokens to add beside the native one. */
  arches: number[];
  rules: FilterRule[];
}

const SCMP_FLTATR_CTL_NNP = 3;

/** Builds the filter, installs it on the calling thread (the one that execs next). */
export function loadFilter(f: Filter): void {
  withContext(f, (s, ctx) => {
    const rc = s.seccomp_load(ctx);
    if (rc < 0) throw new SeccompError("seccomp_load", rc);
  });
}

/** Builds the filter and writes its BPF program (struct sock_filter[]) to `fd`. */
export function exportFilter(f: Filter, fd: number): void {
  withContext(f, (s, ctx) => {
    const rc = s.seccomp_export_bpf(ctx, fd);
    if (rc < 0) throw new SeccompError("seccomp_export_bpf", rc);
  });
}

// No-new-privileges stays the caller's choice: libseccomp would set it at load.
function withContext(f: Filter, use: (s: ReturnType<typeof sym>, ctx: Pointer) => void): void {
  const s = sym();
  const ctx = s.seccomp_init(f.defaultAction >>> 0) as Pointer | null;
  if (!ctx) throw new Error("seccomp: seccomp_init failed");
  try {
    let rc = s.seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    if (rc < 0) throw new SeccompError("seccomp_attr_set", rc);
    const native = s.seccomp_arch_native();
    for (const a of f.arches) {
      if (a >>> 0 === native) continue;
      rc = s.seccomp_arch_add(ctx, a >>> 0);
      // -EEXIST: already there; anything else means this libseccomp cannot do that arch.
      if (rc < 0 && rc !== -17) throw new SeccompError(`seccomp_arch_add ${a}`, rc);
    }
    const none = new Uint8Array(24);
    for (const r of f.rules) {
      const name = Buffer.from(r.syscall + "\0");
      const nr = s.seccomp_syscall_resolve_name(ptr(name));
      if (nr === -1) continue; // a syscall this libseccomp does not know: as runc, skip it
      const cmp = Buffer.alloc(24 * Math.max(1, r.args.length));
      r.args.forEach((a, i) => {
        cmp.writeUInt32LE(a.index, i * 24);
        cmp.writeUInt32LE(a.op, i * 24 + 4);
        cmp.writeBigUInt64LE(a.value, i * 24 + 8);
        cmp.writeBigUInt64LE(a.valueTwo, i * 24 + 16);
      });
      rc = s.seccomp_rule_add_array(ctx, r.action >>> 0, nr, r.args.length, ptr(r.args.length ? cmp : none));
      if (rc < 0) throw new SeccompError(`adding rule for ${r.syscall}`, rc);
    }
    use(s, ctx);
  } finally {
    s.seccomp_release(ctx);
  }
}
