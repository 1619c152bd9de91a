/** TypeScript text for IR types: the static type, the runtime descriptor, and default values. */
import type { IrType, ModelRegistry, TsValue } from '../ir.js';
import { objectLiteralKey, tsString } from '../names.js';
import { irBranchName } from '../avro/union-tags.js';
import type { ModuleImports } from './imports.js';

/** JSON text is a valid TypeScript expression; only the two line separators need escaping. */
export function tsJson(value: unknown): string {
  return JSON.stringify(value).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** An object-literal key for JSON data: quoted, and computed for `__proto__` so that it stays an own key. */
function jsonKey(key: string): string {
  return key === '__proto__' ? `[${tsString(key)}]` : tsString(key);
}

/** A JSON value as a TypeScript literal on one line. */
function tsJsonInline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(tsJsonInline).join(',')}]`;
  if (typeof value === 'object' && value !== null) return `{${Object.entries(value).map(([k, v]) => `${jsonKey(k)}:${tsJsonInline(v)}`).join(',')}}`;
  return tsJson(value);
}

/** Readable JSON data literal for larger values: anything that fits in `width` stays on one line. */
export function tsJsonBlock(value: unknown, indent = '', width = 100): string {
  const flat = tsJsonInline(value);
  if (flat.length + indent.length <= width || typeof value !== 'object' || value === null) return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((v) => inner + tsJsonBlock(v, inner, width)).join(',\n')}\n${indent}]`;
  const entries = Object.entries(value).map(([k, v]) => `${inner}${jsonKey(k)}: ${tsJsonBlock(v, inner, width)}`);
  return `{\n${entries.join(',\n')}\n${indent}}`;
}

/** The TypeScript type of one JSON value: `1`, `"a"`, `readonly [false]`, `{ readonly "a": 1 }`. */
function literalType(value: unknown): string {
  if (Array.isArray(value)) return `readonly [${value.map(literalType).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return 'Readonly<Record<string, never>>';
    return `{ ${entries.map(([k, v]) => `readonly ${tsString(k)}: ${literalType(v)}`).join('; ')} }`;
  }
  return tsJson(value);
}

const logicalTypes: Readonly<Record<string, string>> = {
  date: '$fg.IsoDate',
  'time-millis': '$fg.IsoTime',
  'time-micros': '$fg.IsoTime',
  'timestamp-millis': '$fg.IsoTimestamp',
  'timestamp-micros': '$fg.IsoTimestamp',
  'local-timestamp-millis': '$fg.IsoLocalTimestamp',
  'local-timestamp-micros': '$fg.IsoLocalTimestamp',
  'timestamp-nanos': '$fg.IsoTimestamp',
  'local-timestamp-nanos': '$fg.IsoLocalTimestamp',
  decimal: '$fg.DecimalString',
  uuid: '$fg.Uuid',
  duration: '$fg.AvroDuration',
};

const formatTypes: Readonly<Record<string, string>> = { date: '$fg.IsoDate', 'date-time': '$fg.IsoTimestamp', uuid: '$fg.Uuid' };

export class Expressions {
  constructor(
    private readonly imports: ModuleImports,
    private readonly registry: ModelRegistry,
  ) {}

  type(t: IrType): string {
    switch (t.kind) {
      case 'null':
      case 'boolean':
        return t.kind;
      case 'int':
      case 'long':
      case 'float':
      case 'double':
      case 'number':
        return 'number';
      case 'string':
      {
        const format = t.rules.format ?? t.formatType;
        return format === undefined ? 'string' : (formatTypes[format] ?? 'string');
      }
      case 'bytes':
        return '$fg.Bytes';
      case 'unknown':
        return '$fg.JsonValue';
      case 'never':
        return 'never';
      case 'literal':
        return t.values.map(literalType).join(' | ');
      case 'array':
        return `readonly ${this.wrapped(t.items)}[]`;
      case 'tuple': {
        const items = t.prefix.map((p, i) => (i < t.required ? this.type(p) : `${this.wrapped(p)}?`));
        if (t.rest !== null) items.push(`...${this.wrapped(t.rest)}[]`);
        return `readonly [${items.join(', ')}]`;
      }
      case 'map':
        return `$fg.MapOf<${this.type(t.values)}>`;
      case 'union':
        return [...new Set(t.branches.map((b, i) => (t.tagged?.includes(i) === true ? `$fg.Branch<${tsString(irBranchName(b))}, ${this.type(b)}>` : this.type(b))))].join(' | ');
      case 'logical':
        return logicalTypes[t.logical] ?? 'string';
      case 'ref':
        return this.imports.use(t.name, 'name', 'type');
    }
  }

  private wrapped(t: IrType): string {
    const text = this.type(t);
    return text.includes(' | ') || text.startsWith('readonly ') ? `(${text})` : text;
  }

  desc(t: IrType): string {
    switch (t.kind) {
      case 'null':
      case 'boolean':
      case 'int':
      case 'long':
      case 'float':
      case 'double':
      case 'bytes':
      case 'unknown':
      case 'never':
        return `{ k: '${t.kind}' }`;
      case 'number':
        return `{ k: 'number', rules: ${tsJson(t.rules)} }`;
      case 'string':
        return Object.keys(t.rules).length === 0 ? `{ k: 'string' }` : `{ k: 'string', rules: ${tsJson(t.rules)} }`;
      case 'literal':
        return `{ k: 'literal', values: ${tsJson(t.values)} }`;
      case 'array':
        return `{ k: 'array', items: ${this.desc(t.items)}${counts(t)} }`;
      case 'tuple':
        return `{ k: 'tuple', prefix: [${t.prefix.map((p) => this.desc(p)).join(', ')}], rest: ${t.rest === null ? 'null' : this.desc(t.rest)}, required: ${t.required}${t.maxItems === undefined ? '' : `, maxItems: ${t.maxItems}`} }`;
      case 'map':
        return `{ k: 'map', values: ${this.desc(t.values)} }`;
      case 'union': {
        const discriminator = t.discriminator === undefined ? '' : `, discriminator: ${tsJson(t.discriminator)}`;
        const tagged = t.tagged === undefined ? '' : `, tagged: ${tsJson(t.tagged)}`;
        return `{ k: 'union', mode: '${t.mode}', branches: [${t.branches.map((b) => this.desc(b)).join(', ')}]${discriminator}${tagged} }`;
      }
      case 'logical': {
        const params = `${t.precision === undefined ? '' : `, precision: ${t.precision}`}${t.scale === undefined ? '' : `, scale: ${t.scale}`}`;
        return `{ k: 'logical', logical: '${t.logical}'${params}, base: ${this.desc(t.base)} }`;
      }
      case 'ref':
        return `{ k: 'ref', get: () => ${this.modelRef(t.name)} }`;
    }
  }

  /** Expression for a named model's descriptor: `Order.model` for records, `StatusModel` otherwise. */
  modelRef(fullName: string): string {
    const target = this.registry.get(fullName);
    if (target?.kind === 'record') return `${this.imports.use(fullName, 'name', 'value')}.model`;
    return this.imports.use(fullName, 'model', 'value');
  }

  value(v: TsValue): string {
    switch (v.t) {
      case 'literal':
        return tsJson(v.value);
      case 'bytes':
        return `$fg.bytesFromBase64(${tsString(v.base64)})`;
      case 'array':
        return `[${v.items.map((i) => this.value(i)).join(', ')}]`;
      case 'object':
        if (v.entries.length === 0) return '{}';
        return `{ ${v.entries.map(([k, x]) => `${objectLiteralKey(k)}: ${this.value(x)}`).join(', ')} }`;
      case 'record':
        return `new ${this.imports.use(v.name, 'name', 'value')}({ ${v.entries.map(([k, x]) => `${objectLiteralKey(k)}: ${this.value(x)}`).join(', ')} })`;
    }
  }
}

function counts(t: { minItems?: number; maxItems?: number }): string {
  return `${t.minItems === undefined ? '' : `, minItems: ${t.minItems}`}${t.maxItems === undefined ? '' : `, maxItems: ${t.maxItems}`}`;
}
