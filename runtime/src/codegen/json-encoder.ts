/**
 * JSON encoders compiled once per model into specialised JavaScript (see compiled-shared.ts): one
 * function per record checks the model value as `checkValue` does and writes Faust's JSON text
 * (the UTF-8 of what JSON.stringify(toJsonValue(...)) writes) into a JsonWriter in the same pass,
 * with no intermediate object or string. An encoder returns false for any value it does not vouch
 * for; the codec then takes the general path, which reports the issues exactly as before.
 */
import { deref } from './descriptors.js';
import type { RecordDesc, TypeDesc, UnionDesc } from './descriptors.js';
import { isSafeLong } from './check.js';
import { isObjectLike } from './issues.js';
import { jsonEqual } from './json-equal.js';
import { logicalProblem } from './rules.js';
import { numberRulesFail, ruleHelpers, stringRulesFail } from './compiled-rules.js';
import { FAUST_METADATA_KEY } from './json.js';
import { branchOf, branchesByShape, compileSource, isIndexKey, notRecordObject, ownFieldChecks, recordBranches } from './compiled-shared.js';
import { shapesOf } from './shapes.js';

import type { JsonWriter } from './json-writer.js';

export type JsonEncoder = (w: JsonWriter, value: unknown) => boolean;

function literalOk(values: readonly unknown[], value: unknown): boolean {
  return values.some((v) => jsonEqual(v, value));
}

const helpers = { isObjectLike, isSafeLong, hasOwn: Object.hasOwn, stringify: JSON.stringify, ...ruleHelpers, logicalProblem, literalOk, branchOf, Buffer };

const FAIL = 'return false;';

/** Fixed text up to this many UTF-8 bytes is written by unrolled byte stores; longer, by a loop over its bytes. */
const UNROLLED = 48;

/** Source that writes the fixed JSON text `text`: its UTF-8 bytes as integer stores, no string read per call. */
function writeFixed(text: string, constant: (value: unknown) => string): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 1) return `w.byte(${bytes[0] ?? 0});`;
  if (bytes.length > UNROLLED) return `w.bytes(${constant(Uint8Array.from(bytes))});`;
  const stores = [...bytes].map((b, i) => `b[p${i === 0 ? '' : ` + ${i}`}] = ${b};`).join(' ');
  return `{ w.ensure(${bytes.length}); const b = w.buf, p = w.pos; ${stores} w.pos = p + ${bytes.length}; }`;
}

class JsonEncoderSource {
  private readonly constants: unknown[] = [];
  private readonly functions: string[] = [];
  private readonly records = new Map<RecordDesc, number>();
  private vars = 0;

  private constant(value: unknown): string {
    this.constants.push(value);
    return `c[${this.constants.length - 1}]`;
  }

  private fixed(text: string): string {
    return writeFixed(text, (value) => this.constant(value));
  }

  private fresh(prefix: string): string {
    return `${prefix}${this.vars++}`;
  }

  /** Statements that check `x` and write its JSON to the writer `w`, or return false. */
  value(desc: TypeDesc, x: string): string {
    const d = deref(desc);
    switch (d.k) {
      case 'null':
        return `if (${x} !== null) ${FAIL} w.ascii('null');`;
      case 'boolean':
        return `if (typeof ${x} !== 'boolean') ${FAIL} w.ascii(${x} ? 'true' : 'false');`;
      case 'int':
        return `if (typeof ${x} !== 'number' || !Number.isInteger(${x}) || ${x} < -2147483648 || ${x} > 2147483647) ${FAIL} w.integer(${x});`;
      case 'long':
        return `if (!isSafeLong(${x})) ${FAIL} w.integer(${x});`;
      case 'float':
      case 'double':
        // Faust's JSON writes non-finite floats as the strings "NaN", "Infinity", "-Infinity".
        return `if (typeof ${x} !== 'number') ${FAIL} w.ascii(Number.isFinite(${x}) ? '' + ${x} : '"' + ${x} + '"');`;
      case 'number': {
        const fails = numberRulesFail(d.rules, x, (v) => this.constant(v));
        const rules = fails === '' ? '' : ` || ${fails}`;
        return `if (typeof ${x} !== 'number' || !Number.isFinite(${x})${rules}) ${FAIL} ${d.rules.integer === true ? `w.integer(${x});` : `w.ascii('' + ${x});`}`;
      }
      case 'string': {
        const fails = stringRulesFail(d.rules, x, (v) => this.constant(v));
        const rules = fails === '' ? '' : ` || ${fails}`;
        return `if (typeof ${x} !== 'string'${rules}) ${FAIL} w.string(${x});`;
      }
      case 'bytes':
        return `if (!Buffer.isBuffer(${x})) ${FAIL} w.ascii('"' + ${x}.toString('base64') + '"');`;
      case 'fixed':
        if (!Number.isSafeInteger(d.size)) return FAIL;
        return `if (!Buffer.isBuffer(${x}) || ${x}.length !== ${d.size}) ${FAIL} w.ascii('"' + ${x}.toString('base64') + '"');`;
      case 'enum':
        return `if (typeof ${x} !== 'string' || !${this.constant(new Set(d.symbols))}.has(${x})) ${FAIL} w.string(${x});`;
      case 'literal': {
        if (d.values.every((v) => typeof v === 'string')) return `if (typeof ${x} !== 'string' || !${this.constant(new Set(d.values))}.has(${x})) ${FAIL} w.string(${x});`;
        const text = this.fresh('t');
        return `if (!literalOk(${this.constant(d.values)}, ${x})) ${FAIL} { const ${text} = stringify(${x}); if (typeof ${text} !== 'string') ${FAIL} w.text(${text}); }`;
      }
      case 'array': {
        const [n, i, item] = [this.fresh('n'), this.fresh('i'), this.fresh('x')];
        const counts = `${d.minItems === undefined ? '' : ` || ${n} < ${d.minItems}`}${d.maxItems === undefined ? '' : ` || ${n} > ${d.maxItems}`}`;
        return `if (!Array.isArray(${x})) ${FAIL} { const ${n} = ${x}.length; if (false${counts}) ${FAIL} w.byte(0x5b); for (let ${i} = 0; ${i} < ${n}; ${i}++) { if (${i} > 0) w.byte(0x2c); const ${item} = ${x}[${i}]; ${this.value(d.items, item)} } w.byte(0x5d); }`;
      }
      case 'map': {
        const [keys, i, key, item] = [this.fresh('k'), this.fresh('i'), this.fresh('k'), this.fresh('x')];
        return `if (!isObjectLike(${x})) ${FAIL} { const ${keys} = Object.keys(${x}); w.byte(0x7b); for (let ${i} = 0; ${i} < ${keys}.length; ${i}++) { const ${key} = ${keys}[${i}]; if (${i} > 0) w.byte(0x2c); w.string(${key}); w.byte(0x3a); const ${item} = ${x}[${key}]; ${this.value(d.values, item)} } w.byte(0x7d); }`;
      }
      case 'union':
        return this.union(d, x);
      case 'logical':
        if (d.logical === 'duration') {
          // logicalProblem has checked months, days and millis to be unsigned 32-bit integers.
          return `if (logicalProblem(${this.constant(d)}, ${x}) !== undefined) ${FAIL} w.ascii('{"months":' + ${x}.months + ',"days":' + ${x}.days + ',"millis":' + ${x}.millis + '}');`;
        }
        return `if (logicalProblem(${this.constant(d)}, ${x}) !== undefined) ${FAIL} w.string(${x});`;
      case 'record':
        return `if (!r${this.record(d)}(w, ${x})) ${FAIL}`;
      default:
        return FAIL;
    }
  }

  /** Branches told apart by class or by shape alone (else the general path). */
  private union(d: UnionDesc, x: string): string {
    if (d.tagged !== undefined || d.discriminator !== undefined) return FAIL;
    const index = this.fresh('u');
    const nullIndex = d.branches.findIndex((b) => deref(b).k === 'null');
    const other = d.branches[1 - nullIndex];
    if (d.branches.length === 2 && nullIndex >= 0 && other !== undefined && !shapesOf(other, false).includes('null')) {
      // [T, null] where T never accepts null: null or not decides (T's own checks refuse the rest).
      return `if (${x} === null) { w.ascii('null'); } else { ${this.value(other, x)} }`;
    }
    // oneOf must match exactly one branch, so a class does not settle it there (shape alone does).
    const byClass = (d.mode === 'oneOf' ? [] : recordBranches(d))
      .map((b) => `${this.constant(b.target)}.isInstance(${x}) ? ${b.index} : `)
      .join('');
    const cases = d.branches.map((b, i) => `case ${i}: { ${this.value(b, x)} break; }`).join(' ');
    return `{ const ${index} = ${byClass}branchOf(${this.constant(branchesByShape(d, false))}, ${x}, false); switch (${index}) { ${cases} default: ${FAIL} } }`;
  }

  /** The index of `r<index>(w, v)`, which writes a record's JSON or returns false. */
  private record(d: RecordDesc): number {
    const known = this.records.get(d);
    if (known !== undefined) return known;
    const id = this.records.size;
    this.records.set(d, id);
    const body = this.recordBody(d);
    this.functions.push(`function r${id}(w, v) {\n${body}\n}`);
    return id;
  }

  private recordBody(d: RecordDesc): string {
    if (typeof d.extra !== 'string' || (d.metadata && d.fields.some((f) => f.name === FAUST_METADATA_KEY))) return FAIL;
    // JSON.stringify lists array-index keys first: write the fields in the order it would.
    const ordered = [...d.fields.filter((f) => isIndexKey(f.name)).sort((a, b) => Number(a.name) - Number(b.name)), ...d.fields.filter((f) => !isIndexKey(f.name))];
    const own = ownFieldChecks(d, 'v', (value) => this.constant(value));
    // The text before a key is known at compile time once a required field has been written (a
    // comma) and for a required first field (the brace); only keys after optional ones ask.
    const opensWithRequired = ordered[0] !== undefined && ordered[0].optional !== true;
    let written = false;
    const fields = ordered.map((f, index) => {
      const key = JSON.stringify(f.name);
      const x = this.fresh('f');
      const missing = f.optional === true ? '' : FAIL;
      const separator = written ? this.fixed(`,${key}:`) : index === 0 && opensWithRequired ? this.fixed(`{${key}:`) : `if (w.pos > start) w.byte(0x2c); ${this.fixed(`${key}:`)}`;
      if (f.optional !== true) written = true;
      // A value found only on the prototype: validation calls it missing, JSON output would write it; leave it to the general path.
      return `const ${x} = v[${key}]; if (${x} === undefined) { ${missing} } else { if (${own.notOwn(x, key)}) ${FAIL} ${separator} ${this.value(f.type, x)} }`;
    });
    const extra =
      d.extra === 'reject'
        ? `for (const k of Object.keys(v)) { if (k !== ${JSON.stringify(FAUST_METADATA_KEY)} && v[k] !== undefined && !${this.constant(new Set(d.fields.map((f) => f.name)))}.has(k)) ${FAIL} }`
        : '';
    const tag = `${JSON.stringify(FAUST_METADATA_KEY)}:{"ns":${JSON.stringify(d.name)}}}`;
    const close = !d.metadata ? this.fixed('}') : written ? this.fixed(`,${tag}`) : `if (w.pos > start) w.byte(0x2c); ${this.fixed(tag)}`;
    const open = opensWithRequired ? '' : `${this.fixed('{')}\nconst start = w.pos;`;
    return `if (${notRecordObject(d, 'v', (value) => this.constant(value))}) ${FAIL}\n${own.prelude}\n${extra}\n${open}\n${fields.join('\n')}\n${close}\nreturn true;`;
  }

  build(desc: TypeDesc): JsonEncoder {
    const top = this.value(desc, 'v');
    return compileSource<JsonEncoder>(`${this.functions.join('\n')}\nreturn function encode(w, v) {\n${top}\nreturn true;\n};`, this.constants, helpers);
  }
}

/** Compiles the JSON encoder of a descriptor (on first use: every module it refers to has loaded by then). */
export function compileJsonEncoder(desc: TypeDesc): JsonEncoder {
  return new JsonEncoderSource().build(desc);
}
