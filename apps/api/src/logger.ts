import { pino } from "pino";

/** A structured log sink: one JSON object per call (`level` and `msg` read from the entry). */
export type Logger = (entry: Record<string, unknown>) => void;

/** The service's logger, which can be flushed before the process exits. */
export type FlushableLogger = Logger & { flush(): void };

const LEVELS = new Set(["trace", "debug", "info", "warn", "error", "fatal"]);

/**
 * The service's logger: pino (fast, maintained, one JSON object per line) writing to stdout, with
 * ISO times and level names.
 * @param destination - where lines go (default: stdout)
 */
export function createLogger(destination?: pino.DestinationStream): FlushableLogger {
  const log = pino(
    {
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    // Synchronous writes: no line is lost when the process exits right after logging it.
    destination ?? pino.destination({ fd: 1, sync: true }),
  );
  const write: Logger = (entry) => {
    const { level, msg, ts: _ts, ...rest } = entry;
    const name = typeof level === "string" && LEVELS.has(level) ? (level as pino.Level) : "info";
    log[name](rest, typeof msg === "string" ? msg : "");
  };
  return Object.assign(write, { flush: () => log.flush() });
}
