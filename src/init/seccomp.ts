// Docker's seccomp profile format (moby's profiles/seccomp) turned into the rules this
// host's filter gets: the native architecture and its sub-architectures from archMap,
// then each rule whose arch, kernel and capability conditions hold for this process.
// Pure: libseccomp itself is behind sys/libseccomp.ts.
import { release } from "node:os";
import { capNames } from "./caps.ts";
import { scmpCompare, type Filter, type FilterRule } from "../sys/libseccomp.ts";
import defaultProfileJson from "./seccomp/default.json" with { type: "json" };

interface Conditions {
  arches?: string[] | null;
  caps?: string[] | null;
  minKernel?: string;
}

interface SyscallArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

interface SyscallRule {
  name?: string;
  names?: string[] | null;
  action: string;
  errnoRet?: number | null;
  args?: SyscallArg[] | null;
  comment?: string;
  includes?: Conditions | null;
  excludes?: Conditions | null;
}

export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number | null;
  architectures?: string[] | null;
  archMap?: { architecture: string; subArchitectures: string[] | null }[] | null;
  syscalls?: SyscallRule[] | null;
}

export const defaultProfile = defaultProfileJson as SeccompProfile;

const EPERM = 1;

// Audit arch tokens (AUDIT_ARCH_*) as libseccomp's SCMP_ARCH_* names them.
const archTokens: Record<string, number> = {
  SCMP_ARCH_X86: 0x40000003,
  SCMP_ARCH_X86_64: 0xc000003e,
  SCMP_ARCH_X32: 0x4000003e,
  SCMP_ARCH_ARM: 0x40000028,
  SCMP_ARCH_AARCH64: 0xc00000b7,
  SCMP_ARCH_MIPS: 0x00000008,
  SCMP_ARCH_MIPS64: 0x80000008,
  SCMP_ARCH_MIPS64N32: 0xa0000008,
  SCMP_ARCH_MIPSEL: 0x40000008,
  SCMP_ARCH_MIPSEL64: 0xc0000008,
  SCMP_ARCH_MIPSEL64N32: 0xe0000008,
  SCMP_ARCH_PPC: 0x00000014,
  SCMP_ARCH_PPC64: 0x80000015,
  SCMP_ARCH_PPC64LE: 0xc0000015,
  SCMP_ARCH_S390: 0x00000016,
  SCMP_ARCH_S390X: 0x80000016,
  SCMP_ARCH_RISCV64: 0xc00000f3,
};

/** This process's architecture in Go's names (the profile's "arches") and libseccomp's. */
function nativeArch(): { goArch: string; scmp: string } {
  return process.arch === "arm64" ? { goArch: "arm64", scmp: "SCMP_ARCH_AARCH64" } : { goArch: "amd64", scmp: "SCMP_ARCH_X86_64" };
}

export class ProfileError extends Error {}

function action(name: string, errnoRet: number | null | undefined): number {
  const ret = (errnoRet ?? EPERM) & 0xffff;
  switch (name) {
    case "SCMP_ACT_KILL":
    case "SCMP_ACT_KILL_THREAD":
      return 0;
    case "SCMP_ACT_KILL_PROCESS":
      return 0x80000000;
    case "SCMP_ACT_TRAP":
      return 0x00030000;
    case "SCMP_ACT_ERRNO":
      return 0x00050000 | ret;
    case "SCMP_ACT_TRACE":
      return 0x7ff00000 | ret;
    case "SCMP_ACT_LOG":
      return 0x7ffc0000;
    case "SCMP_ACT_ALLOW":
      return 0x7fff0000;
    default:
      throw new ProfileError(`unrecognized action: ${name}`);
  }
}

function kernelAtLeast(min: string, running = release()): boolean {
  const parse = (v: string) => (/^(\d+)\.(\d+)/.exec(v) ?? []).slice(1).map(Number);
  const [wantMaj = 0, wantMin = 0] = parse(min);
  const [maj = 0, minor = 0] = parse(running);
  return maj > wantMaj || (maj === wantMaj && minor >= wantMin);
}

/** Parses and checks a profile as Docker reads one (errors say what is wrong). */
export function parseProfile(text: string): SeccompProfile {
  let p: SeccompProfile;
  try {
    p = JSON.parse(text) as SeccompProfile;
  } catch (e) {
    throw new ProfileError(`Decoding seccomp profile failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof p !== "object" || p === null || Array.isArray(p)) throw new ProfileError("Decoding seccomp profile failed: not a JSON object");
  if (typeof p.defaultAction !== "string") throw new ProfileError("Decoding seccomp profile failed: defaultAction is required");
  action(p.defaultAction, p.defaultErrnoRet);
  for (const r of p.syscalls ?? []) {
    if (r.name && r.names?.length) throw new ProfileError("'name' and 'names' were specified in the seccomp profile, use 'names'");
    if (typeof r.action !== "string") throw new ProfileError("Decoding seccomp profile failed: each syscall rule needs an action");
    action(r.action, r.errnoRet);
    for (const a of r.args ?? []) {
      if (!(a.op in scmpCompare)) throw new ProfileError(`unrecognized operator: ${a.op}`);
      if (!Number.isInteger(a.index) || a.index < 0 || a.index > 5) throw new ProfileError(`invalid syscall argument index: ${a.index}`);
    }
  }
  for (const a of p.architectures ?? []) if (!(a in archTokens)) throw new ProfileError(`unrecognized architecture: ${a}`);
  return p;
}

/** The filter for a process holding capability mask `caps`, or null for a profile that allows everything. */
export function resolveProfile(p: SeccompProfile, caps: bigint, kernel = release()): Filter {
  const { goArch, scmp } = nativeArch();
  const held = new Set(capNames.filter((_, i) => caps & (1n << BigInt(i))).map((n) => `CAP_${n}`));
  let arches: string[] = [];
  if (p.archMap?.length) {
    for (const m of p.archMap) if (m.architecture === scmp) arches = [m.architecture, ...(m.subArchitectures ?? [])];
  } else arches = p.architectures ?? [];
  const defaultAction = action(p.defaultAction, p.defaultErrnoRet);
  const rules: FilterRule[] = [];
  for (const r of p.syscalls ?? []) {
    const inc = r.includes ?? {};
    const exc = r.excludes ?? {};
    if (inc.arches?.length && !inc.arches.includes(goArch)) continue;
    if (exc.arches?.length && exc.arches.includes(goArch)) continue;
    if (inc.caps?.length && !inc.caps.every((c) => held.has(c))) continue;
    if (exc.caps?.length && exc.caps.some((c) => held.has(c))) continue;
    if (inc.minKernel && !kernelAtLeast(inc.minKernel, kernel)) continue;
    if (exc.minKernel && kernelAtLeast(exc.minKernel, kernel)) continue;
    const act = action(r.action, r.errnoRet);
    if (act === defaultAction) continue; // libseccomp refuses a rule that repeats the default
    const args = (r.args ?? []).map((a) => ({
      index: a.index,
      op: scmpCompare[a.op as keyof typeof scmpCompare],
      value: BigInt(a.value),
      valueTwo: BigInt(a.valueTwo ?? 0),
    }));
    // Conditions on distinct arguments all must hold (one rule); several on the same
    // argument are alternatives, one rule each, as runc reads them.
    const distinct = new Set(args.map((a) => a.index)).size === args.length;
    for (const name of r.names?.length ? r.names : r.name ? [r.name] : []) {
      if (distinct) rules.push({ action: act, syscall: name, args });
      else for (const a of args) rules.push({ action: act, syscall: name, args: [a] });
    }
  }
  return { defaultAction, arches: arches.map((a) => archTokens[a]).filter((t): t is number => t !== undefined), rules };
}
