import { camelCase, isIdentifier, isReservedWord, isValidName, pascalCase } from './names.js';
import type { Obj, Reader } from './reader.js';
import { joinPointer } from './source-map.js';

export interface NamedFields {
  readonly name: string;
  readonly id: string;
  readonly typeName: string;
  readonly pointer: string;
}

/** Reads `name` and derives the identifiers generated code will use, rejecting unusable names. */
export function readNamed(reader: Reader, object: Obj, pointer: string, what: string): NamedFields | undefined {
  const name = reader.string(object, 'name', pointer, true);
  if (name === undefined) return undefined;
  const at = joinPointer(pointer, 'name');
  if (!isValidName(name)) {
    reader.error(at, `invalid ${what} name "${name}"`, 'names start with a letter and use only letters, digits, ".", "_" and "-"');
    return undefined;
  }
  const id = camelCase(name);
  if (!isIdentifier(id)) {
    reader.error(at, `${what} name "${name}" does not give a TypeScript identifier (got "${id}")`);
    return undefined;
  }
  if (isReservedWord(id)) {
    reader.error(at, `${what} name "${name}" becomes "${id}", a reserved word in generated code`, `rename it, e.g. "${name}-${what}"`);
    return undefined;
  }
  return { name, id, typeName: pascalCase(name), pointer };
}
