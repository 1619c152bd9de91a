import type { IrType, ModelIr } from '../ir.js';

/**
 * A property that every record branch of a union requires with a distinct constant string value
 * (`const`, or an `enum` of one), which makes the union discriminated.
 */
export function findDiscriminator(
  branches: readonly IrType[],
  modelFor: (name: string) => ModelIr | undefined,
): { property: string; values: (string | null)[] } | undefined {
  const records = branches.map((b) => (b.kind === 'ref' ? modelFor(b.name) : undefined));
  const nonNull = records.filter((_, i) => branches[i]?.kind !== 'null');
  if (nonNull.length < 2 || !nonNull.every((r) => r?.kind === 'record')) return undefined;
  const first = nonNull[0];
  if (first?.kind !== 'record') return undefined;
  for (const candidate of first.fields) {
    const values = records.map((r, i) => {
      if (branches[i]?.kind === 'null') return null;
      const field = r?.kind === 'record' ? r.fields.find((f) => f.name === candidate.name) : undefined;
      const t = field?.type;
      return field !== undefined && !field.optional && t?.kind === 'literal' && t.values.length === 1 && typeof t.values[0] === 'string' ? t.values[0] : undefined;
    });
    const strings = values.filter((v): v is string => typeof v === 'string');
    if (values.every((v) => v !== undefined) && new Set(strings).size === strings.length) return { property: candidate.name, values: values as (string | null)[] };
  }
  return undefined;
}
