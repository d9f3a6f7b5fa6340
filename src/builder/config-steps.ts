// The instructions that change only the image config: the new config and the history
// line Docker's classic builder writes for each (`/bin/sh -c #(nop)  ENV …`).
import type { Instruction } from "./dockerfile/instructions.ts";
import { processWord, processWords, type Env } from "./dockerfile/lex.ts";
import type { HealthConfig, RunConfig } from "./types.ts";
import { BuildError } from "./types.ts";

export const defaultShell = ["/bin/sh", "-c"];

/** Build args any Dockerfile may use without declaring them (in RUN's environment, never in history). */
export const predefinedArgs = new Set(["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"]);
export const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export function emptyConfig(): RunConfig {
  return {
    Hostname: "", Domainname: "", User: "", AttachStdin: false, AttachStdout: false, AttachStderr: false, Tty: false,
    OpenStdin: false, StdinOnce: false, Env: [], Cmd: null, Image: "", Volumes: null, WorkingDir: "", Entrypoint: null,
    OnBuild: null, Labels: null,
  };
}

/** Docker's field order, whatever order the base image had. */
export function normalizeConfig(c: Partial<RunConfig>): RunConfig {
  const e = emptyConfig();
  const out: RunConfig = {
    Hostname: c.Hostname ?? e.Hostname, Domainname: c.Domainname ?? "", User: c.User ?? "", AttachStdin: !!c.AttachStdin,
    AttachStdout: !!c.AttachStdout, AttachStderr: !!c.AttachStderr, ...(c.ExposedPorts ? { ExposedPorts: c.ExposedPorts } : {}),
    Tty: !!c.Tty, OpenStdin: !!c.OpenStdin, StdinOnce: !!c.StdinOnce, Env: c.Env ?? [], Cmd: c.Cmd ?? null,
    ...(c.Healthcheck ? { Healthcheck: c.Healthcheck } : {}), ...(c.ArgsEscaped ? { ArgsEscaped: true } : {}),
    Image: c.Image ?? "", Volumes: c.Volumes ?? null, WorkingDir: c.WorkingDir ?? "", Entrypoint: c.Entrypoint ?? null,
    OnBuild: c.OnBuild ?? null, Labels: c.Labels ?? null,
    ...(c.StopSignal ? { StopSignal: c.StopSignal } : {}), ...(c.Shell ? { Shell: c.Shell } : {}),
  };
  return out;
}

export function envMap(envList: string[], args: Map<string, string>): Map<string, string> {
  const m = new Map(args);
  for (const kv of envList) {
    const eq = kv.indexOf("=");
    m.set(eq < 0 ? kv : kv.slice(0, eq), eq < 0 ? "" : kv.slice(eq + 1));
  }
  return m;
}

/** Replaces the variable in place, or appends it, as Docker keeps Env ordered. */
export function setEnv(list: string[], key: string, value: string): string[] {
  const i = list.findIndex((kv) => kv.split("=")[0] === key);
  if (i < 0) return [...list, `${key}=${value}`];
  const copy = [...list];
  copy[i] = `${key}=${value}`;
  return copy;
}

const goQuote = (a: string[]) => `[${a.map((s) => JSON.stringify(s)).join(" ")}]`;

function expand(word: string, env: Env, escape: string, used: Set<string>): string {
  const r = processWord(word, env, escape);
  for (const u of r.used) used.add(u);
  return r.word;
}

export interface ConfigStep {
  config: RunConfig;
  /** The text after `#(nop) ` in the history. */
  comment: string;
  /** Docker puts most comments after `#(nop) ` as a separate Cmd word (hence two spaces). */
  separate: boolean;
}

/** Applies a config-only instruction; undefined for instructions that are not. */
export function applyConfigStep(ins: Instruction, cfg: RunConfig, env: Env, escape: string, used: Set<string>, cmdSet: boolean): ConfigStep | undefined {
  const c: RunConfig = { ...cfg };
  const x = (w: string) => expand(w, env, escape, used);
  switch (ins.kind) {
    case "ENV": {
      let comment = "ENV";
      // Every pair is expanded with the variables from before this ENV (Docker's rule).
      for (const [k0, v0] of ins.pairs) {
        const k = expand(k0, env, escape, used);
        const v = expand(v0, env, escape, used);
        c.Env = setEnv(c.Env, k, v);
        comment += ` ${k}=${v}`;
      }
      return { config: c, comment, separate: true };
    }
    case "LABEL": {
      let comment = "LABEL";
      c.Labels = { ...(c.Labels ?? {}) };
      for (const [k0, v0] of ins.pairs) {
        const k = x(k0);
        const v = x(v0);
        c.Labels[k] = v;
        comment += ` ${k}=${v}`;
      }
      return { config: c, comment, separate: true };
    }
    case "MAINTAINER":
      return { config: c, comment: `MAINTAINER ${ins.value}`, separate: true };
    case "EXPOSE": {
      c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
      const ports: string[] = [];
      for (const p0 of ins.ports) {
        for (const p of processWords(p0, env, escape).words) {
          for (const one of expandPortRange(p)) {
            c.ExposedPorts[one] = {};
            ports.push(one);
          }
        }
      }
      return { config: c, comment: `EXPOSE ${ports.join(" ")}`, separate: true };
    }
    case "VOLUME": {
      c.Volumes = { ...(c.Volumes ?? {}) };
      const paths: string[] = [];
      for (const p0 of ins.paths) {
        const p = x(p0).trim();
        if (!p) throw new BuildError("VOLUME specified can not be an empty string");
        c.Volumes[p] = {};
        paths.push(p);
      }
      return { config: c, comment: `VOLUME [${paths.join(" ")}]`, separate: true };
    }
    case "USER":
      c.User = x(ins.value);
      return { config: c, comment: `USER ${c.User}`, separate: true };
    case "STOPSIGNAL": {
      const s = x(ins.value);
      if (!/^(SIG)?[A-Z0-9+-]+$/i.test(s)) throw new BuildError(`Invalid signal: ${s}`);
      c.StopSignal = s;
      return { config: c, comment: `STOPSIGNAL ${s}`, separate: true };
    }
    case "CMD":
      c.Cmd = ins.shellForm ? [...(c.Shell ?? defaultShell), ...ins.cmd] : ins.cmd;
      if (ins.shellForm) c.ArgsEscaped = true;
      return { config: c, comment: `CMD ${goQuote(c.Cmd)}`, separate: true };
    case "ENTRYPOINT":
      c.Entrypoint = ins.shellForm ? (ins.cmd.length ? [...(c.Shell ?? defaultShell), ...ins.cmd] : null) : ins.cmd;
      // An ENTRYPOINT resets the CMD inherited from the base image unless this stage set one.
      if (!cmdSet) c.Cmd = null;
      return { config: c, comment: `ENTRYPOINT ${goQuote(c.Entrypoint ?? [])}`, separate: true };
    case "SHELL":
      c.Shell = ins.shell;
      return { config: c, comment: `SHELL [${ins.shell.join(" ")}]`, separate: true };
    case "HEALTHCHECK": {
      const h = ins.health;
      const hc: HealthConfig = { Test: h.test };
      if (h.intervalNs) hc.Interval = h.intervalNs;
      if (h.timeoutNs) hc.Timeout = h.timeoutNs;
      if (h.startPeriodNs) hc.StartPeriod = h.startPeriodNs;
      if (h.startIntervalNs) hc.StartInterval = h.startIntervalNs;
      if (h.retries) hc.Retries = h.retries;
      c.Healthcheck = hc;
      return { config: c, comment: `HEALTHCHECK &{${goQuote(h.test)} "${dur(hc.Interval)}" "${dur(hc.Timeout)}" "${dur(hc.StartPeriod)}" "${dur(hc.StartInterval)}" '\\x0${hc.Retries ?? 0}'}`, separate: true };
    }
    case "ONBUILD":
      c.OnBuild = [...(c.OnBuild ?? []), ins.expression];
      return { config: c, comment: `ONBUILD ${ins.expression}`, separate: true };
    default:
      return undefined;
  }
}

function dur(ns?: number): string {
  if (!ns) return "0s";
  return ns % 1e9 === 0 ? `${ns / 1e9}s` : `${ns / 1e6}ms`;
}

function expandPortRange(p: string): string[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/(\w+))?$/.exec(p);
  if (!m) throw new BuildError(`Invalid containerPort: ${p}`);
  const proto = (m[3] ?? "tcp").toLowerCase();
  const lo = Number(m[1]);
  const hi = m[2] ? Number(m[2]) : lo;
  const out: string[] = [];
  for (let n = lo; n <= hi; n++) out.push(`${n}/${proto}`);
  return out;
}
