/**
 * Log fields that make an unexpected error diagnosable from the log alone, without personal
 * data: its class, its message scrubbed of anything that could carry personal data or secrets,
 * where it was thrown (the first stack frame inside the project, as `file:line`) and where it
 * started (the first frame of all, e.g. inside Deno's KV), plus the class of its cause.
 *
 * Scrubbing keeps ids (`vs_…`, `whd_…`: logs carry ids) and the words of the message; it
 * replaces e-mail addresses, MRZ-shaped runs, dates, digit runs of 5 or more, long opaque
 * tokens (keys, secrets, base64), URLs' query strings, and quoted text that is not a plain
 * identifier (a JSON parse error quotes its input). The result is at most 300 characters.
 */
import { ID_LENGTHS } from "./ids.ts";
import type { LogValue } from "./logger.ts";

const ROOT = new URL("../../", import.meta.url).href;
const MAX_MESSAGE = 300;

const ID = new RegExp(`^(?:${Object.keys(ID_LENGTHS).join("|")})_[a-z0-9]{20,64}$`);
const RULES: Array<[RegExp, string | ((match: string) => string)]> = [
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, "<email>"],
  [/https?:\/\/[^\s"'<>?#]+[?#][^\s"'<>]*/g, (url) => url.replace(/[?#].*$/, "?<query>")],
  [/[A-Z0-9<]*<<[A-Z0-9<]*/g, "<mrz>"],
  [/\b\d{4}-\d{2}-\d{2}(?:T[\d:.]+Z?)?\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b/g, "<date>"],
  // Opaque runs of 16+ characters (with a digit, a base64 sign or mixed case): keys, tokens,
  // secrets. Well-formed ids stay; plain words such as `webhook_deliveries_open` stay.
  [/[A-Za-z0-9_+/=-]{16,}/g, (run) => (ID.test(run) || !opaque(run) ? run : "<redacted>")],
  [/\d{5,}/g, "<digits>"],
  [/"[^"]*"|'[^']*'|`[^`]*`/g, (quoted) => {
    const inner = quoted.slice(1, -1);
    return /^[a-z_$][A-Za-z0-9_$.]{0,40}$/.test(inner) || inner === "" || inner.startsWith("<")
      ? quoted
      : `${quoted[0]}<redacted>${quoted[0]}`;
  }],
  [/[A-Z0-9<]{12,}/g, "<mrz>"],
];

function opaque(run: string): boolean {
  return /[0-9+/=]/.test(run) || (/[a-z]/.test(run) && /[A-Z]/.test(run));
}

/** The message with anything that could carry personal data or secrets replaced. */
export function scrubErrorMessage(message: string): string {
  let text = message.replace(/\s+/g, " ").trim();
  for (const [pattern, replacement] of RULES) {
    text = text.replace(pattern, replacement as string);
  }
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}

/** `file:line` of a stack frame, relative to the project when inside it. */
function frameLocation(line: string): { at: string; inProject: boolean } | null {
  const match = /\(?((?:file:\/\/|ext:|node:|https?:\/\/)[^()\s]+?):(\d+):\d+\)?\s*$/.exec(line);
  if (!match) return null;
  const [, file, lineNo] = match;
  const inProject = file.startsWith(ROOT) && !file.includes("/node_modules/");
  return { at: `${inProject ? file.slice(ROOT.length) : file}:${lineNo}`, inProject };
}

/** Where an error was thrown: the first project frame and the first frame of all. */
export function errorLocation(error: unknown): { at: string | null; origin: string | null } {
  const stack = error instanceof Error && typeof error.stack === "string" ? error.stack : "";
  let at: string | null = null;
  let origin: string | null = null;
  for (const line of stack.split("\n")) {
    if (!/^\s+at /.test(line)) continue;
    const frame = frameLocation(line);
    if (!frame) continue;
    origin ??= frame.at;
    if (frame.inProject) {
      at = frame.at;
      break;
    }
  }
  return { at, origin };
}

function className(error: unknown): string {
  if (error instanceof Error) return error.name || error.constructor?.name || "Error";
  return error === null ? "null" : typeof error;
}

/**
 * The log fields of an unexpected error: `error_class`, `error_message` (scrubbed),
 * `error_at` (first project frame), `error_origin` (first frame, when outside the project) and
 * `error_cause_class` when it has a cause.
 */
export function errorFields(error: unknown): Record<string, LogValue> {
  const { at, origin } = errorLocation(error);
  const message = error instanceof Error ? error.message : String(error);
  const fields: Record<string, LogValue> = {
    error_class: className(error),
    error_message: scrubErrorMessage(message),
    error_at: at,
  };
  if (origin && origin !== at) fields.error_origin = origin;
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause !== undefined) fields.error_cause_class = className(cause);
  return fields;
}
