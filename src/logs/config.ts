// Log driver configuration (HostConfig.LogConfig): which drivers wharf has, the options
// json-file takes, and their values checked with Docker's messages at create.
import { invalidParameter } from "../errors.ts";

const drivers = ["json-file", "none"];
const jsonFileOpts = ["max-file", "max-size", "compress", "labels", "labels-regex", "env", "env-regex", "tag"];

export interface JsonFileOptions {
  /** Bytes a log file may reach before it is rotated; undefined = unbounded. */
  maxSize?: number;
  /** Files kept, the current one included (Docker's default 1). */
  maxFile: number;
  /** Rotated files are gzipped (`<log>.1.gz` …). */
  compress: boolean;
}

/** go-units FromHumanSize: decimal multipliers (k = 1000), as the json-file driver parses max-size. */
export function fromHumanSize(s: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)i?b?\s*$/i.exec(s);
  if (!m) throw invalidParameter(`invalid size: '${s}'`);
  const mult = { "": 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 }[m[2]!.toLowerCase() as "" | "k"]!;
  return Math.floor(Number(m[1]) * mult);
}

export function jsonFileOptions(config: Record<string, string> | null | undefined): JsonFileOptions {
  const c = config ?? {};
  let maxSize: number | undefined;
  if (c["max-size"] !== undefined && c["max-size"] !== "" && c["max-size"] !== "-1") {
    maxSize = fromHumanSize(c["max-size"]);
    if (maxSize <= 0) throw invalidParameter("max-size must be a positive number");
  }
  let maxFile = 1;
  if (c["max-file"] !== undefined && c["max-file"] !== "") {
    if (!/^-?\d+$/.test(c["max-file"])) throw invalidParameter(`strconv.Atoi: parsing "${c["max-file"]}": invalid syntax`);
    maxFile = Number(c["max-file"]);
    if (maxFile < 1) throw invalidParameter("max-file cannot be less than 1");
  }
  let compress = false;
  if (c.compress !== undefined && c.compress !== "") {
    const v = c.compress;
    if (!["1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"].includes(v)) {
      throw invalidParameter(`strconv.ParseBool: parsing "${c.compress}": invalid syntax`);
    }
    compress = ["1", "t", "T", "TRUE", "true", "True"].includes(v);
    if (compress && (maxFile === 1 || maxSize === undefined)) {
      throw invalidParameter("compress cannot be true when max-file is less than 2 or max-size is not set");
    }
  }
  return { maxSize, maxFile, compress };
}

/** Throws Docker's error for an unknown driver or option, or a bad option value. */
export function validateLogConfig(lc: { Type?: string; Config?: Record<string, string> } | undefined): void {
  const type = lc?.Type || "json-file";
  if (!drivers.includes(type)) throw invalidParameter(`logger: no log driver named '${type}' is registered`);
  const opts = Object.keys(lc?.Config ?? {});
  if (type === "none") {
    if (opts.length) throw invalidParameter(`unknown log opt '${opts[0]}' for none log driver`);
    return;
  }
  for (const k of opts) if (!jsonFileOpts.includes(k)) throw invalidParameter(`unknown log opt '${k}' for json-file log driver`);
  jsonFileOptions(lc?.Config);
}
