/** Keyword rules (JSON Schema numbers and strings) and logical-type forms, checked on model values. */
import type { LogicalDesc, NumberRules, StringRules } from './descriptors.js';
import type { InstantDigits } from './instants.js';
import { compilePattern } from './patterns.js';
import { describeValue, isObjectLike } from './issues.js';
import type { ValidationIssue } from './issues.js';
import {
  isRfc3339DateTime,
  isUint32,
  isUuid,
  parseDecimal,
  parseIsoDate,
  parseInstant,
  parseIsoTime,
} from './logical.js';

export function checkNumberRules(rules: NumberRules, value: number, path: string, issues: ValidationIssue[]): void {
  const add = (message: string): void => {
    issues.push({ path, message: `${message}, got ${value}` });
  };
  if (rules.integer === true && !Number.isInteger(value)) add('expected an integer');
  if (rules.minimum !== undefined && value < rules.minimum) add(`expected >= ${rules.minimum}`);
  if (rules.maximum !== undefined && value > rules.maximum) add(`expected <= ${rules.maximum}`);
  if (rules.exclusiveMinimum !== undefined && value <= rules.exclusiveMinimum) add(`expected > ${rules.exclusiveMinimum}`);
  if (rules.exclusiveMaximum !== undefined && value >= rules.exclusiveMaximum) add(`expected < ${rules.exclusiveMaximum}`);
  if (rules.multipleOf !== undefined && !isMultipleOf(value, rules.multipleOf)) add(`expected a multiple of ${rules.multipleOf}`);
}

/** Whether checkNumberRules would add no issue (without building messages: the compiled codecs' check). */
export function numberRulesOk(rules: NumberRules, value: number): boolean {
  return (
    (rules.integer !== true || Number.isInteger(value)) &&
    (rules.minimum === undefined || value >= rules.minimum) &&
    (rules.maximum === undefined || value <= rules.maximum) &&
    (rules.exclusiveMinimum === undefined || value > rules.exclusiveMinimum) &&
    (rules.exclusiveMaximum === undefined || value < rules.exclusiveMaximum) &&
    (rules.multipleOf === undefined || isMultipleOf(value, rules.multipleOf))
  );
}

/** Code points, as `[...value].length` counts them (a lone surrogate is one), without the array. */
export function codePoints(value: string): number {
  let count = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/** Whether checkStringRules would add no issue (without building messages: the compiled codecs' check). */
export function stringRulesOk(rules: StringRules, value: string): boolean {
  if (rules.minLength !== undefined || rules.maxLength !== undefined) {
    // Code points never outnumber UTF-16 units: only a close call needs counting.
    const units = value.length;
    const length = (rules.minLength !== undefined && units < rules.minLength * 2) || (rules.maxLength !== undefined && units > rules.maxLength) ? codePoints(value) : units;
    if (rules.minLength !== undefined && length < rules.minLength) return false;
    if (rules.maxLength !== undefined && length > rules.maxLength) return false;
  }
  if (rules.pattern !== undefined && !compilePattern(rules.pattern).test(value)) return false;
  if (rules.format === 'date') return parseIsoDate(value) !== undefined;
  if (rules.format === 'date-time') return isRfc3339DateTime(value);
  if (rules.format === 'uuid') return isUuid(value);
  return true;
}

/** Tolerates binary rounding: 0.3 is a multiple of 0.1 even though 0.3 / 0.1 is 2.9999999999999996. */
export function isMultipleOf(value: number, step: number): boolean {
  const quotient = value / step;
  return Math.abs(quotient - Math.round(quotient)) < 1e-9;
}

export function checkStringRules(rules: StringRules, value: string, path: string, issues: ValidationIssue[]): void {
  // JSON Schema counts length in code points, not UTF-16 units.
  const length = rules.minLength !== undefined || rules.maxLength !== undefined ? [...value].length : 0;
  if (rules.minLength !== undefined && length < rules.minLength) {
    issues.push({ path, message: `expected at least ${rules.minLength} characters, got ${length}` });
  }
  if (rules.maxLength !== undefined && length > rules.maxLength) {
    issues.push({ path, message: `expected at most ${rules.maxLength} characters, got ${length}` });
  }
  if (rules.pattern !== undefined && !compilePattern(rules.pattern).test(value)) {
    issues.push({ path, message: `expected to match /${rules.pattern}/, got ${describeValue(value)}` });
  }
  const formatOk =
    rules.format === undefined ||
    (rules.format === 'date' && parseIsoDate(value) !== undefined) ||
    (rules.format === 'date-time' && isRfc3339DateTime(value)) ||
    (rules.format === 'uuid' && isUuid(value));
  if (!formatOk) issues.push({ path, message: `expected format ${rules.format ?? ''}, got ${describeValue(value)}` });
}

/** Fraction digits a timestamp logical type keeps: 3 (millis), 6 (micros) or 9 (nanos). */
export function instantDigits(logical: string): InstantDigits {
  return logical.endsWith('nanos') ? 9 : logical.endsWith('micros') ? 6 : 3;
}

/** Why a value is not a valid model form of a logical type, or undefined when it is. */
export function logicalProblem(d: LogicalDesc, value: unknown): string | undefined {
  if (d.logical === 'duration') {
    if (isObjectLike(value) && isUint32(value['months']) && isUint32(value['days']) && isUint32(value['millis'])) return undefined;
    return `expected a duration {months, days, millis} of unsigned 32-bit integers, got ${describeValue(value)}`;
  }
  if (typeof value !== 'string') return `expected a ${d.logical} string, got ${describeValue(value)}`;
  const bad = (form: string): string => `expected ${d.logical} as ${form}, got ${describeValue(value)}`;
  switch (d.logical) {
    case 'date':
      return parseIsoDate(value) === undefined ? bad('YYYY-MM-DD') : undefined;
    case 'time-millis':
    case 'time-micros': {
      const micros = d.logical === 'time-micros';
      return parseIsoTime(value, micros) === undefined ? bad(micros ? 'HH:MM:SS[.ffffff]' : 'HH:MM:SS[.fff]') : undefined;
    }
    case 'timestamp-millis':
    case 'timestamp-micros':
    case 'timestamp-nanos':
    case 'local-timestamp-millis':
    case 'local-timestamp-micros':
    case 'local-timestamp-nanos': {
      const units = parseInstant(value, instantDigits(d.logical), d.logical.startsWith('local'));
      return typeof units === 'string' ? `${d.logical} ${describeValue(value)} ${units}` : undefined;
    }
    case 'decimal': {
      const parsed = parseDecimal(value, d.precision ?? 1, d.scale ?? 0);
      return typeof parsed === 'string' ? `decimal(${d.precision ?? 1},${d.scale ?? 0}) ${describeValue(value)} ${parsed}` : undefined;
    }
    case 'uuid':
      return isUuid(value) ? undefined : bad('a UUID');
  }
}
