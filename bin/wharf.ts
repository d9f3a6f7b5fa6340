// Entry point: the invocation name picks the role (dockerinit, or daemon/client).
import { invokedAs, lookup, register } from "../src/reexec.ts";

register("dockerinit", async (args) => (await import("../src/init/dockerinit.ts")).dockerinitMain(args));
register("wharf-monitor", async (args) => (await import("../src/runtime/monitor.ts")).monitorMain(args));
register("wharf", async (args) => {
  // Loaded here, not at the top: the in-container roles must not pay for the API server's
  // imports, and the client loads no daemon code unless -d could be meant.
  if (mayBeDaemon(args)) {
    const { daemonArgs } = await import("../src/daemon/config.ts");
    const d = daemonArgs(args);
    if (d) return (await import("../src/daemon/main.ts")).daemonMain(d);
  }
  return (await import("../src/cli/main.ts")).clientMain(args);
});

/** -d / --daemon / `daemon` among the leading global flags (daemonArgs decides exactly). */
function mayBeDaemon(args: string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-d" || a === "--daemon" || (a === "daemon" && i === 0)) return true;
    if (!a.startsWith("-")) return a === "daemon";
    if (["-H", "--host", "-l", "--log-level", "--config", "-c", "--context"].includes(a)) i++;
  }
  return false;
}

const role = lookup(invokedAs()) ?? lookup("wharf")!;
process.exit(await role(process.argv.slice(2)));
