import { avroNamePattern } from '../names.js';

export const avroPrimitives = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
export const avroNamedKinds = new Set(['record', 'error', 'enum', 'fixed']);

/** Full name and namespace of a named definition, per the Avro spec's rules for `name` and `namespace`. */
export function qualifyDefinition(name: string, namespace: unknown, enclosing: string | undefined): { fullName: string; namespace: string | undefined } {
  if (name.includes('.')) return { fullName: name, namespace: name.slice(0, name.lastIndexOf('.')) };
  const ns = typeof namespace === 'string' ? namespace : enclosing;
  return ns === undefined || ns === '' ? { fullName: name, namespace: undefined } : { fullName: `${ns}.${name}`, namespace: ns };
}

/** A name used as a reference: dotted names are full, others live in the enclosing namespace. */
export function qualifyReference(name: string, enclosing: string | undefined): string {
  return name.includes('.') || enclosing === undefined ? name : `${enclosing}.${name}`;
}

/** Which dot-separated parts of a full name are not valid Avro names. */
export function invalidNameParts(fullName: string): string[] {
  return fullName.split('.').filter((part) => !avroNamePattern.test(part));
}

export function shortName(fullName: string): string {
  return fullName.slice(fullName.lastIndexOf('.') + 1);
}
