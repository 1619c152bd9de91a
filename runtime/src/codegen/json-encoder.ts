/**
 * JSON encoders compiled once per model into specialised JavaScript (see compiled-shared.ts): one
 * function per record checks the model value as `checkValue` does and writes Faust's JSON text
 * (what JSON.stringify(toJsonValue(...)) writes) in the same pass, with no intermediate object. An
 * encoder returns undefined for any value it does not vouch for; the codec then takes the general
 * path, which reports the issues exactly as before.
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

export type JsonEncoder = (value: unknown) => string | undefined;

function literalOk(values: readonly unknown[], value: unknown): boolean {
  return values.some((v) => jsonEqual(v, value));
}

/**
 * A string as JSON.stringify writes it. Most strings need no escape, and a scan plus two
 * concatenations costs less than a JSON.stringify call per string; anything to escape (quote,
 * backslash, control character, any surrogate) goes to JSON.stringify.
 */
function quote(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(text);
  }
  return `"${text}"`;
}

const helpers = { isObjectLike, isSafeLong, hasOwn: Object.hasOwn, quote, stringify: JSON.stringify, ...ruleHelpers, logicalProblem, literalOk, branchOf, Buffer };

const FAIL = 'return undefined;';

class JsonEncoderSource {
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

  /** Statements that check `x` and append its JSON to `s`, or return undefined. */
  value(desc: TypeDesc, x: string): string {
    const d = deref(desc);
    switch (d.k) {
      case 'null':
        return `if (${x} !== null) ${FAIL} s += 'null';`;
      case 'boolean':
        return `if (typeof ${x} !== 'boolean') ${FAIL} s += ${x} ? 'true' : 'false';`;
      case 'int':
        return `if (typeof ${x} !== 'number' || !Number.isInteger(${x}) || ${x} < -2147483648 || ${x} > 2147483647) ${FAIL} s += ${x};`;
      case 'long':
        return `if (!isSafeLong(${x})) ${FAIL} s += ${x};`;
      case 'float':
      case 'double':
        // Faust's JSON writes non-finite floats as the strings "NaN", "Infinity", "-Infinity".
        return `if (typeof ${x} !== 'number') ${FAIL} s += Number.isFinite(${x}) ? ${x} : '"' + ${x} + '"';`;
      case 'number': {
        const fails = numberRulesFail(d.rules, x, (v) => this.constant(v));
        const rules = fails === '' ? '' : ` || ${fails}`;
        return `if (typeof ${x} !== 'number' || !Number.isFinite(${x})${rules}) ${FAIL} s += ${x};`;
      }
      case 'string': {
        const fails = stringRulesFail(d.rules, x, (v) => this.constant(v));
        const rules = fails === '' ? '' : ` || ${fails}`;
        return `if (typeof ${x} !== 'string'${rules}) ${FAIL} s += quote(${x});`;
      }
      case 'bytes':
        return `if (!Buffer.isBuffer(${x})) ${FAIL} s += '"' + ${x}.toString('base64') + '"';`;
      case 'fixed':
        if (!Number.isSafeInteger(d.size)) return FAIL;
        return `if (!Buffer.isBuffer(${x}) || ${x}.length !== ${d.size}) ${FAIL} s += '"' + ${x}.toString('base64') + '"';`;
      case 'enum':
        return `if (typeof ${x} !== 'string' || !${this.constant(new Set(d.symbols))}.has(${x})) ${FAIL} s += quote(${x});`;
      case 'literal':
        if (d.values.every((v) => typeof v === 'string')) return `if (typeof ${x} !== 'string' || !${this.constant(new Set(d.values))}.has(${x})) ${FAIL} s += quote(${x});`;
        return `if (!literalOk(${this.constant(d.values)}, ${x})) ${FAIL} s += stringify(${x});`;
      case 'array': {
        const [n, i, item] = [this.fresh('n'), this.fresh('i'), this.fresh('x')];
        const counts = `${d.minItems === undefined ? '' : ` || ${n} < ${d.minItems}`}${d.maxItems === undefined ? '' : ` || ${n} > ${d.maxItems}`}`;
        return `if (!Array.isArray(${x})) ${FAIL} { const ${n} = ${x}.length; if (false${counts}) ${FAIL} s += '['; for (let ${i} = 0; ${i} < ${n}; ${i}++) { if (${i} > 0) s += ','; const ${item} = ${x}[${i}]; ${this.value(d.items, item)} } s += ']'; }`;
      }
      case 'map': {
        const [keys, i, key, item] = [this.fresh('k'), this.fresh('i'), this.fresh('k'), this.fresh('x')];
        return `if (!isObjectLike(${x})) ${FAIL} { const ${keys} = Object.keys(${x}); s += '{'; for (let ${i} = 0; ${i} < ${keys}.length; ${i}++) { const ${key} = ${keys}[${i}]; if (${i} > 0) s += ','; s += quote(${key}) + ':'; const ${item} = ${x}[${key}]; ${this.value(d.values, item)} } s += '}'; }`;
      }
      case 'union':
        return this.union(d, x);
      case 'logical':
        if (d.logical === 'duration') {
          return `if (logicalProblem(${this.constant(d)}, ${x}) !== undefined) ${FAIL} s += '{"months":' + ${x}.months + ',"days":' + ${x}.days + ',"millis":' + ${x}.millis + '}';`;
        }
        return `if (logicalProblem(${this.constant(d)}, ${x}) !== undefined) ${FAIL} s += quote(${x});`;
      case 'record': {
        const text = this.fresh('t');
        return `{ const ${text} = r${this.record(d)}(${x}); if (${text} === undefined) ${FAIL} s += ${text}; }`;
      }
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
      return `if (${x} === null) { s += 'null'; } else { ${this.value(other, x)} }`;
    }
    // oneOf must match exactly one branch, so a class does not settle it there (shape alone does).
    const byClass = (d.mode === 'oneOf' ? [] : recordBranches(d))
      .map((b) => `${this.constant(b.target)}.isInstance(${x}) ? ${b.index} : `)
      .join('');
    const cases = d.branches.map((b, i) => `case ${i}: { ${this.value(b, x)} break; }`).join(' ');
    return `{ const ${index} = ${byClass}branchOf(${this.constant(branchesByShape(d, false))}, ${x}, false); switch (${index}) { ${cases} default: ${FAIL} } }`;
  }

  /** The index of `r<index>(v)`, which returns a record's JSON text or undefined. */
  private record(d: RecordDesc): number {
    const known = this.records.get(d);
    if (known !== undefined) return known;
    const id = this.records.size;
    this.records.set(d, id);
    const body = this.recordBody(d);
    this.functions.push(`function r${id}(v) {\n${body}\n}`);
    return id;
  }

  private recordBody(d: RecordDesc): string {
    if (typeof d.extra !== 'string' || (d.metadata && d.fields.some((f) => f.name === FAUST_METADATA_KEY))) return FAIL;
    // JSON.stringify lists array-index keys first: write the fields in the order it would.
    const ordered = [...d.fields.filter((f) => isIndexKey(f.name)).sort((a, b) => Number(a.name) - Number(b.name)), ...d.fields.filter((f) => !isIndexKey(f.name))];
    const own = ownFieldChecks(d, 'v', (value) => this.constant(value));
    const fields = ordered.map((f) => {
      const key = JSON.stringify(f.name);
      const x = this.fresh('f');
      const missing = f.optional === true ? '' : FAIL;
      // A value found only on the prototype: validation calls it missing, JSON output would write it; leave it to the general path.
      return `const ${x} = v[${key}]; if (${x} === undefined) { ${missing} } else { if (${own.notOwn(x, key)}) ${FAIL} s += s.length > 1 ? ${JSON.stringify(`,${key}:`)} : ${JSON.stringify(`${key}:`)}; ${this.value(f.type, x)} }`;
    });
    const extra =
      d.extra === 'reject'
        ? `for (const k of Object.keys(v)) { if (k !== ${JSON.stringify(FAUST_METADATA_KEY)} && v[k] !== undefined && !${this.constant(new Set(d.fields.map((f) => f.name)))}.has(k)) ${FAIL} }`
        : '';
    const metadata = d.metadata ? `s += (s.length > 1 ? ',' : '') + ${JSON.stringify(`${JSON.stringify(FAUST_METADATA_KEY)}:{"ns":${JSON.stringify(d.name)}}`)};` : '';
    return `if (${notRecordObject(d, 'v', (value) => this.constant(value))}) ${FAIL}\n${own.prelude}\n${extra}\nlet s = '{';\n${fields.join('\n')}\n${metadata}\nreturn s + '}';`;
  }

  build(desc: TypeDesc): JsonEncoder {
    const top = this.value(desc, 'v');
    return compileSource<JsonEncoder>(`${this.functions.join('\n')}\nreturn function encode(v) {\nlet s = '';\n${top}\nreturn s;\n};`, this.constants, helpers);
  }
}

/** Compiles the JSON encoder of a descriptor (on first use: every module it refers to has loaded by then). */
export function compileJsonEncoder(desc: TypeDesc): JsonEncoder {
  return new JsonEncoderSource().build(desc);
}
