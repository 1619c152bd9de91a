/**
 * JSON decoders compiled once per model into specialised JavaScript (see compiled-shared.ts): from
 * a parsed JSON value to the model form (generated classes, decoded bytes), checking what
 * fromJsonValue checks, in one pass. A decoder returns {@link NOT_DECODED} for any value it does not
 * vouch for; the codec then takes the general path, which reports every issue as before.
 *
 * A decoder owns its input, a value JSON.parse has just made: no Buffers in it, no object in two
 * places, nobody else holding it. So an object is any non-null non-array object, and an array or
 * map whose items decode to themselves is checked and kept instead of copied.
 */
import { deref } from './descriptors.js';
import type { RecordDesc, TypeDesc, UnionDesc } from './descriptors.js';
import { isSafeLong } from './check.js';
import { jsonEqual } from './json-equal.js';
import { decodeBase64, FAUST_METADATA_KEY, setOwn } from './json.js';
import { logicalProblem } from './rules.js';
import { numberRulesFail, ruleHelpers, stringRulesFail } from './compiled-rules.js';
import { branchOf, branchesByShape, compileSource, constructRecord } from './compiled-shared.js';
import { shapesOf } from './shapes.js';

/** What a compiled JSON decoder returns for a value it leaves to the general path. */
export const NOT_DECODED: unique symbol = Symbol('not decoded');

export type JsonDecoder = (json: unknown) => unknown;

/** Whether decoding a value of this type always gives back the very same value (nothing to convert or build). */
function keepsValue(desc: TypeDesc): boolean {
  const d = deref(desc);
  switch (d.k) {
    case 'null':
    case 'boolean':
    case 'int':
    case 'long':
    case 'number':
    case 'string':
    case 'enum':
    case 'literal':
      return true;
    case 'array':
      return keepsValue(d.items);
    case 'map':
      return keepsValue(d.values);
    default:
      return false;
  }
}

/** A JSON.parse result is an object of ours when it is neither null nor an array (it cannot be a Buffer). */
const IS_OBJECT = (x: string): string => `(typeof ${x} === 'object' && ${x} !== null && !Array.isArray(${x}))`;

function literalOk(values: readonly unknown[], value: unknown): boolean {
  return values.some((v) => jsonEqual(v, value));
}

const helpers = { NOT_DECODED, isSafeLong, hasOwn: Object.hasOwn, objectPrototype: Object.prototype as Readonly<Record<string, unknown>>, ...ruleHelpers, logicalProblem, literalOk, branchOf, decodeBase64, setOwn };

const FAIL = 'return NOT_DECODED;';

class JsonDecoderSource {
  private readonly constants: unknown[] = [];
  private readonly functions: string[] = [];
  private readonly records = new Map<RecordDesc, number>();
  private vars = 0;

  private constant(value: unknown): string {
    this.constants.push(value);
    return `c[${this.constants.length - 1}]`;
  }

  private fresh(prefix: string): string {
    return `${prefix}${this.vars++}`;
  }

  /** Statements that check the JSON value `x` and assign its model form to `out`, or fail. */
  value(desc: TypeDesc, x: string, out: string): string {
    const d = deref(desc);
    const same = `${out} = ${x};`;
    switch (d.k) {
      case 'null':
        return `if (${x} !== null) ${FAIL} ${same}`;
      case 'boolean':
        return `if (typeof ${x} !== 'boolean') ${FAIL} ${same}`;
      case 'int':
        return `if (typeof ${x} !== 'number' || !Number.isInteger(${x}) || ${x} < -2147483648 || ${x} > 2147483647) ${FAIL} ${same}`;
      case 'long':
        return `if (!isSafeLong(${x})) ${FAIL} ${same}`;
      case 'float':
      case 'double':
        return `if (typeof ${x} === 'number') ${same} else if (${x} === 'NaN' || ${x} === 'Infinity' || ${x} === '-Infinity') ${out} = Number(${x}); else ${FAIL}`;
      case 'number': {
        const fails = numberRulesFail(d.rules, x, (v) => this.constant(v));
        const rules = fails === '' ? '' : ` || ${fails}`;
        return `if (typeof ${x} !== 'number' || !Number.isFinite(${x})${rules}) ${FAIL} ${same}`;
      }
      case 'string': {
        const fails = stringRulesFail(d.rules, x, (v) => this.constant(v));
        const rules = fails === '' ? '' : ` || ${fails}`;
        return `if (typeof ${x} !== 'string'${rules}) ${FAIL} ${same}`;
      }
      case 'bytes':
      case 'fixed': {
        const size = d.k === 'fixed' ? ` || ${out}.length !== ${Number.isSafeInteger(d.size) ? d.size : -1}` : '';
        return `${out} = typeof ${x} === 'string' ? decodeBase64(${x}) : undefined; if (${out} === undefined${size}) ${FAIL}`;
      }
      case 'enum':
        return `if (typeof ${x} !== 'string' || !${this.constant(new Set(d.symbols))}.has(${x})) ${FAIL} ${same}`;
      case 'literal':
        if (d.values.every((v) => typeof v === 'string')) return `if (typeof ${x} !== 'string' || !${this.constant(new Set(d.values))}.has(${x})) ${FAIL} ${same}`;
        return `if (!literalOk(${this.constant(d.values)}, ${x})) ${FAIL} ${same}`;
      case 'array': {
        const [n, i, list, item] = [this.fresh('n'), this.fresh('i'), this.fresh('a'), this.fresh('y')];
        const counts = `${d.minItems === undefined ? '' : ` || ${n} < ${d.minItems}`}${d.maxItems === undefined ? '' : ` || ${n} > ${d.maxItems}`}`;
        if (keepsValue(d.items)) {
          return `if (!Array.isArray(${x})) ${FAIL} { const ${n} = ${x}.length; if (false${counts}) ${FAIL} for (let ${i} = 0; ${i} < ${n}; ${i}++) { let ${item}; ${this.value(d.items, `${x}[${i}]`, item)} } ${out} = ${x}; }`;
        }
        return `if (!Array.isArray(${x})) ${FAIL} { const ${n} = ${x}.length; if (false${counts}) ${FAIL} const ${list} = []; for (let ${i} = 0; ${i} < ${n}; ${i}++) { let ${item}; ${this.value(d.items, `${x}[${i}]`, item)} ${list}.push(${item}); } ${out} = ${list}; }`;
      }
      case 'map': {
        const [map, key, item] = [this.fresh('m'), this.fresh('k'), this.fresh('y')];
        // JSON.parse makes `__proto__` an own key; keep it one.
        if (keepsValue(d.values)) {
          return `if (!${IS_OBJECT(x)}) ${FAIL} for (const ${key} of Object.keys(${x})) { let ${item}; ${this.value(d.values, `${x}[${key}]`, item)} } ${out} = ${x};`;
        }
        return `if (!${IS_OBJECT(x)}) ${FAIL} { const ${map} = {}; for (const ${key} of Object.keys(${x})) { let ${item}; ${this.value(d.values, `${x}[${key}]`, item)} if (${key} === '__proto__') setOwn(${map}, ${key}, ${item}); else ${map}[${key}] = ${item}; } ${out} = ${map}; }`;
      }
      case 'union':
        return this.union(d, x, out);
      case 'logical': {
        const check = `if (logicalProblem(${this.constant(d)}, ${x}) !== undefined) ${FAIL}`;
        return d.logical === 'duration' ? `${check} ${out} = { months: ${x}.months, days: ${x}.days, millis: ${x}.millis };` : `${check} ${same}`;
      }
      case 'record':
        return `${out} = d${this.record(d)}(${x}); if (${out} === NOT_DECODED) ${FAIL}`;
      default:
        return FAIL;
    }
  }

  /** Branches told apart by the JSON value's shape alone (else the general path tries them in order). */
  private union(d: UnionDesc, x: string, out: string): string {
    if (d.tagged !== undefined || d.discriminator !== undefined) return FAIL;
    const nullIndex = d.branches.findIndex((b) => deref(b).k === 'null');
    const other = d.branches[1 - nullIndex];
    if (d.branches.length === 2 && nullIndex >= 0 && other !== undefined && !shapesOf(other, true).includes('null')) {
      // [T, null] where T never accepts null: null or not decides (T's own checks refuse the rest).
      return `if (${x} === null) { ${out} = null; } else { ${this.value(other, x, out)} }`;
    }
    const cases = d.branches.map((b, i) => `case ${i}: { ${this.value(b, x, out)} break; }`).join(' ');
    return `switch (branchOf(${this.constant(branchesByShape(d, true))}, ${x}, true)) { ${cases} default: ${FAIL} }`;
  }

  /** The index of `d<index>(j)`, which returns a record instance or NOT_DECODED. */
  private record(d: RecordDesc): number {
    const known = this.records.get(d);
    if (known !== undefined) return known;
    const id = this.records.size;
    this.records.set(d, id);
    this.functions.push(`function d${id}(j) {\n${this.recordBody(d)}\n}`);
    return id;
  }

  private recordBody(d: RecordDesc): string {
    // Aliases and checked extra keys are rare: the general path handles them.
    if (typeof d.extra !== 'string' || d.fields.some((f) => (f.aliases ?? []).length > 0)) return FAIL;
    const fields = d.fields.map((f) => {
      const key = JSON.stringify(f.name);
      const [x, y] = [this.fresh('x'), this.fresh('y')];
      const missing = f.optional === true || f.hasDefault === true ? '' : FAIL;
      const assign = f.name === '__proto__' ? `setOwn(o, ${key}, ${y});` : `o[${key}] = ${y};`;
      // A field must be an own property. JSON.parse's objects inherit from Object.prototype only, so a value
      // that is not Object.prototype's own value for the name is the object's own: hasOwn runs only when
      // they are equal (Object.prototype polluted with that name, or `__proto__`, whose accessor answers).
      const inherited = f.name === '__proto__' ? '' : `${x} === objectPrototype[${key}] && `;
      return `const ${x} = j[${key}]; if (${x} === undefined || (${inherited}!hasOwn(j, ${key}))) { ${missing} } else { let ${y}; ${this.value(f.type, x, y)} ${assign} }`;
    });
    const known = new Set([FAUST_METADATA_KEY, ...d.fields.map((f) => f.name)]);
    const extra = d.extra === 'reject' ? `for (const k of Object.keys(j)) if (!${this.constant(known)}.has(k)) ${FAIL}` : '';
    return `if (!${IS_OBJECT('j')}) ${FAIL}\nconst o = {};\n${fields.join('\n')}\n${extra}\nreturn ${constructRecord(d, 'o', (v) => this.constant(v))};`;
  }

  build(desc: TypeDesc): JsonDecoder {
    const top = this.value(desc, 'j', 'out');
    return compileSource<JsonDecoder>(`${this.functions.join('\n')}\nreturn function decode(j) {\nlet out;\n${top}\nreturn out;\n};`, this.constants, helpers);
  }
}

/** Compiles the JSON decoder of a descriptor (on first use: every module it refers to has loaded by then). */
export function compileJsonDecoder(desc: TypeDesc): JsonDecoder {
  return new JsonDecoderSource().build(desc);
}
