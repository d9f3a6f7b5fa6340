// A process out of file descriptors (EMFILE, or ENFILE for the whole host) fails every
// open, pipe, socket and spawn until some are closed again: a passing shortage, not a
// verdict. Work that must not be lost — recording a container's exit, tearing its
// network down — waits it out instead of giving up and leaving a wrong record or a leak.

/** Whether `err` (or what caused it) is a shortage of file descriptors. */
export function isFdShortage(err: unknown): boolean {
  let e: unknown = err;
  for (let i = 0; e && i < 5; i++) {
    const code = (e as { code?: unknown }).code;
    if (code === "EMFILE" || code === "ENFILE") return true;
    const message = e instanceof Error ? e.message : String(e);
    if (/\b(EMFILE|ENFILE)\b|too many open files/i.test(message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Runs `fn`, again and again while it fails for want of descriptors (backing off up to
 * a second between tries, for at most `maxMs`); any other failure is thrown at once.
 */
export async function retryWhileFdsShort<T>(fn: () => Promise<T> | T, maxMs = 30 * 60_000): Promise<T> {
  const end = Date.now() + maxMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 1000)) {
    try {
      return await fn();
    } catch (err) {
      if (!isFdShortage(err) || Date.now() > end) throw err;
      await Bun.sleep(delay);
    }
  }
}
