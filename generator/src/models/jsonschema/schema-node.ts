/** Questions about raw JSON Schema nodes. */
import type { JsonPrimitive } from '../../../../runtime/src/codegen/descriptors.js';
import type { SchemaNode } from './merge.js';

export const unsupportedKeywords = [
  'patternProperties', 'propertyNames', 'dependencies', 'dependentRequired', 'dependentSchemas', 'if', 'then', 'else', 'not',
  'unevaluatedProperties', 'unevaluatedItems', 'contains', 'minContains', 'maxContains', 'minProperties', 'maxProperties',
  '$dynamicRef', '$recursiveRef',
];

/** Keywords that constrain values (as opposed to annotations such as title or $comment). */
export const schemaKeywords = new Set([
  'type', 'properties', 'required', 'additionalProperties', 'items', 'prefixItems', 'additionalItems', 'enum', 'const',
  'oneOf', 'anyOf', 'allOf', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength',
  'maxLength', 'pattern', 'format', 'minItems', 'maxItems', 'uniqueItems', ...unsupportedKeywords,
]);

export function isSchemaObject(node: unknown): node is SchemaNode {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

export function isPrimitive(value: unknown): value is JsonPrimitive {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

export function hasValidation(node: SchemaNode): boolean {
  return Object.keys(node).some((k) => k !== '$ref' && schemaKeywords.has(k));
}

/** An object schema with declared properties (or closed to extra ones) becomes a record. */
export function isRecordSchema(node: SchemaNode): boolean {
  const type = node['type'];
  const objectish = type === undefined || type === 'object';
  const noUnion = node['oneOf'] === undefined && node['anyOf'] === undefined && node['enum'] === undefined && node['const'] === undefined;
  const required = Array.isArray(node['required']) && node['required'].length > 0;
  return objectish && noUnion && (isSchemaObject(node['properties']) || node['additionalProperties'] === false || required);
}

/** The JSON types whose keywords a schema without `type` uses, in a stable order. */
export function impliedTypes(node: SchemaNode): string[] {
  const has = (keys: readonly string[]): boolean => keys.some((k) => node[k] !== undefined);
  const types: string[] = [];
  if (has(['properties', 'required', 'additionalProperties'])) types.push('object');
  if (has(['items', 'prefixItems', 'additionalItems', 'minItems', 'maxItems'])) types.push('array');
  if (has(['minLength', 'maxLength', 'pattern', 'format'])) types.push('string');
  if (has(['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'])) types.push('number');
  return types;
}
