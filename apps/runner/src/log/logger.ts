/**
 * Structured logs on stderr, one JSON object per line, like the API's (pino) so `distillery up`
 * prints one consistent stream. stdout stays free: the runner prints nothing else.
 */
import { describeError } from "@distillery/client";

export type LogLevel = "debug" | "info" | "warn" | "error" | "fatal";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  fatal(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (e.g. the job id). */
  child(fields: LogFields): Logger;
}

const rank: Record<LogLevel, number> = { debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

export interface LoggerOptions {
  level?: LogLevel;
  write?: (line: string) => void;
  base?: LogFields;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = rank[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const base = options.base ?? {};
  const emit = (level: LogLevel) => (message: string, fields: LogFields = {}) => {
    if (rank[level] < threshold) return;
    const record = { time: new Date().toISOString(), level, msg: message, ...base, ...serializable(fields) };
    write(`${JSON.stringify(record)}\n`);
  };
  return {
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
    fatal: emit("fatal"),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}

/** LOG_LEVEL as the API reads it; anything unknown means info. */
export function logLevelFrom(value: string | undefined): LogLevel {
  return value && value in rank ? (value as LogLevel) : "info";
}

/** Errors do not survive JSON.stringify (their fields are not enumerable): keep their message. */
function serializable(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) out[key] = value instanceof Error ? describeError(value) : value;
  return out;
}

