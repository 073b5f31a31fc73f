/**
 * RFC 3339 section 5.6 date-time, as profiled by RFC 3862 4.4 (CPIM DateTime) and
 * RFC 3863 4.1.7 (PIDF timestamp, which requires upper-case "T" and "Z").
 *
 *   date-time = full-date "T" full-time
 *   full-date = date-fullyear "-" date-month "-" date-mday
 *   full-time = partial-time time-offset
 *   partial-time = time-hour ":" time-minute ":" time-second [time-secfrac]
 *   time-offset = "Z" / time-numoffset ; time-numoffset = ("+" / "-") time-hour ":" time-minute
 */

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})([Tt])(\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

export interface DateTimeCheckOptions {
  /** RFC 3339 5.6 NOTE allows lower-case "t" and "z"; PIDF (RFC 3863 4.1.7) does not. */
  readonly upperCaseOnly?: boolean;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Two ASCII digits at `i` as a number, or -1. */
function two(text: string, i: number): number {
  const a = text.charCodeAt(i) - 0x30;
  const b = text.charCodeAt(i + 1) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * True exactly when `checkDateTime(text, options)` returns null, decided by one scan without
 * a regular expression, captures or number parsing (the common case: every DateTime of every
 * Message/CPIM and every PIDF timestamp). Same grammar (RFC 3339 5.6) and ranges (5.7).
 */
export function isDateTime(text: string, upperCaseOnly = false): boolean {
  const n = text.length;
  if (n < 20) return false;
  const y0 = two(text, 0);
  const y1 = two(text, 2);
  const month = two(text, 5);
  const day = two(text, 8);
  const hour = two(text, 11);
  const minute = two(text, 14);
  const second = two(text, 17);
  if (y0 < 0 || y1 < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return false;
  if (minute < 0 || minute > 59 || second < 0 || second > 60) return false;
  if (text.charCodeAt(4) !== 0x2d || text.charCodeAt(7) !== 0x2d) return false;
  if (text.charCodeAt(13) !== 0x3a || text.charCodeAt(16) !== 0x3a) return false;
  const t = text.charCodeAt(10);
  if (t !== 0x54 && (upperCaseOnly || t !== 0x74)) return false;
  if (day > daysInMonth(y0 * 100 + y1, month)) return false;
  let i = 19;
  if (text.charCodeAt(i) === 0x2e) {
    // time-secfrac = "." 1*DIGIT
    i++;
    const first = i;
    while (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
    if (i === first) return false;
  }
  const z = text.charCodeAt(i);
  if (z === 0x5a || (z === 0x7a && !upperCaseOnly)) return i + 1 === n;
  if (z !== 0x2b && z !== 0x2d) return false;
  if (i + 6 !== n || text.charCodeAt(i + 3) !== 0x3a) return false;
  const oh = two(text, i + 1);
  const om = two(text, i + 4);
  return oh >= 0 && oh <= 23 && om >= 0 && om <= 59;
}

/** Returns null when `text` is a valid RFC 3339 date-time, else the reason it is not. */
export function checkDateTime(text: string, options: DateTimeCheckOptions = {}): string | null {
  if (isDateTime(text, options.upperCaseOnly === true)) return null;
  const m = DATE_TIME.exec(text);
  if (!m) return `"${text}" is not an RFC 3339 date-time`;
  const [, y, mo, d, t, h, mi, s, , z, , oh, om] = m;
  if (options.upperCaseOnly && (t === 't' || z === 'z')) return `"${text}" uses a lower-case "t" or "z"`;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12) return `month ${mo} is out of range`;
  if (day < 1 || day > daysInMonth(year, month)) return `day ${d} does not exist in ${y}-${mo}`;
  if (Number(h) > 23) return `hour ${h} is out of range`;
  if (Number(mi) > 59) return `minute ${mi} is out of range`;
  // Second 60 is a leap second (RFC 3339 5.7); whether one occurred is not checked.
  if (Number(s) > 60) return `second ${s} is out of range`;
  if (oh !== undefined && (Number(oh) > 23 || Number(om) > 59)) return `offset ${oh}:${om} is out of range`;
  return null;
}

/** Formats `date` as an RFC 3339 date-time in UTC with upper-case "T" and "Z" and no fraction. */
export function formatDateTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
