/**
 * Conversions between the Avro wire forms of logical types and their model forms (strings and a
 * small duration object), shared by the Avro logical types, the JSON codec and validation. All of
 * them are exact: timestamps keep their micros, decimals never pass through a binary float.
 */
import type { AvroDuration } from './descriptors.js';
import { digitsAt } from './fast-logical.js';
import { formatInstant, parseInstant } from './instants.js';

export { formatInstant, parseInstant } from './instants.js';
export type { InstantDigits } from './instants.js';

const MS_PER_DAY = 86_400_000;
const MIN_MS = -62_167_219_200_000; // 0000-01-01T00:00:00Z
const MAX_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Epoch milliseconds of a civil date-time in UTC, or undefined when a field is out of range. */
function civilToMs(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  if (date.getUTCDate() !== d) return undefined; // e.g. February 30th rolled over
  date.setUTCHours(h, mi, s, 0);
  return date.getTime();
}

function assertRange(ms: number, what: string): void {
  if (!Number.isFinite(ms) || ms < MIN_MS || ms > MAX_MS) throw new RangeError(`${what} ${ms} is outside years 0000-9999`);
}

const dateRe = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseIsoDate(text: string): number | undefined {
  const m = dateRe.exec(text);
  if (m === null) return undefined;
  const ms = civilToMs(Number(m[1]), Number(m[2]), Number(m[3]));
  return ms === undefined ? undefined : ms / MS_PER_DAY;
}

export function formatIsoDate(days: number): string {
  if (!Number.isInteger(days)) throw new RangeError(`date ${days} is not a whole number of days`);
  const ms = days * MS_PER_DAY;
  assertRange(ms, 'date');
  return new Date(ms).toISOString().slice(0, 10);
}

const timeRe = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

/** Parses `HH:MM:SS[.fraction]` into units (1000 per second for millis, 1e6 for micros). */
export function parseIsoTime(text: string, micros: boolean): number | undefined {
  const m = timeRe.exec(text);
  if (m === null) return undefined;
  const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const digits = micros ? 6 : 3;
  const fraction = m[4] ?? '';
  if (h > 23 || mi > 59 || s > 59 || fraction.length > digits) return undefined;
  const perSecond = micros ? 1_000_000 : 1000;
  return ((h * 60 + mi) * 60 + s) * perSecond + Number(fraction.padEnd(digits, '0'));
}

export function formatIsoTime(units: number, micros: boolean): string {
  const perSecond = micros ? 1_000_000 : 1000;
  if (!Number.isInteger(units) || units < 0 || units >= 86_400 * perSecond) {
    throw new RangeError(`time of day ${units} is outside 00:00:00-23:59:59`);
  }
  const seconds = Math.floor(units / perSecond);
  const fraction = units - seconds * perSecond;
  const hms = `${pad(Math.floor(seconds / 3600), 2)}:${pad(Math.floor(seconds / 60) % 60, 2)}:${pad(seconds % 60, 2)}`;
  return `${hms}.${pad(fraction, micros ? 6 : 3)}`;
}

export interface InstantOptions {
  /** Units of the result: milliseconds or microseconds since the epoch. */
  readonly micros: boolean;
  /** Local timestamps have no offset; instants must have one. */
  readonly local: boolean;
}

/**
 * Parses an RFC 3339 date-time into epoch milli- or microseconds, or undefined when malformed or not
 * a safe integer. A fraction finer than the unit is invalid rather than truncated. See instants.ts
 * for the full 64-bit range.
 */
export function parseIsoInstant(text: string, options: InstantOptions): number | undefined {
  const units = parseInstant(text, options.micros ? 6 : 3, options.local);
  return typeof units === 'bigint' && units >= BigInt(Number.MIN_SAFE_INTEGER) && units <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(units) : undefined;
}

export function formatIsoInstant(units: number, options: InstantOptions): string {
  if (!Number.isSafeInteger(units)) throw new RangeError(`timestamp ${units} is not a safe integer`);
  return formatInstant(BigInt(units), options.micros ? 6 : 3, options.local);
}

/** Days in a month of the proleptic Gregorian calendar (year 0000 is a leap year), as Date counts them. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Accepts any RFC 3339 date-time (JSON Schema `format: date-time`), whatever its fraction precision:
 * `YYYY-MM-DD[Tt]HH:MM:SS[.digits]([Zz]|±HH:MM)`, the offset at most 23:59, a real calendar day, and a
 * leap second (`:60`) only at 23:59 UTC. Read by character codes: every JSON date-time is, per record.
 */
export function isRfc3339DateTime(text: string): boolean {
  const n = text.length;
  if (n < 20) return false;
  const t = text.charCodeAt(10);
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || (t !== 84 && t !== 116) || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return false;
  const [y, mo, d, h, mi, s] = [digitsAt(text, 0, 4), digitsAt(text, 5, 2), digitsAt(text, 8, 2), digitsAt(text, 11, 2), digitsAt(text, 14, 2), digitsAt(text, 17, 2)];
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return false;
  let i = 19;
  if (text.charCodeAt(i) === 46) {
    const first = ++i;
    while (i < n && digitsAt(text, i, 1) >= 0) i++;
    if (i === first) return false;
  }
  let offset = 0;
  const zone = text.charCodeAt(i);
  if (zone === 90 || zone === 122) {
    if (i + 1 !== n) return false;
  } else if (zone === 43 || zone === 45) {
    if (i + 6 !== n || text.charCodeAt(i + 3) !== 58) return false;
    const [offsetHours, offsetMinutes] = [digitsAt(text, i + 1, 2), digitsAt(text, i + 4, 2)];
    if (offsetHours < 0 || offsetHours > 23 || offsetMinutes < 0 || offsetMinutes > 59) return false;
    offset = (zone === 45 ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  } else {
    return false;
  }
  return s < 60 || (((h * 60 + mi - offset) % 1440) + 1440) % 1440 === 23 * 60 + 59;
}

/** 1 at the character codes of hex digits (either case), 2 at the dash. */
const UUID_CHARS = new Uint8Array(128);
for (const c of '0123456789abcdefABCDEF') UUID_CHARS[c.charCodeAt(0)] = 1;
UUID_CHARS[45] = 2;
/** What each of the 36 positions must hold. */
const UUID_SHAPE = Uint8Array.from({ length: 36 }, (_, i) => (i === 8 || i === 13 || i === 18 || i === 23 ? 2 : 1));

/** `8-4-4-4-12` hex digits, either case. Checked by table: every Avro uuid is, on each encode and decode. */
export function isUuid(text: string): boolean {
  if (text.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = text.charCodeAt(i);
    if (c > 127 || UUID_CHARS[c] !== UUID_SHAPE[i]) return false;
  }
  return true;
}

const decimalRe = /^(-)?(\d+)(?:\.(\d+))?$/;

/** The unscaled integer of a plain-notation decimal, or a reason why it does not fit precision and scale. */
export function parseDecimal(text: string, precision: number, scale: number): bigint | string {
  const m = decimalRe.exec(text);
  if (m === null) return 'expected a decimal in plain notation such as "-12.30"';
  const fraction = m[3] ?? '';
  if (fraction.length > scale) return `has ${fraction.length} fraction digits, scale is ${scale}`;
  const unscaled = BigInt(`${m[1] ?? ''}${m[2] ?? '0'}${fraction.padEnd(scale, '0')}`);
  const digits = (unscaled < 0n ? -unscaled : unscaled).toString().length;
  if (digits > precision) return `has ${digits} significant digits, precision is ${precision}`;
  return unscaled;
}

export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const integer = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${integer}${scale > 0 ? `.${fraction}` : ''}`;
}

/** Big-endian two's complement, as Avro stores decimals. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let value = BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
  if ((bytes[0] ?? 0) & 0x80) value -= 1n << BigInt(bytes.length * 8);
  return value;
}

/** Minimal two's complement bytes, or exactly `size` bytes (sign-extended) for a fixed. */
export function bigIntToBytes(value: bigint, size?: number): Buffer {
  let length = 1;
  while (value < -(1n << BigInt(length * 8 - 1)) || value >= 1n << BigInt(length * 8 - 1)) length++;
  if (size !== undefined) {
    if (length > size) throw new RangeError(`decimal needs ${length} bytes, fixed size is ${size}`);
    length = size;
  }
  const unsigned = value < 0n ? (1n << BigInt(length * 8)) + value : value;
  return Buffer.from(unsigned.toString(16).padStart(length * 2, '0'), 'hex');
}

/** Largest precision a two's complement fixed of `size` bytes can always hold. */
export function maxDecimalPrecision(size: number): number {
  return Math.floor(Math.log10(2) * (8 * size - 1));
}

export function bytesToDuration(bytes: Uint8Array): AvroDuration {
  if (bytes.length !== 12) throw new RangeError(`duration needs 12 bytes, got ${bytes.length}`);
  const buf = Buffer.from(bytes);
  return { months: buf.readUInt32LE(0), days: buf.readUInt32LE(4), millis: buf.readUInt32LE(8) };
}

export function durationToBytes(duration: AvroDuration): Buffer {
  const buf = Buffer.alloc(12);
  buf.writeUInt32LE(duration.months, 0);
  buf.writeUInt32LE(duration.days, 4);
  buf.writeUInt32LE(duration.millis, 8);
  return buf;
}

export function isUint32(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff;
}
