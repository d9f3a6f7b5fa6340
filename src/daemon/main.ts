// `wharf -d` / `wharf daemon`: parse flags, start, and turn signals into one shutdown.
import { parseDaemonArgs } from "./config.ts";
import { Daemon } from "./daemon.ts";
import { logger, setLogLevel } from "../log.ts";
import { errorMessage } from "../errors.ts";
import { gitCommit, wharfVersion } from "../version.ts";

const log = logger("daemon");

export async function daemonMain(argv: string[]): Promise<number> {
  let config;
  try {
    config = parseDaemonArgs(argv);
  } catch (err) {
    process.stderr.write(`wharf daemon: ${errorMessage(err)}\n`);
    return 125;
  }
  if (config === "version") {
    process.stdout.write(`wharf version ${wharfVersion}, build ${gitCommit}\n`);
    return 0;
  }
  setLogLevel(config.logLevel);
  const daemon = new Daemon(config);
  let stopping: Promise<void> | undefined;
  const stop = (sig: string) => {
    if (stopping) return;
    log.info(`received ${sig}`);
    stopping = daemon.shutdown().then(
      () => process.exit(0),
      (err) => {
        log.error("shutdown failed:", err);
        process.exit(1);
      },
    );
  };
  for (const sig of ["SIGINT", "SIGTERM", "SIGQUIT"] as const) process.on(sig, () => stop(sig));
  try {
    await daemon.start();
  } catch (err) {
    process.stderr.write(`wharf daemon: failed to start: ${errorMessage(err)}\n`);
    await daemon.shutdown().catch(() => {});
    return 1;
  }
  // Keep running until a signal ends the process.
  return await new Promise<number>(() => {});
}
