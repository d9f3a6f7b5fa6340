// Platforms as containerd's platforms package reads and matches them: `linux/arm64` is
// `linux/arm64/v8`, `arm` defaults to `v7`, and the host is the default.
import { invalidParameter } from "../errors.ts";
import { goArch } from "../sys/host.ts";

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const archAliases: Record<string, string> = { x86_64: "amd64", "x86-64": "amd64", aarch64: "arm64", armhf: "arm", armel: "arm" };

/** Fills in the variants Docker assumes, so that equal platforms compare equal. */
export function normalize(p: Platform): Platform {
  const os = p.os.toLowerCase();
  let architecture = p.architecture.toLowerCase();
  architecture = archAliases[architecture] ?? architecture;
  let variant = p.variant?.toLowerCase() || undefined;
  if (architecture === "arm64" && (variant === undefined || variant === "8" || variant === "v8")) variant = "v8";
  if (architecture === "arm" && variant === undefined) variant = "v7";
  if (architecture === "arm" && variant && /^\d$/.test(variant)) variant = `v${variant}`;
  if (architecture === "amd64" && variant === "v1") variant = undefined;
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function hostPlatform(): Platform {
  return normalize({ os: "linux", architecture: goArch() });
}

/** `linux`, `linux/arm64`, `linux/arm/v7`; empty means the host. */
export function parsePlatform(s: string | undefined): Platform {
  if (!s) return hostPlatform();
  const parts = s.split("/");
  if (parts.length > 3 || parts.some((p) => !p)) throw invalidParameter(`"${s}": unknown operating system or architecture: invalid argument`);
  if (parts.length === 1) return normalize({ os: parts[0]!, architecture: goArch() });
  return normalize({ os: parts[0]!, architecture: parts[1]!, variant: parts[2] });
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join("/");
}

export function matches(want: Platform, have: Platform): boolean {
  const a = normalize(want);
  const b = normalize(have);
  return a.os === b.os && a.architecture === b.architecture && (a.variant ?? "") === (b.variant ?? "");
}
