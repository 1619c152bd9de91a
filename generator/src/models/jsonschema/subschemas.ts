/**
 * The way into any subschema: a boolean schema, a schema that is a named model (a reference to it),
 * a `$ref` (followed, with cycles through unnamed schemas reported) or an `allOf` (merged first).
 * What is left is a schema object's own keywords, converted by keyword-mapping.ts.
 */
import type { IrType } from '../ir.js';
import { pointerJoin } from '../json-locate.js';
import type { Conversion } from './conversion.js';
import type { Located } from './documents.js';
import { asLocatedRef, locationKey } from './merge.js';
import type { SchemaNode } from './merge.js';
import type { NameHint } from './model-slots.js';
import { hasValidation, isSchemaObject } from './schema-node.js';

export class SubschemaConverter {
  /** Locations being converted through a `$ref`: meeting one again is a cycle no model names. */
  private readonly following = new Set<string>();

  constructor(private readonly cx: Conversion) {}

  /** Converts the schema at a location, which may be a named model, an inline object or anything else. */
  convert(node: unknown, at: Located, hint: NameHint): IrType | undefined {
    const { cx } = this;
    const target = asLocatedRef(node);
    if (target !== undefined) return this.convertTarget(target, hint);
    if (node === true) return { kind: 'unknown' };
    // `false` accepts no value: a property that may not be present, an array that must be empty, a branch that never matches.
    if (node === false) return { kind: 'never' };
    if (!isSchemaObject(node)) {
      cx.sink.report(at.sdoc.source, at.pointer, `expected a schema (an object or a boolean), got ${JSON.stringify(node)}`);
      return undefined;
    }
    const slot = cx.slots.atLocation(at);
    if (slot !== undefined && slot.located.node === node) return { kind: 'ref', name: slot.fullName };
    const ref = node['$ref'];
    if (!refOnly(node, at) && (node['allOf'] !== undefined || (typeof ref === 'string' && hasValidation(node)))) {
      const merged = cx.merger.merge({ ...at, node });
      return merged === undefined ? undefined : merged === false ? { kind: 'never' } : cx.keywords(merged, { ...at, node: merged }, hint);
    }
    if (ref !== undefined) {
      if (typeof ref !== 'string') {
        cx.sink.report(at.sdoc.source, pointerJoin(at.pointer, '$ref'), '$ref must be a string');
        return undefined;
      }
      const resolved = cx.docs.resolve(ref, at);
      return resolved === undefined ? undefined : this.convertTarget(resolved, hint);
    }
    return cx.keywords(node, at, hint);
  }

  /** Converts the schema a `$ref` leads to: a reference when it is a named model, else the schema itself. */
  convertTarget(target: Located, hint: NameHint): IrType | undefined {
    const slot = this.cx.slots.atLocation(target);
    if (slot !== undefined) return { kind: 'ref', name: slot.fullName };
    const key = locationKey(target);
    if (this.following.has(key)) {
      this.cx.sink.report(target.sdoc.source, target.pointer, '$ref cycle through a schema that is not in $defs', 'move the recursive schema to $defs so that it becomes a named model');
      return undefined;
    }
    this.following.add(key);
    try {
      return this.convert(target.node, target, hint);
    } finally {
      this.following.delete(key);
    }
  }
}

/** Draft-07: a schema object with `$ref` is that reference alone; its other keywords are ignored. */
export function refOnly(node: SchemaNode, at: Located): boolean {
  return typeof node['$ref'] === 'string' && at.sdoc.draft === 'draft-07';
}
