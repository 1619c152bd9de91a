/** Keyword rules of JSON Schema strings and numbers, checked and copied into the IR. */
import { patternProblem } from '../../../../runtime/src/codegen/patterns.js';
import type { NumberRules, StringRules } from '../../../../runtime/src/codegen/descriptors.js';
import type { IrType } from '../ir.js';
import { pointerJoin } from '../json-locate.js';
import type { DiagnosticSink } from '../source.js';
import type { Located } from './documents.js';
import type { SchemaNode } from './merge.js';

const supportedFormats = new Set(['date', 'date-time', 'uuid']);

export function numberType(integer: boolean, node: SchemaNode, at: Located, sink: DiagnosticSink): IrType | undefined {
  const rules: { -readonly [K in keyof NumberRules]: NumberRules[K] } = integer ? { integer } : {};
  let ok = true;
  for (const key of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'] as const) {
    const value = node[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || (key === 'multipleOf' && value <= 0)) {
      const hint = typeof value === 'boolean' ? ' (boolean exclusive bounds are draft-04 syntax; use a number)' : '';
      sink.report(at.sdoc.source, pointerJoin(at.pointer, key), `"${key}" must be a ${key === 'multipleOf' ? 'positive ' : ''}number${hint}`);
      ok = false;
      continue;
    }
    rules[key] = value;
  }
  return ok ? { kind: 'number', rules } : undefined;
}

export function stringType(node: SchemaNode, at: Located, sink: DiagnosticSink): IrType | undefined {
  const rules: { -readonly [K in keyof StringRules]: StringRules[K] } = {};
  let ok = true;
  for (const key of ['minLength', 'maxLength'] as const) {
    const value = node[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || (value as number) < 0) {
      sink.report(at.sdoc.source, pointerJoin(at.pointer, key), `"${key}" must be a non-negative integer`);
      ok = false;
    } else rules[key] = value as number;
  }
  const pattern = node['pattern'];
  if (pattern !== undefined) {
    const problem = typeof pattern === 'string' ? patternProblem(pattern) : 'invalid pattern: not a string';
    if (problem === undefined) rules.pattern = pattern as string;
    else {
      sink.report(at.sdoc.source, pointerJoin(at.pointer, 'pattern'), problem);
      ok = false;
    }
  }
  const format = node['format'];
  // Draft-07 lets a validator assert formats and faustgen does; in 2020-12 format is an annotation.
  const known = typeof format === 'string' && supportedFormats.has(format) ? (format as NonNullable<StringRules['format']>) : undefined;
  if (known !== undefined && at.sdoc.draft === 'draft-07') rules.format = known;
  if (!ok) return undefined;
  return known !== undefined && rules.format === undefined ? { kind: 'string', rules, formatType: known } : { kind: 'string', rules };
}
