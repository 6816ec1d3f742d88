/**
 * MRZ dates are `YYMMDD`; the century is not written. These helpers decide it relative to an
 * injected verification time (UTC), so results never depend on the machine clock.
 */

/** A calendar date without time or zone. */
export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/** How far ahead of the verification time an expiry date may lie before it is read as 19xx. */
export const EXPIRY_WINDOW_YEARS = 50;

/** Parses `YYMMDD` into two-digit year, month and day; null when not six digits of a real date. */
export function parseYymmdd(text: string): { yy: number; month: number; day: number } | null {
  if (!/^[0-9]{6}$/.test(text)) return null;
  const yy = Number(text.slice(0, 2));
  const month = Number(text.slice(2, 4));
  const day = Number(text.slice(4, 6));
  if (month < 1 || month > 12 || day < 1) return null;
  // 29 February is only valid in leap years, which depends on the century chosen later;
  // accept it here and let isRealDate decide once the year is known.
  if (day > daysInMonth(2000, month)) return null;
  return { yy, month, day };
}

/** Number of days of `month` in `year` (proleptic Gregorian). */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** True when the date exists in the calendar. */
export function isRealDate(date: CalendarDate): boolean {
  return date.month >= 1 && date.month <= 12 && date.day >= 1 &&
    date.day <= daysInMonth(date.year, date.month);
}

/** Orders two calendar dates: negative, zero or positive like a comparator. */
export function compareDates(a: CalendarDate, b: CalendarDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** The UTC calendar date of an instant. */
export function utcDateOf(at: Date): CalendarDate {
  return { year: at.getUTCFullYear(), month: at.getUTCMonth() + 1, day: at.getUTCDate() };
}

/** `YYYY-MM-DD` of a calendar date. */
export function formatIsoDate(date: CalendarDate): string {
  const pad = (value: number, width: number) => String(value).padStart(width, "0");
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

/**
 * Date of birth: the latest century that does not put the birth after the verification date
 * (a person cannot be born in the future). Null when the date does not exist (e.g. 29 Feb of a
 * non-leap year).
 */
export function inferBirthDate(yymmdd: string, at: Date): CalendarDate | null {
  const parsed = parseYymmdd(yymmdd);
  if (!parsed) return null;
  const today = utcDateOf(at);
  const century = Math.floor(today.year / 100) * 100;
  let date = { year: century + parsed.yy, month: parsed.month, day: parsed.day };
  if (compareDates(date, today) > 0) date = { ...date, year: date.year - 100 };
  return isRealDate(date) ? date : null;
}

/**
 * Expiry date: normally in the current century, but a date more than
 * {@link EXPIRY_WINDOW_YEARS} years after the verification date is read as the previous
 * century (e.g. `950712` checked in 2026 is 1995, an expired document, not 2095).
 */
export function inferExpiryDate(yymmdd: string, at: Date): CalendarDate | null {
  const parsed = parseYymmdd(yymmdd);
  if (!parsed) return null;
  const today = utcDateOf(at);
  const century = Math.floor(today.year / 100) * 100;
  let year = century + parsed.yy;
  if (year > today.year + EXPIRY_WINDOW_YEARS) year -= 100;
  else if (year <= today.year - EXPIRY_WINDOW_YEARS) year += 100;
  const date = { year, month: parsed.month, day: parsed.day };
  return isRealDate(date) ? date : null;
}
