// HostConfig.SecurityOpt as dockerd reads it (daemon_unix.go parseSecurityOpt):
// key=value (key:value deprecated), the bare no-new-privileges / disable, and the
// keys it knows; anything else is refused with its message.
import { invalidParameter } from "../errors.ts";
import { parseProfile, ProfileError } from "../init/seccomp.ts";

export interface SecurityOptions {
  noNewPrivileges: boolean;
  /** A profile's JSON, "unconfined", or unset for Docker's default profile. */
  seccomp?: string;
}

const parseBool = (v: string): boolean | undefined =>
  ["1", "t", "T", "TRUE", "true", "True"].includes(v) ? true : ["0", "f", "F", "FALSE", "false", "False"].includes(v) ? false : undefined;

export function parseSecurityOpts(opts: readonly unknown[] | null | undefined): SecurityOptions {
  const out: SecurityOptions = { noNewPrivileges: false };
  for (const opt of opts ?? []) {
    if (typeof opt !== "string") throw invalidParameter(`invalid HostConfig.SecurityOpt: want a list of strings`);
    if (opt === "no-new-privileges") {
      out.noNewPrivileges = true;
      continue;
    }
    if (opt === "disable" || opt === "writable-cgroups") continue;
    const sep = opt.includes("=") ? "=" : opt.includes(":") ? ":" : "";
    if (!sep) throw invalidParameter(`invalid --security-opt 1: ${JSON.stringify(opt)}`);
    const i = opt.indexOf(sep);
    const k = opt.slice(0, i);
    const v = opt.slice(i + 1);
    switch (k) {
      case "label":
      case "apparmor":
        break;
      case "seccomp":
        if (v === "unconfined") out.seccomp = "unconfined";
        else if (v === "builtin" || v === "") out.seccomp = undefined;
        else {
          try {
            parseProfile(v);
          } catch (e) {
            if (e instanceof ProfileError) throw invalidParameter(e.message);
            throw e;
          }
          out.seccomp = v;
        }
        break;
      case "no-new-privileges":
      case "writable-cgroups": {
        const b = parseBool(v);
        if (b === undefined) throw invalidParameter(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
        if (k === "no-new-privileges") out.noNewPrivileges = b;
        break;
      }
      default:
        throw invalidParameter(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
    }
  }
  return out;
}
