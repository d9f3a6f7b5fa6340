// `docker import -c` / commit `changes`: Dockerfile instructions applied to an image's
// config. Only the instructions Docker allows there are accepted.
import { invalidParameter } from "../errors.ts";
import { parseGoDuration } from "../time.ts";
import type { ContainerConfig } from "../api/types/index.ts";

const allowed = ["CMD", "ENTRYPOINT", "ENV", "EXPOSE", "HEALTHCHECK", "LABEL", "ONBUILD", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"];

/** JSON form (`["sh","-c"]`) or shell form (`echo hi` → `/bin/sh -c "echo hi"`). */
function commandForm(rest: string): string[] {
  const t = rest.trim();
  if (t.startsWith("[")) {
    try {
      const v = JSON.parse(t);
      if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v;
    } catch {}
  }
  return ["/bin/sh", "-c", t];
}

/** Splits `a=1 b="two words"` into pairs, honouring double and single quotes. */
function keyValues(rest: string, what: string): [string, string][] {
  const words: string[] = [];
  const re = /(?:[^\s"']+|"(?:[^"\\]|\\.)*"|'[^']*')+/g;
  for (const m of rest.matchAll(re)) words.push(m[0]);
  const unquote = (s: string) => s.replace(/"((?:[^"\\]|\\.)*)"|'([^']*)'/g, (_, d, q) => (d !== undefined ? d.replace(/\\(.)/g, "$1") : q));
  if (words.length && !words[0]!.includes("=")) {
    // Legacy form: `ENV key value with spaces`.
    const sp = rest.trim().search(/\s/);
    if (sp < 0) throw invalidParameter(`${what} requires at least one argument`);
    return [[rest.trim().slice(0, sp), rest.trim().slice(sp).trim()]];
  }
  return words.map((w) => {
    const eq = w.indexOf("=");
    if (eq <= 0) throw invalidParameter(`${what}: ${w} is not of the form key=value`);
    return [unquote(w.slice(0, eq)), unquote(w.slice(eq + 1))];
  });
}

/** HEALTHCHECK options and the Healthcheck fields they set. */
const healthOptions: Record<string, "Interval" | "Timeout" | "StartPeriod" | "StartInterval" | "Retries"> = {
  interval: "Interval", timeout: "Timeout", "start-period": "StartPeriod", "start-interval": "StartInterval", retries: "Retries",
};

export function applyChanges(config: ContainerConfig, changes: string[]): ContainerConfig {
  const c: ContainerConfig = { ...config };
  for (const line of changes) {
    const t = line.trim();
    if (!t) continue;
    const sp = t.search(/\s/);
    const instr = (sp < 0 ? t : t.slice(0, sp)).toUpperCase();
    const rest = sp < 0 ? "" : t.slice(sp + 1).trim();
    if (!allowed.includes(instr)) throw invalidParameter(`${instr.toLowerCase()} is not a valid change command`);
    if (!rest) throw invalidParameter(`${instr} requires at least one argument`);
    switch (instr) {
      case "CMD":
        c.Cmd = commandForm(rest);
        break;
      case "ENTRYPOINT":
        c.Entrypoint = commandForm(rest);
        break;
      case "ENV": {
        const env: string[] = [...(c.Env ?? [])];
        for (const [k, v] of keyValues(rest, "ENV")) {
          const i = env.findIndex((e) => e.split("=")[0] === k);
          if (i >= 0) env[i] = `${k}=${v}`;
          else env.push(`${k}=${v}`);
        }
        c.Env = env;
        break;
      }
      case "LABEL":
        c.Labels = { ...(c.Labels ?? {}), ...Object.fromEntries(keyValues(rest, "LABEL")) };
        break;
      case "EXPOSE": {
        const ports = { ...(c.ExposedPorts ?? {}) };
        for (const p of rest.split(/\s+/)) {
          if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/i.test(p)) throw invalidParameter(`invalid containerPort: ${p}`);
          ports[p.includes("/") ? p.toLowerCase() : `${p}/tcp`] = {};
        }
        c.ExposedPorts = ports;
        break;
      }
      case "VOLUME": {
        const vols = { ...(c.Volumes ?? {}) };
        const list = rest.startsWith("[") ? commandForm(rest) : rest.split(/\s+/);
        if (list[0] === "/bin/sh" && rest.startsWith("[")) throw invalidParameter(`VOLUME: invalid JSON array ${rest}`);
        for (const v of list) vols[v] = {};
        c.Volumes = vols;
        break;
      }
      case "WORKDIR":
        c.WorkingDir = rest.startsWith("/") ? rest : `${(c.WorkingDir || "/").replace(/\/$/, "")}/${rest}`;
        break;
      case "USER":
        c.User = rest;
        break;
      case "STOPSIGNAL":
        c.StopSignal = rest;
        break;
      case "ONBUILD":
        c.OnBuild = [...(c.OnBuild ?? []), rest];
        break;
      case "HEALTHCHECK":
        if (/^none$/i.test(rest)) c.Healthcheck = { Test: ["NONE"] };
        else {
          // Options first (--interval=5s …), as in a Dockerfile.
          const opts: Record<string, number> = {};
          let body = rest;
          for (let o = /^--([a-z-]+)=(\S+)\s+/i.exec(body); o; o = /^--([a-z-]+)=(\S+)\s+/i.exec(body)) {
            body = body.slice(o[0].length);
            const field = healthOptions[o[1]!.toLowerCase()];
            if (!field) throw invalidParameter(`HEALTHCHECK: unknown flag: --${o[1]}`);
            const v = field === "Retries" ? (/^\d+$/.test(o[2]!) ? Number(o[2]) : undefined) : parseGoDuration(o[2]!);
            if (v === undefined) throw invalidParameter(`HEALTHCHECK: invalid --${o[1]} value: ${o[2]}`);
            opts[field] = v;
          }
          const m = /^CMD\s+(.*)$/is.exec(body);
          if (!m) throw invalidParameter("HEALTHCHECK: only NONE or CMD … is supported in changes");
          const cmd = commandForm(m[1]!);
          c.Healthcheck = { Test: cmd[0] === "/bin/sh" && !m[1]!.trim().startsWith("[") ? ["CMD-SHELL", m[1]!.trim()] : ["CMD", ...cmd], ...opts };
        }
        break;
    }
  }
  return c;
}
