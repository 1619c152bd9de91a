import { primitiveTypes } from './types.js';
import type { PrimitiveType, TypeRef } from './types.js';

/** Parses `string`, `Order`, `com.acme.Order`, `long[]`; undefined when the text is not a type. */
export function parseTypeRef(text: string): TypeRef | undefined {
  const trimmed = text.trim();
  if (trimmed.endsWith('[]')) {
    const inner = parseTypeRef(trimmed.slice(0, -2));
    return inner === undefined ? undefined : { kind: 'array', of: inner };
  }
  if ((primitiveTypes as readonly string[]).includes(trimmed)) return { kind: 'primitive', name: trimmed as PrimitiveType };
  if (/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(trimmed)) return { kind: 'model', name: trimmed };
  return undefined;
}

export function formatTypeRef(ref: TypeRef): string {
  switch (ref.kind) {
    case 'primitive':
      return ref.name;
    case 'model':
      return ref.name;
    case 'array':
      return `${formatTypeRef(ref.of)}[]`;
  }
}

/** Visits every model name a type mentions. */
export function modelNames(ref: TypeRef): string[] {
  if (ref.kind === 'model') return [ref.name];
  if (ref.kind === 'array') return modelNames(ref.of);
  return [];
}
