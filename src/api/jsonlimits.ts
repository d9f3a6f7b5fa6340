// Limits on JSON request bodies, checked before JSON.parse: a body nested thousands
// deep would cost seconds of CPU and then overflow the parser's stack (a 500), and one
// of hundreds of megabytes would sit in memory and then in the store.
import { invalidParameter } from "../errors.ts";

/** Bytes of a JSON body an endpoint reads whole. */
export const maxJsonBody = 32 * 1024 * 1024;
/** Nesting of objects and arrays; real configs stay under ten. */
export const maxJsonDepth = 512;

export const tooLarge = (what: string, size: number) => invalidParameter(`${what} is too large: ${size} bytes, at most ${maxJsonBody}`);

/** Throws a 400 naming the limit when `body` is over size or nests too deep (strings skipped). */
export function checkJsonLimits(body: Uint8Array, what: string): void {
  if (body.length > maxJsonBody) throw tooLarge(what, body.length);
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxJsonDepth) throw invalidParameter(`invalid JSON in ${what}: nested deeper than ${maxJsonDepth} levels`);
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}
