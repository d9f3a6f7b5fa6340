import { createConsola, type ConsolaInstance, LogLevels } from "consola";

const root = createConsola({ level: LogLevels.info, formatOptions: { date: true, colors: false } });

export function setLogLevel(level: string): void {
  const levels: Record<string, number> = {
    debug: LogLevels.debug,
    info: LogLevels.info,
    warn: LogLevels.warn,
    error: LogLevels.error,
    fatal: LogLevels.fatal,
  };
  const n = levels[level];
  if (n === undefined) throw new Error(`invalid log level: ${level} (debug, info, warn, error, fatal)`);
  root.level = n;
  // Tagged loggers copy the level when made (at module load), so update them too.
  for (const l of tagged) l.level = n;
}

const tagged: ConsolaInstance[] = [];

export function logger(area: string): ConsolaInstance {
  const l = root.withTag(area);
  tagged.push(l);
  return l;
}
