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
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Returns null when `text` is a valid RFC 3339 date-time, else the reason it is not. */
export function checkDateTime(text: string, options: DateTimeCheckOptions = {}): string | null {
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
