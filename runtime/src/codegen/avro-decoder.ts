/**
 * Avro binary decoders compiled once per model into specialised JavaScript (see avro-encoder.ts for
 * how the source is built): one function per record, array, map and union, producing the model form
 * directly (generated classes, ISO strings, decimal strings, tagged branches) in one pass. A decoder
 * throws on anything it does not read exactly as avsc + fromAvroValue would; the codec then decodes
 * through avsc, which returns the same value or reports the problem as it always has.
 */
import { deref } from './descriptors.js';
import type { RecordDesc, TypeDesc } from './descriptors.js';
import { toBranchValue } from './union-tags.js';
import { constructRecord } from './compiled-shared.js';
import { logicalDecoder, unreadable } from './avro-logical-decoders.js';
import type { AvroDecoder } from './avro-logical-decoders.js';

export type { AvroDecoder };

function symbolAt(symbols: readonly string[], index: number): string {
  return symbols[index] ?? unreadable('enum index');
}

const helpers = { toBranchValue, unreadable, symbolAt };

class DecoderSource {
  private readonly constants: unknown[] = [];
  private readonly functions: string[] = [];
  private readonly records = new Map<RecordDesc, number>();
  private count = 0;

  private constant(value: unknown): string {
    this.constants.push(value);
    return `c[${this.constants.length - 1}]`;
  }

  /** A new function `<prefix><n>(r)` with `body`; returns its name. */
  private define(prefix: string, body: (name: string) => string): string {
    const name = `${prefix}${this.count++}`;
    this.functions.push(`function ${name}(r) {\n${body(name)}\n}`);
    return name;
  }

  /** An expression that reads one value of `desc` from the reader `r`. */
  value(desc: TypeDesc): string {
    const d = deref(desc);
    switch (d.k) {
      case 'null':
        return 'null';
      case 'boolean':
        return '(r.readByte() !== 0)';
      case 'int':
        return 'r.readLong()';
      case 'long':
        return 'r.readSafeLong()';
      case 'float':
        return 'r.readFloat()';
      case 'double':
        return 'r.readDouble()';
      case 'string':
        return 'r.readString()';
      case 'bytes':
        return 'r.readBytes()';
      case 'fixed':
        return Number.isSafeInteger(d.size) ? `r.readFixed(${d.size})` : "unreadable('fixed size')";
      case 'enum':
        return `symbolAt(${this.constant(d.symbols)}, r.readLong())`;
      case 'array': {
        const item = this.value(d.items);
        // Every item takes at least a byte, except null-like ones: avsc decides about those.
        return `${this.define('a', () => `const out = [];\nfor (let n = r.readLong(); n !== 0; n = r.readLong()) {\nif (n < 0) { n = -n; r.readLong(); }\nif (n > r.remaining()) unreadable('block count');\nfor (let i = 0; i < n; i++) out.push(${item});\n}\nreturn out;`)}(r)`;
      }
      case 'map': {
        const item = this.value(d.values);
        return `${this.define('m', () => `const out = {};\nfor (let n = r.readLong(); n !== 0; n = r.readLong()) {\nif (n < 0) { n = -n; r.readLong(); }\nif (n > r.remaining()) unreadable('block count');\nfor (let i = 0; i < n; i++) {\nconst key = r.readString();\nif (key === '__proto__') unreadable('map key __proto__');\nout[key] = ${item};\n}\n}\nreturn out;`)}(r)`;
      }
      case 'union': {
        const union = this.constant(d);
        const cases = d.branches.map((b, i) => {
          const read = this.value(b);
          return `case ${i}: return ${d.tagged?.includes(i) === true ? `toBranchValue(${union}, ${i}, ${read})` : read};`;
        });
        return `${this.define('u', () => `switch (r.readLong()) {\n${cases.join('\n')}\ndefault: return unreadable('union index');\n}`)}(r)`;
      }
      case 'logical':
        return `${this.constant(logicalDecoder(d))}(r)`;
      case 'record':
        return `${this.record(d)}(r)`;
      default:
        return `unreadable(${JSON.stringify(`no Avro form for ${d.k}`)})`;
    }
  }

  /** The function that reads a record, emitted once per record (recursive records call themselves). */
  private record(d: RecordDesc): string {
    const known = this.records.get(d);
    if (known !== undefined) return `d${known}`;
    const id = this.count++;
    this.records.set(d, id);
    // An object literal reads the fields in order; a computed key keeps `__proto__` an own property.
    const entries = d.fields.map((f) => `${f.name === '__proto__' ? `[${JSON.stringify(f.name)}]` : JSON.stringify(f.name)}: ${this.value(f.type)}`);
    this.functions.push(`function d${id}(r) {\nreturn ${constructRecord(d, `{\n${entries.join(',\n')}\n}`, (v) => this.constant(v))};\n}`);
    return `d${id}`;
  }

  build(desc: TypeDesc): AvroDecoder {
    const top = this.value(desc);
    const source = [`const { ${Object.keys(helpers).join(', ')} } = h;`, ...this.functions, `return function decode(r) {\nreturn ${top};\n};`].join('\n');
    // Built from fixed fragments, integers and JSON-quoted names only (see avro-encoder.ts).
    const factory = new Function('c', 'h', source) as (constants: readonly unknown[], h: typeof helpers) => AvroDecoder;
    return factory(this.constants, helpers);
  }
}

/** Compiles the decoder of a descriptor (on first use: every module it refers to has loaded by then). */
export function compileAvroDecoder(desc: TypeDesc): AvroDecoder {
  return new DecoderSource().build(desc);
}
