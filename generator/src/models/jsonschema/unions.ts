/**
 * `oneOf`/`anyOf` to a union: the keywords next to them apply to every branch (as `allOf` would),
 * branches that match no value are dropped, and a union of records told apart by a constant
 * property is discriminated.
 */
import type { IrType } from '../ir.js';
import { pointerJoin } from '../json-locate.js';
import type { Conversion } from './conversion.js';
import { findDiscriminator } from './discriminator.js';
import type { Located } from './documents.js';
import { asLocatedRef, intersectTypes, locatedRef } from './merge.js';
import type { SchemaNode } from './merge.js';
import type { NameHint } from './model-slots.js';
import { hasValidation, isRecordSchema, isSchemaObject, schemaKeywords } from './schema-node.js';
import { refOnly } from './subschemas.js';

export function convertUnion(cx: Conversion, node: SchemaNode, keyword: 'oneOf' | 'anyOf', at: Located, hint: NameHint): IrType | undefined {
  const members = node[keyword];
  const membersAt = pointerJoin(at.pointer, keyword);
  if (!Array.isArray(members) || members.length === 0) {
    cx.sink.report(at.sdoc.source, membersAt, `${keyword} must be a non-empty array of schemas`);
    return undefined;
  }
  // Sibling keywords (e.g. shared properties, a type, an anyOf next to this oneOf) apply to every
  // branch, as allOf would.
  const { [keyword]: _members, title: _t, description: _d, ...base } = node;
  const baseType = base['type'];
  const hasBase = Object.keys(base).some((k) => k !== 'type' && schemaKeywords.has(k));
  const branches: IrType[] = [];
  for (const [i, member] of members.entries()) {
    const memberAt: Located = { ...at, pointer: pointerJoin(membersAt, i), node: member };
    const memberNode = asLocatedRef(member)?.node ?? member;
    const name = isSchemaObject(memberNode) && typeof memberNode['title'] === 'string' ? memberNode['title'] : `${hint.name}Option${i + 1}`;
    const branchHint = { ...hint, name };
    const memberType = baseType === undefined ? undefined : declaredType(cx, memberAt);
    // A branch of a type the base excludes matches no value: it adds nothing to anyOf nor to oneOf.
    if (baseType !== undefined && memberType !== undefined && intersectTypes(baseType, memberType) === undefined) continue;
    let branch: IrType | undefined;
    // A branch that already says the base's type (e.g. a named record next to `type: "object"`) is
    // kept as written, so named models stay references; any other branch is merged with the base.
    if (hasBase || (baseType !== undefined && !typeWithin(memberType, baseType))) {
      const merged = cx.merger.merge({ ...at, node: { ...base, allOf: [locatedRef(memberAt)] } });
      branch = merged === undefined ? undefined : merged === false ? { kind: 'never' } : cx.keywords(merged, { ...memberAt, node: merged }, branchHint);
    } else {
      branch = cx.subschema(member, memberAt, branchHint);
    }
    if (branch === undefined) return undefined;
    if (branch.kind !== 'never') branches.push(branch);
  }
  // No branch can match (all `false`, or of types the base excludes): no value is valid.
  if (branches.length === 0) return { kind: 'never' };
  if (branches.length === 1) return branches[0];
  const discriminator = findDiscriminator(branches, (name) => cx.modelFor(name));
  return { kind: 'union', branches, mode: keyword, ...(discriminator === undefined ? {} : { discriminator }) };
}

/**
 * The JSON types a schema declares for itself (`type`, or `object` for a record schema), following
 * a `$ref` that stands for its whole schema object; undefined when it does not say.
 */
function declaredType(cx: Conversion, at: Located): unknown {
  let place: Located = asLocatedRef(at.node) ?? at;
  for (let hops = 0; hops < 32; hops++) {
    const node = place.node;
    if (!isSchemaObject(node)) return undefined;
    const ref = node['$ref'];
    const onlyRef = refOnly(node, place);
    if (!onlyRef && node['type'] !== undefined) return node['type'];
    if (typeof ref !== 'string') return isRecordSchema(node) ? 'object' : undefined;
    if (!onlyRef && (hasValidation(node) || node['allOf'] !== undefined)) return undefined;
    const target = cx.docs.resolve(ref, place, true);
    if (target === undefined) return undefined;
    place = target;
  }
  return undefined;
}

/** Whether every JSON type of `member` is one of `base`'s (an integer is a number). */
function typeWithin(member: unknown, base: unknown): boolean {
  if (member === undefined) return false;
  const list = (t: unknown): unknown[] => (Array.isArray(t) ? t : [t]);
  const baseTypes = list(base);
  return list(member).every((t) => baseTypes.includes(t) || (t === 'integer' && baseTypes.includes('number')));
}
