/**
 * JSON Schema number and string rules as inline conditions of the compiled JSON codecs: what
 * numberRulesOk / stringRulesOk (rules.ts) decide, without walking a rules object per value. Bounds
 * are written as numeric literals (`String` of a finite number is one); patterns, compiled once
 * here, reach the code as constants, as every other schema-derived value does (compiled-shared.ts).
 */
import type { NumberRules, StringRules } from './descriptors.js';
import { isRfc3339DateTime, isUuid, parseIsoDate } from './logical.js';
import { compilePattern } from './patterns.js';
import { codePoints, isMultipleOf, stringRulesOk } from './rules.js';

/** The helpers the conditions call; the compiled codecs add them to their own. */
export const ruleHelpers = { codePoints, isMultipleOf, isRfc3339DateTime, isUuid, parseIsoDate, stringRulesOk };

type Constant = (value: unknown) => string;

function bound(n: number, constant: Constant): string {
  return Number.isFinite(n) ? `(${String(n)})` : constant(n);
}

/** Source of a condition that holds when the finite number `x` breaks a rule; '' when there is none. */
export function numberRulesFail(rules: NumberRules, x: string, constant: Constant): string {
  const fails: string[] = [];
  if (rules.integer === true) fails.push(`!Number.isInteger(${x})`);
  if (rules.minimum !== undefined) fails.push(`${x} < ${bound(rules.minimum, constant)}`);
  if (rules.maximum !== undefined) fails.push(`${x} > ${bound(rules.maximum, constant)}`);
  if (rules.exclusiveMinimum !== undefined) fails.push(`${x} <= ${bound(rules.exclusiveMinimum, constant)}`);
  if (rules.exclusiveMaximum !== undefined) fails.push(`${x} >= ${bound(rules.exclusiveMaximum, constant)}`);
  if (rules.multipleOf !== undefined) fails.push(`!isMultipleOf(${x}, ${bound(rules.multipleOf, constant)})`);
  return fails.join(' || ');
}

/** Source of a condition that holds when the string `x` breaks a rule; '' when there is none. */
export function stringRulesFail(rules: StringRules | undefined, x: string, constant: Constant): string {
  if (rules === undefined) return '';
  const fails: string[] = [];
  // JSON Schema counts code points; they never outnumber UTF-16 units nor fall below half of them, so only a close call counts.
  if (rules.minLength !== undefined) fails.push(`(${x}.length < ${bound(rules.minLength * 2, constant)} && codePoints(${x}) < ${bound(rules.minLength, constant)})`);
  if (rules.maxLength !== undefined) fails.push(`(${x}.length > ${bound(rules.maxLength, constant)} && codePoints(${x}) > ${bound(rules.maxLength, constant)})`);
  if (rules.pattern !== undefined) {
    let pattern;
    try {
      pattern = compilePattern(rules.pattern);
    } catch {
      // Codegen refuses such patterns; should one get here, the general check reports it as before.
      return `!stringRulesOk(${constant(rules)}, ${x})`;
    }
    fails.push(`!${constant(pattern)}.test(${x})`);
  }
  if (rules.format === 'date') fails.push(`parseIsoDate(${x}) === undefined`);
  if (rules.format === 'date-time') fails.push(`!isRfc3339DateTime(${x})`);
  if (rules.format === 'uuid') fails.push(`!isUuid(${x})`);
  return fails.join(' || ');
}
