/**
 * Query parameters shared by the session and attempt lists: inclusive ISO 8601 date bounds and
 * the documented error answers of a list.
 */
import { ApiError } from "../http/errors.ts";

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Parses an inclusive date bound: a full ISO 8601 date-time with an offset, or a bare date
 * (`YYYY-MM-DD`, the whole UTC day: its start for `start`, its last millisecond for `end`).
 * Throws 400 `BAD_REQUEST` naming the field.
 */
export function parseDateBound(
  field: string,
  value: string | undefined,
  side: "start" | "end",
): Date | undefined {
  if (value === undefined || value === "") return undefined;
  const dateOnly = DATE_ONLY.test(value);
  const ms = !dateOnly && !DATE_TIME.test(value) || !onTheCalendar(value)
    ? NaN
    : Date.parse(dateOnly ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(ms)) {
    throw new ApiError(
      400,
      "BAD_REQUEST",
      `Invalid ${field}: use ISO 8601, e.g. 2026-06-01 or 2026-06-01T12:00:00Z.`,
    );
  }
  return new Date(dateOnly && side === "end" ? ms + 86_399_999 : ms);
}

/**
 * Whether the date (and the time, when there is one) of a value of the right shape exists: the
 * runtime's parser would read 30 February as 2 March, a different range than the one asked for.
 */
function onTheCalendar(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split("-").map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return false;
  if (value.length === 10) return true; // a bare date
  const [, hours, minutes, seconds = "0"] = value.match(/T(\d{2}):(\d{2})(?::(\d{2}))?/) ?? [];
  const [, offsetHours = "0", offsetMinutes = "0"] = value.match(/[+-](\d{2}):?(\d{2})$/) ?? [];
  return Number(hours) <= 23 && Number(minutes) <= 59 && Number(seconds) <= 59 &&
    Number(offsetHours) <= 23 && Number(offsetMinutes) <= 59;
}

/** Errors a list answers besides the generic ones. */
export const listQueryErrors = [
  {
    status: 400,
    code: "INVALID_REQUEST",
    when: "starting_after names no item of this list, or the dates are reversed",
  },
];
