// Client side of an attached container: demultiplex its output to our stdout/stderr
// (raw when it has a TTY) and send our stdin, half-closing when stdin ends.
import type { Duplex } from "node:stream";
import { Demuxer, STDERR } from "../streams/stdcopy.ts";

export interface PumpOptions {
  tty: boolean;
  stdin: boolean;
}

export function pump(socket: Duplex, opts: PumpOptions): Promise<void> {
  return new Promise((resolve) => {
    const demux = new Demuxer((stream, payload) => (stream === STDERR ? process.stderr : process.stdout).write(payload));
    socket.on("data", (chunk: Buffer) => (opts.tty ? process.stdout.write(chunk) : demux.push(chunk)));
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      if (opts.stdin) {
        process.stdin.unpipe(socket as any);
        process.stdin.pause();
      }
      resolve();
    };
    socket.on("end", finish);
    socket.on("close", finish);
    socket.on("error", finish);
    if (opts.stdin) {
      process.stdin.on("data", (c) => socket.write(c));
      // End of our stdin closes the container's stdin (StdinOnce) but keeps reading its output.
      process.stdin.on("end", () => (socket as any).end?.());
      process.stdin.resume();
    }
  });
}
