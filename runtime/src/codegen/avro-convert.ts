/**
 * Model form <-> avsc in-memory form. Leaves already match thanks to the model logical types; what
 * differs is records (generated classes vs avsc's record objects) and unions (plain values vs
 * avsc's wrapped `{ "<branch name>": value }`, which avoids avsc guessing the branch).
 */
import { deref } from './descriptors.js';
import type { TypeDesc } from './descriptors.js';
import { selectBranch } from './check.js';
import { setOwn } from './json.js';
import { avroBranchName, branchValue, toBranchValue } from './union-tags.js';

export { avroBranchName };

/** Converts a valid model value into what avsc's `toBuffer` expects. */
export function toAvroValue(desc: TypeDesc, value: unknown): unknown {
  const d = deref(desc);
  switch (d.k) {
    case 'record': {
      const source = value as Readonly<Record<string, unknown>>;
      const out: Record<string, unknown> = {};
      for (const field of d.fields) setOwn(out, field.name, toAvroValue(field.type, source[field.name]));
      return out;
    }
    case 'union': {
      if (value === null) return null;
      const index = selectBranch(d, value);
      const branch = d.branches[index];
      if (branch === undefined) throw new TypeError('value matches no union branch');
      const out: Record<string, unknown> = {};
      setOwn(out, avroBranchName(branch), toAvroValue(branch, branchValue(d, index, value)));
      return out;
    }
    case 'array':
      return (value as readonly unknown[]).map((item) => toAvroValue(d.items, item));
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value as object)) {
        // avsc decodes maps into plain objects, where this key would silently set the prototype instead.
        if (key === '__proto__') throw new TypeError('map key "__proto__" cannot be carried by the Avro codec (avsc limitation)');
        setOwn(out, key, toAvroValue(d.values, item));
      }
      return out;
    }
    default:
      return value;
  }
}

/** Converts what avsc decoded into the model form, building generated record classes. */
export function fromAvroValue(desc: TypeDesc, value: unknown): unknown {
  const d = deref(desc);
  switch (d.k) {
    case 'record': {
      const source = value as Readonly<Record<string, unknown>>;
      const fields: Record<string, unknown> = {};
      for (const field of d.fields) setOwn(fields, field.name, fromAvroValue(field.type, source[field.name]));
      return d.create(fields);
    }
    case 'union': {
      if (value === null) return null;
      const [name] = Object.keys(value as object);
      const index = d.branches.findIndex((b) => avroBranchName(b) === name);
      const branch = d.branches[index];
      if (branch === undefined || name === undefined) throw new TypeError(`decoded union branch ${String(name)} is not in the model`);
      return toBranchValue(d, index, fromAvroValue(branch, (value as Readonly<Record<string, unknown>>)[name]));
    }
    case 'array':
      return (value as readonly unknown[]).map((item) => fromAvroValue(d.items, item));
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value as object)) setOwn(out, key, fromAvroValue(d.values, item));
      return out;
    }
    case 'bytes':
    case 'fixed':
      // avsc returns slices of the input buffer; copy so that models never alias a reused network buffer.
      return Buffer.from(value as Buffer);
    default:
      return value;
  }
}
