/**
 * Number-only fast paths for the commonest logical values (millisecond timestamps in years
 * 0000-9999, decimals of up to 15 digits). Each returns undefined where it does not apply, and the
 * caller then takes the exact bigint path in logical.ts / instants.ts; where both apply they agree
 * (test/unit/runtime/codegen-fast-paths.test.ts compares them).
 */

const MIN_MS = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const MAX_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
const MS_PER_DAY = 86_400_000;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (days_from_civil, in float-safe integers). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/**
 * Epoch milliseconds of `YYYY-MM-DDTHH:MM:SS[.fff]Z` (`local`: without the `Z`), or undefined for
 * any other text (offsets, expanded years, invalid dates: the exact parser decides those).
 */
export function parseMillisFast(text: string, local: boolean): number | undefined {
  // Read by character codes: one timestamp per record on every encode, and a RegExp match with eight groups costs more than the rest.
  const n = text.length;
  const t = text.charCodeAt(10);
  if (n < 19 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || (t !== 84 && t !== 116) || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hours = digitsAt(text, 11, 2);
  const minutes = digitsAt(text, 14, 2);
  const seconds = digitsAt(text, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hours < 0 || hours > 23 || minutes < 0 || minutes > 59 || seconds < 0 || seconds > 59) return undefined;
  let i = 19;
  let fraction = 0;
  if (text.charCodeAt(i) === 46) {
    // One to three digits, scaled to milliseconds (".5" is 500).
    let scale = 100;
    for (i++; i < n && scale >= 1; i++, scale /= 10) {
      const d = text.charCodeAt(i) - 48;
      if (!(d >= 0 && d <= 9)) break;
      fraction += d * scale;
    }
    if (i === 20) return undefined;
  }
  const zone = text.charCodeAt(i);
  const zoned = zone === 90 || zone === 122;
  if (zoned === local || i + (zoned ? 1 : 0) !== n) return undefined;
  return daysFromCivil(year, month, day) * MS_PER_DAY + ((hours * 60 + minutes) * 60 + seconds) * 1000 + fraction;
}

/** The value of `count` ASCII digits at `start`, or -1 when any of them is not a digit. */
export function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const c = text.charCodeAt(i) - 48;
    if (!(c >= 0 && c <= 9)) return -1;
    value = value * 10 + c;
  }
  return value;
}

const char = String.fromCharCode;
/** The character code of digit `d`. */
const D = 48;

/**
 * `YYYY-MM-DDTHH:MM:SS.fffZ` (`local`: without the `Z`) of epoch milliseconds within years 0000-9999.
 * Made by one String.fromCharCode call: a flat string at once, where concatenating the parts
 * made a rope of seven pieces (and cost twice as much).
 */
export function formatMillisFast(ms: number, local: boolean): string | undefined {
  if (!(ms >= MIN_MS && ms <= MAX_MS) || !Number.isInteger(ms)) return undefined;
  const days = Math.floor(ms / MS_PER_DAY);
  // Below a day everything fits int32: `| 0` keeps the arithmetic on integers (a double `%` is a call).
  const inDay = (ms - days * MS_PER_DAY) | 0;
  const secondsOfDay = (inDay / 1000) | 0;
  const millis = inDay - secondsOfDay * 1000;
  const minutesOfDay = (secondsOfDay / 60) | 0;
  const seconds = secondsOfDay - minutesOfDay * 60;
  const hours = (minutesOfDay / 60) | 0;
  const minutes = minutesOfDay - hours * 60;
  // civil_from_days; z is negative only in January and February of year 0000, so only the era needs a floor.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = (z - era * 146_097) | 0;
  const yoe = ((doe - ((doe / 1460) | 0) + ((doe / 36_524) | 0) - ((doe / 146_096) | 0)) / 365) | 0;
  const doy = doe - (365 * yoe + ((yoe / 4) | 0) - ((yoe / 100) | 0));
  const mp = ((5 * doy + 2) / 153) | 0;
  const day = doy - (((153 * mp + 2) / 5) | 0) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const y1 = (year / 100) | 0;
  const y2 = year - y1 * 100;
  const ms0 = (millis / 100) | 0;
  const ms1 = millis - ms0 * 100;
  // prettier-ignore
  const text = char(
    D + ((y1 / 10) | 0), D + (y1 % 10), D + ((y2 / 10) | 0), D + (y2 % 10), 45,
    D + ((month / 10) | 0), D + (month % 10), 45, D + ((day / 10) | 0), D + (day % 10), 84,
    D + ((hours / 10) | 0), D + (hours % 10), 58, D + ((minutes / 10) | 0), D + (minutes % 10), 58,
    D + ((seconds / 10) | 0), D + (seconds % 10), 46, D + ms0, D + ((ms1 / 10) | 0), D + (ms1 % 10), 90,
  );
  return local ? text.slice(0, 23) : text;
}

/** Unscaled values of up to 15 digits are exact doubles. */
const FAST_DIGITS = 15;
const POWERS_OF_TEN = Array.from({ length: FAST_DIGITS + 1 }, (_, i) => 10 ** i);

/**
 * The unscaled value of a plain-notation decimal (`-?digits[.digits]`) of at most 15 digits that
 * fits precision and scale, else undefined. Read by hand: a regular expression costs more than
 * the rest of the encode of such a field.
 */
export function parseDecimalFast(text: string, precision: number, scale: number): number | undefined {
  const length = text.length;
  let i = text.charCodeAt(0) === 45 ? 1 : 0;
  const negative = i === 1;
  let unscaled = 0;
  let digits = 0;
  let c = 0;
  for (; i < length; i++) {
    c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    unscaled = unscaled * 10 + (c - 48);
    digits++;
  }
  if (digits === 0) return undefined;
  let fraction = 0;
  if (i < length) {
    if (c !== 46) return undefined;
    for (i++; i < length; i++) {
      c = text.charCodeAt(i);
      if (c < 48 || c > 57) return undefined;
      unscaled = unscaled * 10 + (c - 48);
      fraction++;
    }
    if (fraction === 0) return undefined;
  }
  if (fraction > scale || digits + scale > FAST_DIGITS) return undefined;
  for (let k = fraction; k < scale; k++) unscaled *= 10;
  // Precision counts the unscaled value's digits (0 has one).
  if (precision < FAST_DIGITS && unscaled >= (POWERS_OF_TEN[precision] ?? 0)) return undefined;
  return negative && unscaled !== 0 ? -unscaled : unscaled;
}

/** Plain-notation text of an unscaled integer (|n| < 2^53), as formatDecimal writes it. */
export function formatDecimalFast(unscaled: number, scale: number): string {
  const negative = unscaled < 0;
  const sign = negative ? '-' : '';
  const magnitude = negative ? -unscaled : unscaled;
  if (scale === 0) return `${sign}${magnitude}`;
  const unit = POWERS_OF_TEN[scale];
  if (unit !== undefined) {
    // Integer and fraction parts by arithmetic (exact below 2^53); the fraction's leading zeros come
    // from writing unit + fraction (scale + 1 digits) without its leading 1.
    const whole = Math.floor(magnitude / unit);
    const fraction = magnitude - whole * unit;
    if (fraction >= 0 && fraction < unit) return `${sign}${whole}.${String(unit + fraction).slice(1)}`;
  }
  const digits = String(magnitude).padStart(scale + 1, '0');
  return `${sign}${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
}

/** Bytes of the minimal two's complement of an integer with |n| < 2^47 (at most 6 bytes), else undefined. */
export function twosComplementLength(n: number): number | undefined {
  let length = 1;
  let limit = 128;
  while (n < -limit || n >= limit) {
    length++;
    limit *= 256;
    if (length > 6) return undefined;
  }
  return length;
}
