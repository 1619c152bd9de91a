import type { FieldDesc, JsonObject, RecordDesc, TypeDesc } from './descriptors.js';
import { checkValue } from './check.js';
import { issuesError } from './errors.js';
import type { ValidationIssue } from './issues.js';
import { fromJsonValue, recordToJson } from './json.js';

export interface RecordSpec<T> {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly fields: readonly FieldDesc[];
  readonly extra?: 'allow' | 'reject' | TypeDesc;
  /** Defaults to true: JSON carries `"__faust": {"ns": name}` as Faust records do. */
  readonly metadata?: boolean;
  /** A thunk, because the class is still being defined when its model is. */
  readonly ctor: () => abstract new (fields: never) => T;
}

/** The descriptor of a generated record class plus the operations its static methods delegate to. */
export interface RecordModel<T> extends RecordDesc<T> {
  validate(value: unknown): ValidationIssue[];
  fromJSON(json: unknown): T;
  toJSON(value: T): JsonObject;
}

export function defineRecord<T extends object>(spec: RecordSpec<T>): RecordModel<T> {
  const model: RecordModel<T> = {
    k: 'record',
    name: spec.name,
    aliases: spec.aliases ?? [],
    fields: spec.fields,
    extra: spec.extra ?? 'allow',
    metadata: spec.metadata ?? true,
    create(fields) {
      // Generated constructors take their typed fields object; the SPI has checked it already.
      const Ctor = spec.ctor() as unknown as new (fields: Readonly<Record<string, unknown>>) => T;
      return new Ctor(fields);
    },
    recordClass: () => spec.ctor() as unknown as new (fields: Readonly<Record<string, unknown>>) => T,
    isInstance(value): value is T {
      return value instanceof (spec.ctor() as unknown as abstract new () => T);
    },
    validate(value) {
      const issues: ValidationIssue[] = [];
      checkValue(model, value, '$', issues);
      return issues;
    },
    fromJSON(json) {
      const issues: ValidationIssue[] = [];
      const value = fromJsonValue(model, json, '$', issues);
      if (issues.length > 0) throw issuesError('FG_VALIDATION', `invalid ${spec.name}`, issues);
      return value as T;
    },
    toJSON(value) {
      const issues = model.validate(value);
      if (issues.length > 0) throw issuesError('FG_ENCODE', `cannot encode ${spec.name}`, issues);
      return recordToJson(model, value);
    },
  };
  return model;
}
