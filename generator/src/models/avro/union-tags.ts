/**
 * Which branches of an Avro union are tagged (`{ branch, value }` in the model): those whose
 * TypeScript model type another branch shares, so that the value alone cannot say its branch.
 * See docs/type-mapping.md#unions and runtime/src/codegen/union-tags.ts.
 */
import type { IrType } from '../ir.js';
import { isObject } from './collect.js';

/** The model type class of a branch: values of two branches with the same class look alike. */
function modelClass(type: IrType, namedNode: (name: string) => Readonly<Record<string, unknown>> | undefined): string {
  switch (type.kind) {
    case 'int':
    case 'long':
    case 'float':
    case 'double':
    case 'number':
      return 'number';
    case 'logical':
      return type.logical === 'duration' ? 'duration' : 'string';
    case 'literal':
    case 'tuple':
      return type.kind;
    case 'ref': {
      const node = namedNode(type.name);
      if (node === undefined) return `ref:${type.name}`;
      if (node['type'] === 'enum') return 'string';
      if (node['type'] === 'fixed') {
        const logical = node['logicalType'];
        if (logical === 'decimal' || logical === 'uuid') return 'string';
        return logical === 'duration' ? 'duration' : 'bytes';
      }
      // A record instance carries its class; plain objects that fit are matched in branch order.
      return `record:${type.name}`;
    }
    default:
      return type.kind;
  }
}

/** Indexes of the branches to tag, or undefined when every branch has a model type of its own. */
export function taggedBranches(branches: readonly IrType[], namedNode: (name: string) => unknown): number[] | undefined {
  const lookup = (name: string): Readonly<Record<string, unknown>> | undefined => {
    const node = namedNode(name);
    return isObject(node) ? node : undefined;
  };
  const classes = branches.map((b) => modelClass(b, lookup));
  const tagged = classes.flatMap((c, i) => (classes.indexOf(c) !== classes.lastIndexOf(c) ? [i] : []));
  return tagged.length > 0 ? tagged : undefined;
}

/** Avro's name of a union branch (as in Avro's JSON encoding): full name of named types, else the type name. */
export function irBranchName(type: IrType): string {
  if (type.kind === 'ref') return type.name;
  if (type.kind === 'logical') return irBranchName(type.base);
  return type.kind;
}
