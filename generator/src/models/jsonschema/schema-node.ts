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

export function inferType(node: SchemaNode): string | undefined {
  if (node['properties'] !== undefined || node['required'] !== undefined || node['additionalProperties'] !== undefined) return 'object';
  if (node['items'] !== undefined || node['prefixItems'] !== undefined) return 'array';
  if (['minLength', 'maxLength', 'pattern', 'format'].some((k) => node[k] !== undefined)) return 'string';
  if (['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'].some((k) => node[k] !== undefined)) return 'number';
  return undefined;
}
