/** What the compiled codecs (avro-*, json-*) share: the union branch tables and the source factory. */
import { deref } from './descriptors.js';
import type { RecordDesc, TypeDesc, UnionDesc } from './descriptors.js';
import { shapeOfValue, shapesOf } from './shapes.js';
import type { Shape } from './shapes.js';

/**
 * The branch each value shape belongs to, for shapes exactly one branch accepts; with `json` the
 * shapes of the JSON form (bytes as strings). A shape several branches accept is left out: such
 * values go the general way, which tries the branches in order.
 */
export function branchesByShape(d: UnionDesc, json: boolean): Map<Shape, number> {
  const byShape = new Map<Shape, number>();
  const ambiguous = new Set<Shape>();
  d.branches.forEach((b, index) => {
    for (const shape of shapesOf(b, json)) {
      if (byShape.has(shape)) ambiguous.add(shape);
      else byShape.set(shape, index);
    }
  });
  for (const shape of ambiguous) byShape.delete(shape);
  return byShape;
}

/** The branch a branch table gives a value, or -1. */
export function branchOf(byShape: ReadonlyMap<Shape, number>, value: unknown, json: boolean): number {
  const shape = shapeOfValue(value, json);
  return shape === undefined ? -1 : (byShape.get(shape) ?? -1);
}

/** Record branches of a union, by index (an instance of a generated class picks its own branch). */
export function recordBranches(d: UnionDesc): { readonly index: number; readonly target: TypeDesc }[] {
  return d.branches.map((b, index) => ({ index, target: deref(b) })).filter((b) => b.target.k === 'record');
}

/** Array index keys come first, ascending, when an object's keys are listed (and so in JSON.stringify). */
export function isIndexKey(key: string): boolean {
  return /^(?:0|[1-9]\d*)$/.test(key) && Number(key) < 4_294_967_295;
}

/**
 * Turns generated source into a function. The source is built from fixed fragments, integers and
 * JSON-quoted names only; every other schema-derived value reaches it as a constant `c[i]`, and
 * the helpers as `h`, so no schema text can change what the code does.
 */
export function compileSource<F>(source: string, constants: readonly unknown[], helpers: object): F {
  const factory = new Function('c', 'h', `const { ${Object.keys(helpers).join(', ')} } = h;\n${source}`) as (c: readonly unknown[], h: object) => F;
  return factory(constants, helpers);
}

/**
 * Source that builds a record from the fields object `fields`: `new` of its class at this call site
 * when the descriptor names it (so each site sees one class), else the descriptor's `create`.
 */
export function constructRecord(d: RecordDesc, fields: string, constant: (value: unknown) => string): string {
  const recordClass = d.recordClass?.();
  return typeof recordClass === 'function' ? `new ${constant(recordClass)}(${fields})` : `${constant(d)}.create(${fields})`;
}

/**
 * Source of a condition that holds when `x` is not an object a record may be read from (what
 * isObjectLike says): an instance of the record's generated class is one, and `instanceof` of a
 * known class costs less than isObjectLike's array and Buffer tests.
 */
export function notRecordObject(d: RecordDesc, x: string, constant: (value: unknown) => string): string {
  const recordClass = d.recordClass?.();
  return typeof recordClass === 'function' ? `(!(${x} instanceof ${constant(recordClass)}) && !isObjectLike(${x}))` : `!isObjectLike(${x})`;
}

/**
 * Own-property checks of a record value's fields that skip most `hasOwn` calls: for an object whose
 * prototype is exactly the generated class's, a field value that differs from what the prototype
 * chain holds for the name cannot have come from the chain, so it is the object's own. `prelude`
 * reads the prototype once per value; `notOwn(x, key)` is a condition that holds when the value
 * `x` read for the JSON-quoted `key` is not an own property.
 */
export function ownFieldChecks(d: RecordDesc, v: string, constant: (value: unknown) => string): { prelude: string; notOwn: (x: string, key: string) => string } {
  const recordClass = d.recordClass?.();
  const prototype: unknown = typeof recordClass === 'function' ? recordClass.prototype : undefined;
  if (typeof prototype !== 'object' || prototype === null) return { prelude: '', notOwn: (_x, key) => `!hasOwn(${v}, ${key})` };
  const p = constant(prototype);
  return {
    prelude: `const exact = Object.getPrototypeOf(${v}) === ${p};`,
    // \`__proto__\` is read through an accessor: always asked.
    notOwn: (x, key) => (key === '"__proto__"' ? `!hasOwn(${v}, ${key})` : `((!exact || ${x} === ${p}[${key}]) && !hasOwn(${v}, ${key}))`),
  };
}
