import { FaustgenError } from '../core/errors.js';

/**
 * Five-field crontab expressions (minute hour day-of-month month day-of-week) evaluated in an IANA
 * time zone, so `0 3 * * *` in Europe/Paris fires at 03:00 Paris time across DST changes.
 */
export interface CronSchedule {
  readonly expression: string;
  readonly timezone: string;
  /** The first firing time strictly after `after` (epoch ms). */
  next(after: number): number;
}

const ranges: readonly [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];
const monthNames = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const dayNames = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function parseField(text: string, index: number, expression: string): Set<number> {
  const [min, max] = ranges[index] as [number, number];
  const names = index === 3 ? monthNames : index === 4 ? dayNames : [];
  const out = new Set<number>();
  const bad = (why: string): FaustgenError =>
    new FaustgenError('FG_SETTING_INVALID', `crontab "${expression}": field ${index + 1} ("${text}") ${why}`, { details: { setting: 'cron', value: expression } });
  const value = (token: string): number => {
    const named = names.indexOf(token.toLowerCase());
    const base = index === 3 ? 1 : 0;
    const n = named >= 0 ? named + base : Number(token);
    if (!Number.isInteger(n) || n < min || n > max) throw bad(`has ${token}, outside ${min}-${max}`);
    return n;
  };
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw bad(`has an invalid step "${stepText ?? ''}"`);
    let lo = min;
    let hi = max;
    if (range !== '*' && range !== undefined) {
      const [a, b] = range.split('-');
      if (a === undefined || a === '') throw bad('is empty');
      lo = value(a);
      hi = b === undefined ? (stepText === undefined ? lo : max) : value(b);
      if (hi < lo) throw bad(`has a descending range ${range}`);
    }
    for (let v = lo; v <= hi; v += step) out.add(index === 4 && v === 7 ? 0 : v);
  }
  return out;
}

interface WallClock {
  minute: number;
  hour: number;
  day: number;
  month: number;
  weekday: number;
}

function wallClock(formatter: Intl.DateTimeFormat, at: number): WallClock {
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(at)) parts[part.type] = part.value;
  return {
    minute: Number(parts['minute']),
    hour: Number(parts['hour']) % 24,
    day: Number(parts['day']),
    month: Number(parts['month']),
    weekday: dayNames.indexOf((parts['weekday'] ?? '').toLowerCase().slice(0, 3)),
  };
}

export function parseCron(expression: string, timezone = 'UTC'): CronSchedule {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new FaustgenError('FG_SETTING_INVALID', `crontab "${expression}" must have 5 fields (minute hour day month weekday), it has ${fields.length}`, { details: { setting: 'cron', value: expression } });
  }
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hour12: false, minute: 'numeric', hour: 'numeric', day: 'numeric', month: 'numeric', weekday: 'short' });
  } catch {
    throw new FaustgenError('FG_SETTING_INVALID', `crontab "${expression}": unknown time zone "${timezone}"`, { details: { setting: 'timezone', value: timezone } });
  }
  const [minutes, hours, days, months, weekdays] = fields.map((f, i) => parseField(f, i, expression)) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  const dayRestricted = fields[2] !== '*';
  const weekdayRestricted = fields[4] !== '*';
  return {
    expression,
    timezone,
    next(after) {
      // Minute by minute is simple and fast enough: at most a year of minutes, rarely more than a day.
      let t = Math.floor(after / 60_000) * 60_000 + 60_000;
      for (let i = 0; i < 60 * 24 * 366 + 1; i++, t += 60_000) {
        const w = wallClock(formatter, t);
        if (!minutes.has(w.minute) || !hours.has(w.hour) || !months.has(w.month)) continue;
        const dayOk = days.has(w.day);
        const weekdayOk = weekdays.has(w.weekday);
        // Vixie cron: when both day fields are restricted, either may match.
        const matches = dayRestricted && weekdayRestricted ? dayOk || weekdayOk : dayOk && weekdayOk;
        if (matches) return t;
      }
      throw new FaustgenError('FG_SETTING_INVALID', `crontab "${expression}" never fires`, { details: { setting: 'cron', value: expression } });
    },
  };
}
