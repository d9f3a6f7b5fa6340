// The Duplex a hijack route gets when the request did not ask to upgrade: writes become
// the (chunked) 200 body and call back once the socket took them; reads are the request
// body. Closing the connection destroys it, which is how a route learns the client left.
import { Duplex } from "node:stream";
import type { BodyWriter, Exchange } from "./connection.ts";

export function responseDuplex(ex: Exchange, out: BodyWriter): Duplex {
  let pumping = false;
  let wake: (() => void) | undefined;
  const pump = async () => {
    try {
      for await (const c of ex.bodyStream()) {
        if (!d.push(c)) await new Promise<void>((r) => (wake = r));
      }
    } catch {
      // The client went away mid-body: the close below ends the Duplex.
    }
    d.push(null);
  };
  const d = new Duplex({
    read() {
      if (wake) {
        const w = wake;
        wake = undefined;
        w();
      } else if (!pumping) {
        pumping = true;
        void pump();
      }
    },
    write(chunk: Buffer, _enc, cb) {
      out.write(chunk, () => cb());
    },
    final(cb) {
      cb();
    },
  });
  ex.onClose(() => d.destroy());
  return d;
}
