/**
 * Every date and time the console shows, in one style: the operator's time zone and locale, the
 * month as a short word (no 12/7 against 7/12 doubt), the hours as two digits. The queue, the job
 * detail, the catalogue, the plans, the header's pills and the forms' "saved at" all read alike
 * (main/renderer-dates.test.ts keeps other date formatting out of renderer/).
 */

type When = string | number | Date;

const sameYear = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const otherYear = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const calendarDay = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });

/** "Dec 7, 02:43 PM": a date and time, without the year when it is this year's. */
export function formatWhen(at: When, now = new Date()): string {
  const date = new Date(at);
  return (date.getFullYear() === now.getFullYear() ? sameYear : otherYear).format(date);
}

/** "02:43:30 PM": a time of today (a check, a save, an estimate, an event in a day's list). */
export function formatTimeOfDay(at: When): string {
  return timeOfDay.format(new Date(at));
}

/** "Dec 7, 2026": a day, heading the events that happened on it. */
export function formatDay(at: When): string {
  return calendarDay.format(new Date(at));
}
