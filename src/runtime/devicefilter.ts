// Device access on cgroup v2: no devices.allow files there, the kernel asks a
// BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup instead. This builds that
// program from Docker's device rules (as runc's devicefilter does: first matching rule
// allows, anything else is refused) and attaches it.
import { closeSync, openSync } from "node:fs";
import { bpf, ptr } from "../sys/libc.ts";

// The rule type is the spec's (init/spec.ts), which carries --device-cgroup-rule.
export type { DeviceRule } from "../init/spec.ts";
import type { DeviceRule } from "../init/spec.ts";

/** Docker's default devices: mknod of any, and the usual character devices. */
export const defaultDeviceRules: DeviceRule[] = [
  { type: "c", major: -1, minor: -1, access: "m" },
  { type: "b", major: -1, minor: -1, access: "m" },
  ...[[1, 3], [1, 5], [1, 7], [1, 8], [1, 9], [5, 0], [5, 1], [5, 2], [136, -1], [10, 200]].map(([major, minor]) => ({ type: "c" as const, major: major!, minor: minor!, access: "rwm" })),
];

/** The v1 devices.allow form: `c 1:3 rwm`, `*` for any. */
export function deviceRuleText(r: DeviceRule): string {
  const n = (x: number) => (x < 0 ? "*" : String(x));
  return `${r.type} ${n(r.major)}:${n(r.minor)} ${r.access}`;
}

/** A `--device-cgroup-rule` (`c 1:3 rwm`, `b *:* m`, `a`); undefined when it is not one. */
export function parseDeviceRule(text: string): DeviceRule | undefined {
  const m = /^([abc])(?:\s+(\*|\d+):(\*|\d+)(?:\s+([rwm]{1,3}))?)?$/.exec(text.trim());
  if (!m) return undefined;
  const num = (s: string | undefined) => (s === undefined || s === "*" ? -1 : Number(s));
  const access = m[4] ?? "rwm";
  if (new Set(access).size !== access.length) return undefined;
  return { type: m[1] as DeviceRule["type"], major: num(m[2]), minor: num(m[3]), access };
}

// struct bpf_cgroup_dev_ctx { u32 access_type (access << 16 | type); u32 major; u32 minor; }
const DEV_BLOCK = 1, DEV_CHAR = 2, ACC_MKNOD = 1, ACC_READ = 2, ACC_WRITE = 4;

function insn(code: number, dst: number, src: number, off: number, imm: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt8(code, 0);
  b.writeUInt8((src << 4) | dst, 1);
  b.writeInt16LE(off, 2);
  b.writeInt32LE(imm, 4);
  return b;
}
const LDX_W = 0x61, AND_K = 0x57, RSH_K = 0x77, MOV_X = 0xbf, MOV_K = 0xb7, JNE_K = 0x55, JNE_X = 0x5d, EXIT = 0x95;

/** The program's instructions: r2 type, r3 access, r4 major, r5 minor, then one block per rule. */
export function deviceProgram(rules: DeviceRule[]): Buffer {
  const out: Buffer[] = [
    insn(LDX_W, 2, 1, 0, 0),
    insn(AND_K, 2, 0, 0, 0xffff),
    insn(LDX_W, 3, 1, 0, 0),
    insn(RSH_K, 3, 0, 0, 16),
    insn(LDX_W, 4, 1, 4, 0),
    insn(LDX_W, 5, 1, 8, 0),
  ];
  for (const r of rules) {
    const access = (r.access.includes("m") ? ACC_MKNOD : 0) | (r.access.includes("r") ? ACC_READ : 0) | (r.access.includes("w") ? ACC_WRITE : 0);
    // Each check jumps past the rest of this block (to the next rule) when it fails.
    const checks: ((skip: number) => Buffer[])[] = [];
    if (r.type !== "a") checks.push((skip) => [insn(JNE_K, 2, 0, skip, r.type === "b" ? DEV_BLOCK : DEV_CHAR)]);
    if (access !== 7) checks.push((skip) => [insn(MOV_X, 1, 3, 0, 0), insn(AND_K, 1, 0, 0, access), insn(JNE_X, 1, 3, skip, 0)]);
    if (r.major >= 0) checks.push((skip) => [insn(JNE_K, 4, 0, skip, r.major)]);
    if (r.minor >= 0) checks.push((skip) => [insn(JNE_K, 5, 0, skip, r.minor)]);
    const sizes = checks.map((c) => c(0).length);
    let remaining = sizes.reduce((a, b) => a + b, 0) + 2; // + the allow: mov r0 1, exit
    for (let i = 0; i < checks.length; i++) {
      remaining -= sizes[i]!;
      out.push(...checks[i]!(remaining));
    }
    out.push(insn(MOV_K, 0, 0, 0, 1), insn(EXIT, 0, 0, 0, 0));
  }
  out.push(insn(MOV_K, 0, 0, 0, 0), insn(EXIT, 0, 0, 0, 0));
  return Buffer.concat(out);
}

const BPF_PROG_LOAD = 5, BPF_PROG_ATTACH = 8, BPF_PROG_QUERY = 16;
const BPF_PROG_TYPE_CGROUP_DEVICE = 15, BPF_CGROUP_DEVICE = 6, BPF_F_ALLOW_MULTI = 2;

/** Loads the program for `rules` and attaches it to the cgroup2 directory `dir`. */
export function attachDeviceFilter(dir: string, rules: DeviceRule[]): void {
  const prog = deviceProgram(rules);
  const license = Buffer.from("Apache\0");
  const load = (log?: Buffer) => {
    const a = Buffer.alloc(128);
    a.writeUInt32LE(BPF_PROG_TYPE_CGROUP_DEVICE, 0);
    a.writeUInt32LE(prog.length / 8, 4);
    a.writeBigUInt64LE(BigInt(ptr(prog)), 8);
    a.writeBigUInt64LE(BigInt(ptr(license)), 16);
    if (log) {
      a.writeUInt32LE(1, 24);
      a.writeUInt32LE(log.length, 28);
      a.writeBigUInt64LE(BigInt(ptr(log)), 32);
    }
    a.write("wharf_devices", 48);
    return bpf(BPF_PROG_LOAD, a, "bpf BPF_PROG_LOAD (device filter)");
  };
  let progFd: number;
  try {
    progFd = load();
  } catch (err) {
    // Once more with the verifier's log, to say why.
    const log = Buffer.alloc(1 << 16);
    try {
      load(log);
    } catch {}
    const why = log.toString("utf8").replace(/\0.*$/s, "").trim().split("\n").slice(-3).join(" / ");
    throw new Error(`${(err as Error).message}${why ? `: ${why}` : ""}`);
  }
  const cg = openSync(dir, "r");
  try {
    const attach = Buffer.alloc(64);
    attach.writeUInt32LE(cg, 0);
    attach.writeUInt32LE(progFd, 4);
    attach.writeUInt32LE(BPF_CGROUP_DEVICE, 8);
    attach.writeUInt32LE(BPF_F_ALLOW_MULTI, 12);
    bpf(BPF_PROG_ATTACH, attach, `bpf BPF_PROG_ATTACH to ${dir}`);
  } finally {
    closeSync(cg);
    closeSync(progFd);
  }
}

/** How many device programs are attached to `dir` itself. */
export function attachedDeviceFilters(dir: string): number {
  const cg = openSync(dir, "r");
  try {
    const ids = new Uint32Array(16);
    const q = Buffer.alloc(64);
    q.writeUInt32LE(cg, 0);
    q.writeUInt32LE(BPF_CGROUP_DEVICE, 4);
    q.writeBigUInt64LE(BigInt(ptr(ids)), 16);
    q.writeUInt32LE(ids.length, 24);
    bpf(BPF_PROG_QUERY, q, `bpf BPF_PROG_QUERY on ${dir}`);
    return q.readUInt32LE(24);
  } finally {
    closeSync(cg);
  }
}
