// Client side of an attached container: demultiplex its output to our stdout/stderr
// (raw when it has a TTY) and send our stdin, half-closing when stdin ends.
import type { RawConn } from "../client/hijack.ts";
import { Demuxer, STDERR } from "../streams/stdcopy.ts";

export interface PumpOptions {
  tty: boolean;
  stdin: boolean;
}

export function pump(conn: RawConn, opts: PumpOptions): Promise<void> {
  return new Promise((resolve) => {
    const demux = new Demuxer((stream, payload) => (stream === STDERR ? process.stderr : process.stdout).write(payload));
    conn.onData((chunk) => (opts.tty ? process.stdout.write(chunk) : demux.push(chunk)));
    const onInput = (c: Buffer) => conn.write(c);
    // End of our stdin closes the container's stdin (StdinOnce) but keeps reading its output.
    const onInputEnd = () => conn.end();
    conn.onEnd(() => {
      if (opts.stdin) {
        process.stdin.off("data", onInput);
        process.stdin.off("end", onInputEnd);
        process.stdin.pause();
      }
      resolve();
    });
    if (opts.stdin) {
      process.stdin.on("data", onInput);
      process.stdin.on("end", onInputEnd);
      process.stdin.resume();
    }
  });
}
