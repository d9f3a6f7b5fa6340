// `wharf -d` / `wharf daemon`: parse flags, start, and turn signals into one shutdown.
// A signal during start lets the step in progress finish, then undoes the start the way
// a failed start is undone; three interrupts force an exit without cleanup, as dockerd's.
import { loadConfig, type DaemonConfig } from "./config.ts";
import { daemonUsage, parseFlags, type ParsedFlags } from "./flags.ts";
import { missingPrereqs } from "./prereqs.ts";
import { Daemon, StartInterrupted } from "./daemon.ts";
import { logger, setLogLevel } from "../log.ts";
import { errorMessage } from "../errors.ts";
import { gitCommit, wharfVersion } from "../version.ts";

const log = logger("daemon");

const signalNumbers = { SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 } as const;
type StopSignal = keyof typeof signalNumbers;

export async function daemonMain(argv: string[]): Promise<number> {
  let phase: "starting" | "running" | "stopping" = "starting";
  let interruptedBy: StopSignal | undefined;
  let interrupts = 0;
  let daemon: Daemon | undefined;
  const stopRunning = (d: Daemon) =>
    d.shutdown().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`wharf daemon: shutdown failed: ${errorMessage(err)}\n`);
        process.exit(1);
      },
    );
  // Installed before anything is made, so no signal can end the process between two
  // steps of start with their effects left behind.
  const onSignal = (sig: StopSignal) => {
    if (++interrupts >= 3 && sig !== "SIGQUIT") {
      process.stderr.write("wharf daemon: forcing shutdown without cleanup; 3 interrupts received\n");
      process.exit(128 + signalNumbers[sig]);
    }
    log.info(`received ${sig}`);
    if (phase === "starting") {
      interruptedBy ??= sig;
      daemon?.interrupt(sig);
    } else if (phase === "running" && daemon) {
      phase = "stopping";
      void stopRunning(daemon);
    }
  };
  for (const sig of Object.keys(signalNumbers) as StopSignal[]) process.on(sig, () => onSignal(sig));
  // SIGHUP: the file is read again with the same flags; a bad file leaves all as it was.
  process.on("SIGHUP", () => {
    if (phase !== "running" || !daemon) return;
    try {
      daemon.reload(loadConfig(flags));
    } catch (err) {
      log.error(`not reloading the configuration: ${errorMessage(err)}`);
    }
  });

  let flags: ParsedFlags;
  try {
    flags = parseFlags(argv);
  } catch (err) {
    process.stderr.write(`wharf daemon: ${errorMessage(err)}\nSee 'wharf -d --help'.\n`);
    return 125;
  }
  if (flags.get("help")) {
    process.stdout.write(daemonUsage());
    return 0;
  }
  if (flags.get("version")) {
    process.stdout.write(`wharf version ${wharfVersion}, build ${gitCommit}\n`);
    return 0;
  }
  let config: DaemonConfig;
  try {
    config = loadConfig(flags);
  } catch (err) {
    process.stderr.write(`wharf daemon: ${errorMessage(err)}\n`);
    return 1;
  }
  if (flags.get("validate")) {
    process.stdout.write("configuration OK\n");
    return 0;
  }
  if (interruptedBy) return 128 + signalNumbers[interruptedBy];
  const missing = missingPrereqs({ storageDriver: config.storageDriver, iptables: config.iptables });
  if (missing.length) {
    process.stderr.write(`wharf daemon: failed to start: missing prerequisites: ${missing.join("; ")}\n`);
    return 1;
  }
  setLogLevel(config.logLevel);
  daemon = new Daemon(config);
  try {
    await daemon.start();
  } catch (err) {
    phase = "stopping";
    await daemon.shutdown().catch((e) => log.warn("undoing the start:", e));
    if (err instanceof StartInterrupted) {
      process.stderr.write(`wharf daemon: start interrupted by ${err.reason}; what it had set up is undone\n`);
      return 128 + signalNumbers[err.reason as StopSignal];
    }
    process.stderr.write(`wharf daemon: failed to start: ${errorMessage(err)}\n`);
    return 1;
  }
  phase = "running";
  if (interruptedBy) void stopRunning(daemon);
  // Keep running until a signal ends the process.
  return await new Promise<number>(() => {});
}
