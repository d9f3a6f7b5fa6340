// The JSON lines of Docker's pull and push streams, and the text of their `progress`
// field exactly as dockerd renders it (pkg/jsonmessage at a width of 200 columns, go-units'
// HumanSize with four significant digits).

export interface ProgressDetail {
  current?: number;
  total?: number;
}

export interface ProgressMessage {
  status?: string;
  progressDetail?: ProgressDetail;
  progress?: string;
  id?: string;
  aux?: { Tag: string; Digest: string; Size: number };
  errorDetail?: { message: string };
  error?: string;
}

export type ProgressOut = (m: ProgressMessage) => void;

const units = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];

export function humanSize(n: number): string {
  let size = n;
  let i = 0;
  while (size >= 1000 && i < units.length - 1) {
    size /= 1000;
    i++;
  }
  return `${Number(size.toPrecision(4))}${units[i]}`;
}

/** jsonmessage.JSONProgress.String() for a writer `width` columns wide (the bar needs more than 110). */
export function progressText(current: number, total: number, width = 200): string {
  if (current <= 0 && total <= 0) return "";
  if (total <= 0) return humanSize(current).padStart(8);
  const pct = Math.min(50, Math.floor((Math.floor((current / total) * 100)) / 2));
  const bar = width > 110 ? `[${"=".repeat(pct)}>${" ".repeat(Math.max(0, 50 - pct))}] ` : "";
  const cur = humanSize(current);
  const numbers = current > total ? cur.padStart(8) : `${cur.padStart(8)}/${humanSize(total)}`;
  return bar + numbers;
}

export function status(status: string, id?: string): ProgressMessage {
  return id === undefined ? { status } : { status, progressDetail: {}, id };
}

export function bytes(status: string, id: string, current: number, total: number): ProgressMessage {
  return { status, progressDetail: { current, total }, progress: progressText(current, total), id };
}

export function errorMessageLine(message: string): ProgressMessage {
  return { errorDetail: { message }, error: message };
}

/** One line of the stream; `>` escaped as Go's encoder does. */
export function encodeMessage(m: ProgressMessage): string {
  return JSON.stringify(m).replaceAll(">", "\\u003e").replaceAll("<", "\\u003c").replaceAll("&", "\\u0026") + "\n";
}

/** The layer id Docker shows: the first 12 hex digits of its digest. */
export function shortId(digest: string): string {
  return digest.replace(/^sha256:/, "").slice(0, 12);
}

/** Calls `fn` at most every `ms` milliseconds, plus whenever `force` is set. */
export function throttle(ms: number): (force?: boolean) => boolean {
  let last = 0;
  return (force = false) => {
    const now = performance.now();
    if (!force && now - last < ms) return false;
    last = now;
    return true;
  };
}
