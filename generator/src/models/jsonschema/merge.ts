/**
 * `allOf` is merged into one schema (the usual "base object + extension" use): properties and
 * required lists are united, bounds are tightened, and conflicting keywords are reported. Subschemas
 * in the result are kept as references to where they were written, so that their own `$ref`s still
 * resolve against their own document.
 */
import { isDeepStrictEqual } from 'node:util';
import { pointerJoin } from '../json-locate.js';
import type { DiagnosticSink } from '../source.js';
import type { Located, SchemaDocuments } from './documents.js';

const LOCATED = Symbol('faustgen.located');

export type SchemaNode = Record<string | symbol, unknown>;

export function locatedRef(located: Located): SchemaNode {
  return { [LOCATED]: located };
}

export function asLocatedRef(node: unknown): Located | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  return (node as SchemaNode)[LOCATED] as Located | undefined;
}

export function locationKey(l: Pick<Located, 'sdoc' | 'pointer'>): string {
  return `${l.sdoc.fileUri}#${l.pointer}`;
}

const annotations = new Set(['$defs', 'definitions', '$id', '$schema', '$anchor', '$comment', 'title', 'description', 'examples', 'default', 'deprecated', 'readOnly', 'writeOnly']);
const singleSubschema = new Set(['additionalProperties', 'items', 'additionalItems', 'contains', 'not', 'if', 'then', 'else', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems']);
const lowerBounds = new Set(['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties']);
const upperBounds = new Set(['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties']);

function isObj(node: unknown): node is Record<string, unknown> {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

export class AllOfMerger {
  constructor(
    private readonly docs: SchemaDocuments,
    private readonly sink: DiagnosticSink,
  ) {}

  /**
   * The merged schema of a node with `allOf`, `false` when a member is the schema `false` (no value
   * fits), or undefined after reporting a conflict or a cycle.
   */
  merge(owner: Located): SchemaNode | false | undefined {
    const parts: Located[] = [];
    if (!this.flatten(owner, parts, new Set())) return undefined;
    const result: SchemaNode = {};
    const report = (message: string): undefined => {
      this.sink.report(owner.sdoc.source, pointerJoin(owner.pointer, 'allOf'), message);
      return undefined;
    };
    for (const part of parts) {
      if (part.node === true) continue;
      if (part.node === false) return false;
      if (typeof part.node !== 'object' || part.node === null || Array.isArray(part.node)) return report('every allOf member must be a schema object');
      for (const [key, value] of Object.entries(part.node)) {
        const at = (...tokens: (string | number)[]): SchemaNode =>
          locatedRef({ sdoc: part.sdoc, pointer: tokens.reduce<string>((p, t) => pointerJoin(p, t), pointerJoin(part.pointer, key)), node: tokens.reduce<unknown>((n, t) => (n as Record<string, unknown>)[t], value) });
        if (annotations.has(key) || key === 'allOf' || key === '$ref') continue;
        const existing = result[key];
        if (key === 'properties' && typeof value === 'object' && value !== null) {
          const props = (existing ?? {}) as SchemaNode;
          for (const name of Object.keys(value)) {
            const ref = at(name);
            props[name] = props[name] === undefined ? ref : { allOf: [props[name], ref] };
          }
          result[key] = props;
        } else if (key === 'required' && Array.isArray(value)) {
          result[key] = [...new Set([...((existing as unknown[] | undefined) ?? []), ...(value as unknown[])])];
        } else if (key === 'additionalProperties' && value === false) {
          result[key] = false;
        } else if (singleSubschema.has(key)) {
          if (existing === false) continue;
          result[key] = existing === undefined ? at() : { allOf: [existing, at()] };
        } else if (key === 'prefixItems' || key === 'oneOf' || key === 'anyOf' || (key === 'items' && Array.isArray(value))) {
          if (existing !== undefined) return report(`more than one allOf member has "${key}"; faustgen cannot merge them`);
          result[key] = (value as unknown[]).map((_, i) => at(i));
        } else if (key === 'type') {
          const merged = intersectTypes(existing, value);
          if (merged === undefined) return report(`allOf members have incompatible types ${JSON.stringify(existing)} and ${JSON.stringify(value)}`);
          result[key] = merged;
        } else if (existing === undefined || isDeepStrictEqual(existing, value)) {
          result[key] = value;
        } else if (lowerBounds.has(key) && typeof value === 'number' && typeof existing === 'number') {
          result[key] = Math.max(value, existing);
        } else if (upperBounds.has(key) && typeof value === 'number' && typeof existing === 'number') {
          result[key] = Math.min(value, existing);
        } else if (key === 'multipleOf' && integerLcm(existing, value) !== undefined) {
          // A multiple of both 2 and 5 is a multiple of 10 (exact for positive integers only).
          result[key] = integerLcm(existing, value);
        } else {
          return report(`allOf members disagree on "${key}" (${JSON.stringify(existing)} vs ${JSON.stringify(value)})`);
        }
      }
    }
    if (!this.keepMemberScopes(parts, result, report)) return undefined;
    const own = owner.node as Record<string, unknown>;
    for (const key of ['title', 'description'] as const) if (own[key] !== undefined) result[key] = own[key];
    return result;
  }

  /**
   * A member's `additionalProperties` sees only that member's own `properties`, and its `items` only
   * the items after its own tuple: merging must not widen them. A property another member declares
   * is checked against this member's additionalProperties schema too, or, where that is `false`, may
   * not be present at all (dropped from the merged properties, so the merged `false` rejects it).
   */
  private keepMemberScopes(parts: readonly Located[], result: SchemaNode, report: (message: string) => undefined): boolean {
    const props = result['properties'] as SchemaNode | undefined;
    const required = new Set((result['required'] as unknown[] | undefined) ?? []);
    const tuple = parts.some((p) => isObj(p.node) && (Array.isArray(p.node['prefixItems']) || Array.isArray(p.node['items'])));
    for (const part of parts) {
      if (!isObj(part.node)) continue;
      const node = part.node;
      if (tuple && ((node['items'] !== undefined && !Array.isArray(node['items']) && !Array.isArray(node['prefixItems'])) || node['additionalItems'] !== undefined)) {
        const key = node['additionalItems'] !== undefined ? 'additionalItems' : 'items';
        const single = parts.filter((p) => isObj(p.node) && (Array.isArray(p.node['prefixItems']) || Array.isArray(p.node['items']))).length === 1 && (Array.isArray(node['prefixItems']) || Array.isArray(node['items']));
        if (!single) {
          report(`an allOf member's "${key}" would apply to another member's tuple items; faustgen cannot merge that without changing what it accepts`);
          return false;
        }
      }
      const additional = node['additionalProperties'];
      if (additional === undefined || additional === true || props === undefined) continue;
      const ownProps = isObj(node['properties']) ? node['properties'] : {};
      for (const name of Object.keys(props)) {
        if (Object.hasOwn(ownProps, name)) continue;
        if (additional === false) {
          if (required.has(name)) {
            report(`property "${name}" is required, but an allOf member with additionalProperties: false does not declare it: no value is valid`);
            return false;
          }
          delete props[name];
        } else {
          const scope = locatedRef({ sdoc: part.sdoc, pointer: pointerJoin(part.pointer, 'additionalProperties'), node: additional });
          props[name] = { allOf: [props[name], scope] };
        }
      }
    }
    return true;
  }

  /** Collects the members to merge: the owner's own keywords plus every allOf member, refs followed. */
  private flatten(part: Located, out: Located[], stack: Set<string>): boolean {
    const via = asLocatedRef(part.node);
    if (via !== undefined) return this.flatten(via, out, stack);
    const key = locationKey(part);
    if (stack.has(key)) {
      this.sink.report(part.sdoc.source, part.pointer, 'allOf refers back to itself; a schema cannot extend itself');
      return false;
    }
    const node = part.node;
    if (typeof node !== 'object' || node === null || Array.isArray(node)) {
      out.push(part);
      return true;
    }
    stack.add(key);
    try {
      const record = node as Record<string, unknown>;
      const { allOf, $ref, ...rest } = record;
      // Draft-07: a $ref replaces its schema object; the keywords next to it are ignored.
      const siblingsIgnored = typeof $ref === 'string' && part.sdoc.draft === 'draft-07';
      if (!siblingsIgnored) out.push({ ...part, node: rest });
      if (typeof $ref === 'string') {
        const target = this.docs.resolve($ref, part);
        if (target === undefined || !this.flatten(target, out, stack)) return false;
      }
      if (allOf !== undefined && !siblingsIgnored) {
        if (!Array.isArray(allOf) || allOf.length === 0) {
          this.sink.report(part.sdoc.source, pointerJoin(part.pointer, 'allOf'), 'allOf must be a non-empty array of schemas');
          return false;
        }
        for (const [i, member] of allOf.entries()) {
          if (!this.flatten({ sdoc: part.sdoc, pointer: pointerJoin(pointerJoin(part.pointer, 'allOf'), i), node: member }, out, stack)) return false;
        }
      }
      return true;
    } finally {
      stack.delete(key);
    }
  }
}

/** The least common multiple of two positive integers, if it is a safe integer. */
function integerLcm(a: unknown, b: unknown): number | undefined {
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || (a as number) <= 0 || (b as number) <= 0) return undefined;
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  const lcm = ((a as number) / gcd(a as number, b as number)) * (b as number);
  return Number.isSafeInteger(lcm) ? lcm : undefined;
}

/** The JSON types both allow (`integer` within `number`), or undefined when they share none. */
export function intersectTypes(a: unknown, b: unknown): unknown {
  if (a === undefined) return b;
  const list = (t: unknown): string[] => (Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : typeof t === 'string' ? [t] : []);
  const left = list(a);
  const right = list(b);
  const out = new Set<string>();
  for (const t of left) {
    if (right.includes(t)) out.add(t);
    else if (t === 'integer' && right.includes('number')) out.add('integer');
    else if (t === 'number' && right.includes('integer')) out.add('integer');
  }
  if (out.size === 0) return undefined;
  const types = [...out];
  return types.length === 1 ? types[0] : types;
}
