// Plays a daemon that starts one container and then hangs around to be killed:
// argv[2] is JSON {opts, spec}; prints {"pid":N} once the container runs.
import { createRuntime } from "../../src/runtime/runtime.ts";

const { opts, spec } = JSON.parse(process.argv[2]!);
const rt = createRuntime(opts);
const started = await rt.start(spec);
process.stdout.write(JSON.stringify(started) + "\n");
setInterval(() => {}, 1 << 30);
