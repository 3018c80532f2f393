import { pino, type DestinationStream, type Logger } from "pino";
import { sessionFingerprint } from "./session-fingerprint.js";

/**
 * The root JSON logger. The destination is a parameter so tests can capture and parse lines;
 * production writes to stdout. Credentials never reach it: the request logger's serializer, the
 * only one that sees headers, censors them, and an `mcp_session_id` field, wherever it is logged
 * or bound, is written as the session's fingerprint, never the id.
 */
export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: "resilient-mcp" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { mcp_session_id: sessionFingerprint },
    },
    options.destination ?? bufferedStdout(),
  );
}

/** How long a line may wait in the buffer when the server is quiet. */
const FLUSH_INTERVAL_MS = 200;

/**
 * Stdout written 4 KiB at a time, and at least every FLUSH_INTERVAL_MS, instead of one write per
 * line: a call logs two lines at info, and a write each cost about a tenth of a call's CPU. pino
 * writes what is left when the process exits (also on a crash); only SIGKILL can lose the last
 * 200 ms.
 */
function bufferedStdout(): DestinationStream {
  const stream = pino.destination({ sync: false, minLength: 4096 });
  const timer = setInterval(() => {
    try {
      stream.flush();
    } catch {
      // Destroyed at exit: nothing left to write.
      clearInterval(timer);
    }
  }, FLUSH_INTERVAL_MS);
  timer.unref();
  return stream;
}

/** pino's number for "warn". */
const WARN_LEVEL = 40;

/**
 * The logger the tool runner writes call lines with: the root logger, except that a LOG_LEVEL
 * above warn (error, fatal) is lowered to warn, so every failed call's line, reference id and all,
 * is still written. Only "silent" silences it. The lines keep their own level; successes (info)
 * stay hidden at those levels.
 */
export function failureLogger(logger: Logger): Logger {
  const level = logger.level;
  if (level === "silent" || logger.levelVal <= WARN_LEVEL) return logger;
  return logger.child({}, { level: "warn" });
}
