// Every chunk of a blob, and of the tar a decompressor makes of it, is a fresh buffer
// that dies at once, but Bun frees their memory only in a full collection; without one
// now and then the daemon's RSS grows during a pull by tens of MB of dead chunks. A full
// collection of the daemon's small heap takes a few ms. Both streams count: once the
// downloads are in, the unpacks still make most of the garbage. Pull bench, peak RSS
// above idle of a fresh daemon's first pull (2 runs each): compressed bytes only, one
// per 16 MiB: 68 and 60 MiB; both streams, per 32 MiB: 55 and 56; per 24 MiB: 53 and 53
// at no gain in the later pulls and more collections.
const gcEvery = 32 << 20;
let sinceGc = 0;

/** Counts bytes of short-lived buffers; collects once enough have passed. */
export function noteChurn(n: number): void {
  sinceGc += n;
  if (sinceGc >= gcEvery) {
    sinceGc = 0;
    Bun.gc(true);
  }
}
