import { Cron } from 'croner';
import { FaustgenError } from '../core/errors.js';

/**
 * Five-field crontab expressions (minute hour day-of-month month day-of-week, or a nickname such as
 * `@daily`) evaluated in an IANA time zone, so `0 3 * * *` in Europe/Paris fires at 03:00 Paris
 * time across DST changes. Parsing and next-time arithmetic are croner's (docs/adr/0006-cron-library.md): names
 * (`jan`, `mon`), ranges, lists, steps, `L` and `#`; when both day fields are restricted either may
 * match (Vixie cron, as Faust's croniter does).
 */
export interface CronSchedule {
  readonly expression: string;
  readonly timezone: string;
  /** The first firing time strictly after `after` (epoch ms). */
  next(after: number): number;
}

function invalid(message: string, setting: 'cron' | 'timezone', value: string): FaustgenError {
  return new FaustgenError('FG_SETTING_INVALID', message, { details: { setting, value } });
}

function checkTimeZone(expression: string, timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw invalid(`crontab "${expression}": unknown time zone "${timezone}"`, 'timezone', timezone);
  }
}

/** Why croner refused the expression, without its class prefix. */
function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^CronPattern:\s*/, '');
}

/** Parses and checks a crontab: invalid fields, unknown time zones and expressions that never fire throw FG_SETTING_INVALID. */
export function parseCron(expression: string, timezone = 'UTC'): CronSchedule {
  checkTimeZone(expression, timezone);
  let cron: Cron;
  try {
    cron = new Cron(expression.trim(), { timezone, mode: '5-part', domAndDow: false });
  } catch (error) {
    throw invalid(`crontab "${expression}" is invalid: ${reason(error)} (five fields: minute hour day-of-month month day-of-week)`, 'cron', expression);
  }
  // `0 0 30 2 *` (30 February) parses but never fires: refuse it now rather than at its first turn.
  if (cron.nextRun(new Date(0)) === null) throw invalid(`crontab "${expression}" never fires`, 'cron', expression);
  return {
    expression,
    timezone,
    next(after) {
      const next = cron.nextRun(new Date(after));
      if (next === null) throw invalid(`crontab "${expression}" never fires after ${new Date(after).toISOString()}`, 'cron', expression);
      return next.getTime();
    },
  };
}
