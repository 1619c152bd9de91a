/**
 * Avro timestamps (`timestamp-*`, `local-timestamp-*`) over the whole signed 64-bit range, in
 * milli-, micro- or nanoseconds, as RFC 3339 text. The arithmetic is exact (bigint, proleptic
 * Gregorian calendar, no JavaScript Date), so years beyond 0000-9999 are written in ISO 8601's
 * expanded form with a sign and at least six digits: `+294247-01-10T04:00:54.775807Z`.
 */

export type InstantDigits = 3 | 6 | 9;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const SECONDS_PER_DAY = 86_400n;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: bigint, month: bigint, day: bigint): bigint {
  const y = month <= 2n ? year - 1n : year;
  const era = floorDiv(y, 400n);
  const yoe = y - era * 400n;
  const mp = (month + 9n) % 12n;
  const doy = (153n * mp + 2n) / 5n + day - 1n;
  const doe = yoe * 365n + yoe / 4n - yoe / 100n + doy;
  return era * 146_097n + doe - 719_468n;
}

function civilFromDays(days: bigint): [bigint, bigint, bigint] {
  const z = days + 719_468n;
  const era = floorDiv(z, 146_097n);
  const doe = z - era * 146_097n;
  const yoe = (doe - doe / 1460n + doe / 36_524n - doe / 146_096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const day = doy - (153n * mp + 2n) / 5n + 1n;
  const month = mp < 10n ? mp + 3n : mp - 9n;
  return [yoe + era * 400n + (month <= 2n ? 1n : 0n), month, day];
}

function daysInMonth(year: bigint, month: bigint): bigint {
  if (month === 2n) return (year % 4n === 0n && year % 100n !== 0n) || year % 400n === 0n ? 29n : 28n;
  return month === 4n || month === 6n || month === 9n || month === 11n ? 30n : 31n;
}

const pad = (n: bigint, width: number): string => n.toString().padStart(width, '0');

function formatYear(year: bigint): string {
  if (year >= 0n && year <= 9999n) return pad(year, 4);
  return `${year < 0n ? '-' : '+'}${pad(year < 0n ? -year : year, 6)}`;
}

/** RFC 3339 text of `units` (10^-digits seconds) since the epoch; `local` omits the `Z`. */
export function formatInstant(units: bigint, digits: InstantDigits, local: boolean): string {
  if (units < INT64_MIN || units > INT64_MAX) throw new RangeError(`timestamp ${units} is outside the signed 64-bit range`);
  const perSecond = 10n ** BigInt(digits);
  const perDay = SECONDS_PER_DAY * perSecond;
  const days = floorDiv(units, perDay);
  const inDay = units - days * perDay;
  const seconds = inDay / perSecond;
  const fraction = inDay - seconds * perSecond;
  const [year, month, day] = civilFromDays(days);
  const time = `${pad(seconds / 3600n, 2)}:${pad((seconds / 60n) % 60n, 2)}:${pad(seconds % 60n, 2)}.${pad(fraction, digits)}`;
  return `${formatYear(year)}-${pad(month, 2)}-${pad(day, 2)}T${time}${local ? '' : 'Z'}`;
}

const instantRe = /^([+-]\d{6,}|\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})?$/;

/**
 * Units since the epoch of an RFC 3339 date-time (years beyond 0000-9999 in the expanded form), or
 * the reason it is not one: malformed, a field out of range, an offset where none belongs (local) or
 * none where one must be, a fraction finer than the unit (never silently truncated), or a value
 * outside the signed 64-bit range of the unit.
 */
export function parseInstant(text: string, digits: InstantDigits, local: boolean): bigint | string {
  const m = instantRe.exec(text);
  if (m === null) return `is not an RFC 3339 date-time YYYY-MM-DDTHH:MM:SS[.f]${local ? '' : 'Z'}`;
  const [, y = '', mo = '', d = '', h = '', mi = '', s = '', fraction = '', offset] = m;
  if (y === '-000000') return 'has year -000000, which ISO 8601 does not allow (write 0000)';
  if (local && offset !== undefined) return 'has an offset; a local timestamp has none';
  if (!local && offset === undefined) return 'has no offset (Z or ±HH:MM)';
  if (fraction.length > digits) return `has ${fraction.length} fraction digits; this type keeps ${digits}`;
  const year = BigInt(y);
  const month = BigInt(mo);
  const day = BigInt(d);
  if (month < 1n || month > 12n || day < 1n || day > daysInMonth(year, month)) return 'is not a calendar date';
  const [hours, minutes, secs] = [BigInt(h), BigInt(mi), BigInt(s)];
  if (hours > 23n || minutes > 59n || secs > 59n) return 'is not a time of day (leap seconds are not representable)';
  let total = ((daysFromCivil(year, month, day) * 24n + hours) * 60n + minutes) * 60n + secs;
  if (offset !== undefined && offset.length === 6) {
    const [oh, om] = [BigInt(offset.slice(1, 3)), BigInt(offset.slice(4, 6))];
    if (oh > 23n || om > 59n) return 'has an invalid offset';
    total -= (offset.startsWith('-') ? -1n : 1n) * (oh * 60n + om) * 60n;
  }
  const units = total * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0'));
  if (units < INT64_MIN || units > INT64_MAX) {
    return `is outside the range of a ${['milli', 'micro', 'nano'][digits / 3 - 1] ?? ''}second timestamp (${formatInstant(INT64_MIN, digits, local)} to ${formatInstant(INT64_MAX, digits, local)})`;
  }
  return units;
}
