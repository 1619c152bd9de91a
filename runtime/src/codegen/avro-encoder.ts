/**
 * Avro binary encoders compiled once per model into specialised JavaScript (as avsc and Ajv do):
 * one function per record with its fields unrolled, arrays, maps and unions inlined, so that an
 * encode is one pass over the model value with no intermediate avsc-shaped copy and no descriptor
 * interpretation. The source is built only from fixed fragments, integer indexes and
 * JSON-quoted field names; every schema-derived value is passed in as a constant.
 *
 * An encoder returns false as soon as a value is not one it can vouch for (invalid, or a case left
 * to the general path such as tagged union branches); the codec then runs the general path,
 * validation first, which reports the issues exactly as before. Where it returns true it has
 * checked everything `checkValue` checks and written the bytes avsc writes.
 */
import { deref } from './descriptors.js';
import type { RecordDesc, TypeDesc, UnionDesc } from './descriptors.js';
import { isSafeLong } from './check.js';
import { isObjectLike } from './issues.js';
import { shapeOfValue, shapesOf } from './shapes.js';
import type { Shape } from './shapes.js';
import { logicalEncoder } from './avro-logical-encoders.js';
import { notRecordObject, ownFieldChecks } from './compiled-shared.js';
import type { AvroEncoder } from './avro-logical-encoders.js';

export type { AvroEncoder };

const helpers = { isObjectLike, isSafeLong, hasOwn: Object.hasOwn, Buffer, unionBranch };

/** The branch index a union's shape table gives a value, or -1. */
function unionBranch(byShape: ReadonlyMap<Shape, number>, value: unknown): number {
  const shape = shapeOfValue(value, false);
  return shape === undefined ? -1 : (byShape.get(shape) ?? -1);
}

class EncoderSource {
  private readonly constants: unknown[] = [];
  private readonly functions: string[] = [];
  private readonly records = new Map<RecordDesc, number>();
  private vars = 0;

  constant(value: unknown): string {
    this.constants.push(value);
    return `c[${this.constants.length - 1}]`;
  }

  private fresh(prefix: string): string {
    return `${prefix}${this.vars++}`;
  }

  /** Statements that check `x` against `desc` and write it, or `return false`. */
  value(desc: TypeDesc, x: string): string {
    const d = deref(desc);
    const fail = 'return false;';
    switch (d.k) {
      case 'null':
        return `if (${x} !== null) ${fail}`;
      case 'boolean':
        return `if (typeof ${x} !== 'boolean') ${fail} w.writeByte(${x} ? 1 : 0);`;
      case 'int':
        return `if (typeof ${x} !== 'number' || !Number.isInteger(${x}) || ${x} < -2147483648 || ${x} > 2147483647) ${fail} w.writeLong(${x});`;
      case 'long':
        return `if (!isSafeLong(${x})) ${fail} w.writeLong(${x});`;
      case 'float':
        return `if (typeof ${x} !== 'number') ${fail} w.writeFloat(${x});`;
      case 'double':
        return `if (typeof ${x} !== 'number') ${fail} w.writeDouble(${x});`;
      case 'string':
        if (d.rules !== undefined) return fail;
        return `if (typeof ${x} !== 'string') ${fail} w.writeString(${x});`;
      case 'bytes':
        return `if (!Buffer.isBuffer(${x})) ${fail} w.writeBytes(${x});`;
      case 'fixed':
        if (!Number.isSafeInteger(d.size)) return fail;
        return `if (!Buffer.isBuffer(${x}) || ${x}.length !== ${d.size}) ${fail} w.writeFixed(${x});`;
      case 'enum': {
        const index = this.fresh('e');
        if (d.symbols.length <= 8) {
          // A few symbols: compared one by one (JSON-quoted), cheaper than a Map look-up.
          const chain = d.symbols.map((symbol, i) => `${x} === ${JSON.stringify(symbol)} ? ${i} : `).join('');
          return `{ const ${index} = ${chain}-1; if (${index} < 0) ${fail} w.writeLong(${index}); }`;
        }
        const symbols = this.constant(new Map(d.symbols.map((symbol, i) => [symbol, i] as const)));
        return `{ const ${index} = typeof ${x} === 'string' ? ${symbols}.get(${x}) : undefined; if (${index} === undefined) ${fail} w.writeLong(${index}); }`;
      }
      case 'array': {
        if (d.minItems !== undefined || d.maxItems !== undefined) return fail;
        const [n, i, item] = [this.fresh('n'), this.fresh('i'), this.fresh('x')];
        return `if (!Array.isArray(${x})) ${fail} { const ${n} = ${x}.length; if (${n} > 0) { w.writeLong(${n}); for (let ${i} = 0; ${i} < ${n}; ${i}++) { const ${item} = ${x}[${i}]; ${this.value(d.items, item)} } } w.writeByte(0); }`;
      }
      case 'map': {
        const [keys, n, i, key, item] = [this.fresh('k'), this.fresh('n'), this.fresh('i'), this.fresh('k'), this.fresh('x')];
        // `__proto__` cannot be carried by avsc: the general path says so.
        return `if (!isObjectLike(${x})) ${fail} { const ${keys} = Object.keys(${x}); const ${n} = ${keys}.length; if (${n} > 0) { w.writeLong(${n}); for (let ${i} = 0; ${i} < ${n}; ${i}++) { const ${key} = ${keys}[${i}]; if (${key} === '__proto__') ${fail} w.writeString(${key}); const ${item} = ${x}[${key}]; ${this.value(d.values, item)} } } w.writeByte(0); }`;
      }
      case 'union':
        return this.union(d, x);
      case 'logical':
        return `if (!${this.constant(logicalEncoder(d))}(w, ${x})) ${fail}`;
      case 'record':
        return `if (!r${this.record(d)}(w, ${x})) ${fail}`;
      default:
        return fail;
    }
  }

  /**
   * The branch the general path picks (selectBranch): an instance of a generated class picks its
   * own record branch; otherwise the value's shape must point at exactly one branch (several
   * candidates, e.g. two records or an int and a long, go the general way, which tries them in order).
   */
  private union(d: UnionDesc, x: string): string {
    if (d.tagged !== undefined || d.discriminator !== undefined || d.mode !== 'avro') return 'return false;';
    const byShape = new Map<Shape, number>();
    const ambiguous = new Set<Shape>();
    d.branches.forEach((b, index) => {
      for (const shape of shapesOf(b, false)) {
        if (byShape.has(shape)) ambiguous.add(shape);
        else byShape.set(shape, index);
      }
    });
    for (const shape of ambiguous) byShape.delete(shape);
    const index = this.fresh('u');
    const nullIndex = d.branches.findIndex((b) => deref(b).k === 'null');
    if (d.branches.length === 2 && nullIndex >= 0) {
      // The commonest union, ["null", T]: null or not decides (T's own checks refuse the rest).
      const other = 1 - nullIndex;
      return `if (${x} === null) { w.writeLong(${nullIndex}); } else { w.writeLong(${other}); ${this.value(d.branches[other] ?? { k: 'never' }, x)} }`;
    }
    const byClass = d.branches
      .map((b, i) => ({ target: deref(b), i }))
      .filter((b) => b.target.k === 'record')
      .map((b) => `${this.constant(b.target)}.isInstance(${x}) ? ${b.i} : `)
      .join('');
    const cases = d.branches.map((b, i) => `case ${i}: w.writeLong(${i}); ${this.value(b, x)} break;`).join(' ');
    return `{ const ${index} = ${byClass}unionBranch(${this.constant(byShape)}, ${x}); switch (${index}) { ${cases} default: return false; } }`;
  }

  /** The index of the function `r<index>(w, v)` that encodes a record, emitted once per record. */
  record(d: RecordDesc): number {
    const known = this.records.get(d);
    if (known !== undefined) return known;
    const id = this.records.size;
    this.records.set(d, id);
    let body: string;
    // Optional fields and checked extra keys are JSON Schema features: the general path handles them.
    if (d.extra !== 'allow' || d.fields.some((f) => f.optional === true)) {
      body = 'return false;';
    } else {
      const own = ownFieldChecks(d, 'v', (value) => this.constant(value));
      const fields = d.fields.map((f) => {
        const key = JSON.stringify(f.name);
        const x = this.fresh('f');
        // An inherited or missing field is a validation issue: leave it to the general path.
        return `const ${x} = v[${key}]; if (${x} === undefined || ${own.notOwn(x, key)}) return false; ${this.value(f.type, x)}`;
      });
      body = `if (${notRecordObject(d, 'v', (value) => this.constant(value))}) return false;\n${own.prelude}\n${fields.join('\n')}\nreturn true;`;
    }
    this.functions.push(`function r${id}(w, v) {\n${body}\n}`);
    return id;
  }

  build(desc: TypeDesc): AvroEncoder {
    const top = this.value(desc, 'v');
    const source = [
      `const { ${Object.keys(helpers).join(', ')} } = h;`,
      ...this.functions,
      `return function encode(w, v) {\n${top}\nreturn true;\n};`,
    ].join('\n');
    // Built from fixed fragments, integers and JSON-quoted names only (see the file comment).
    const factory = new Function('c', 'h', source) as (constants: readonly unknown[], h: typeof helpers) => AvroEncoder;
    return factory(this.constants, helpers);
  }
}

/** Compiles the encoder of a descriptor (on first use: every module it refers to has loaded by then). */
export function compileAvroEncoder(desc: TypeDesc): AvroEncoder {
  return new EncoderSource().build(desc);
}
