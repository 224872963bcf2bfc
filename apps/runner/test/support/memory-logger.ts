import { createLogger, type Logger } from "../../src/log/logger";

/** A logger that keeps its lines, for assertions and for printing when a test fails. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ level: "debug", write: (line) => lines.push(line) });
  return Object.assign(logger, { lines });
}
