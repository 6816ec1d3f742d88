/**
 * Structured JSON logger. Logs carry ids and codes only: fields that could hold personal data
 * (names, dates of birth, MRZ, document bytes, portraits, selfies, face scores, keys, secrets,
 * emails) are refused — in strict mode (tests) by throwing, otherwise by replacing the value and
 * recording the refusal — and string values shaped like an MRZ line are refused anywhere.
 */
import type { LogLevel } from "./config.ts";

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Field names that must never reach a log line (compared case-insensitively, by substring). */
export const REFUSED_FIELD_PATTERNS: readonly string[] = [
  "name",
  "birth",
  "dob",
  "mrz",
  "document_number",
  "portrait",
  "selfie",
  "face",
  "score",
  "image",
  "sod",
  "dg",
  "password",
  "secret",
  "token",
  "private",
  "key_material",
  "email",
  "claims",
  "signature",
  "challenge",
];

// Ids and codes that contain a refused substring but are safe by construction.
const ALLOWED_FIELDS = new Set(["key_id", "api_key_id", "event_name", "failure_code", "org_slug"]);

const MRZ_LIKE = /[A-Z0-9<]{30,}/;

/** Raised in strict mode when a log call carries a refused field. */
export class PersonalDataInLogError extends Error {
  constructor(field: string) {
    super(`log field "${field}" may carry personal data and is refused`);
    this.name = "PersonalDataInLogError";
  }
}

/** Values allowed in a log line. */
export type LogValue = string | number | boolean | null | undefined;

/** A structured logger. */
export interface Logger {
  debug(event: string, fields?: Record<string, LogValue>): void;
  info(event: string, fields?: Record<string, LogValue>): void;
  warn(event: string, fields?: Record<string, LogValue>): void;
  error(event: string, fields?: Record<string, LogValue>): void;
}

/** Options of `createLogger`. */
export interface LoggerOptions {
  level?: LogLevel;
  /** Throw on refused fields instead of redacting (tests). */
  strict?: boolean;
  /** Where lines go; defaults to stdout/stderr. */
  sink?: (line: string, level: LogLevel) => void;
  /** Clock for timestamps. */
  now?: () => Date;
}

/** Creates a JSON-lines logger. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const min = LEVELS[options.level ?? "info"];
  const sink = options.sink ??
    ((line: string, level: LogLevel) =>
      level === "error" || level === "warn" ? console.error(line) : console.log(line));
  const now = options.now ?? (() => new Date());
  const write = (level: LogLevel, event: string, fields: Record<string, LogValue> = {}) => {
    if (LEVELS[level] < min) return;
    const clean: Record<string, LogValue> = {};
    const refused: string[] = [];
    for (const [field, value] of Object.entries(fields)) {
      if (isRefused(field, value)) {
        if (options.strict) throw new PersonalDataInLogError(field);
        refused.push(field);
        continue;
      }
      clean[field] = value;
    }
    if (refused.length) clean.refused_fields = refused.join(",");
    sink(JSON.stringify({ time: now().toISOString(), level, event, ...clean }), level);
  };
  return {
    debug: (e, f) => write("debug", e, f),
    info: (e, f) => write("info", e, f),
    warn: (e, f) => write("warn", e, f),
    error: (e, f) => write("error", e, f),
  };
}

/** True when a field must not be logged. */
export function isRefused(field: string, value: LogValue): boolean {
  const lower = field.toLowerCase();
  if (!ALLOWED_FIELDS.has(lower) && REFUSED_FIELD_PATTERNS.some((p) => lower.includes(p))) {
    return true;
  }
  return typeof value === "string" && MRZ_LIKE.test(value);
}

/** A logger that drops everything (quiet tests). */
export const silentLogger: Logger = createLogger({ level: "debug", strict: true, sink: () => {} });
