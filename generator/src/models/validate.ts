/** Checks over the whole model set, after both front ends: values that can never exist, ambiguous JSON. */
import type { IrType, ModelIr, ModelRegistry } from './ir.js';
import type { DiagnosticSink } from './source.js';

/**
 * Fields a record may have. The generated class of a record with 10,000 properties did not compile
 * (TS2563: too large for control flow analysis); refuse it at codegen, naming the schema.
 */
export const maxRecordFields = 1000;

export function validateModels(registry: ModelRegistry, sink: DiagnosticSink): void {
  reportUninhabited(registry, sink);
  for (const model of registry.values()) {
    if (model.kind === 'record' && model.fields.length > maxRecordFields) {
      sink.report(model.source, model.pointer, `record ${model.fullName} has ${model.fields.length} fields, more than the ${maxRecordFields} faustgen generates code for (TypeScript cannot check a class that large)`, 'split it into nested records');
    }
  }
  for (const model of registry.values()) {
    if (model.format !== 'avro' || model.kind !== 'record') continue;
    for (const field of model.fields) {
      forEachUnion(field.type, (union) => {
        const problem = jsonAmbiguity(union, registry);
        if (problem !== undefined) sink.report(model.source, `${field.pointer}/type`, problem, 'reorder or split the union, or use the Avro codec only');
      });
    }
  }
}

/**
 * A record whose required fields always lead back to itself has no finite value (Avro allows
 * recursion only through a union, array or map); a $ref chain of aliases that loops has none either.
 */
function reportUninhabited(registry: ModelRegistry, sink: DiagnosticSink): void {
  const inhabited = new Set<string>();
  const typeOk = (t: IrType): boolean => {
    switch (t.kind) {
      case 'ref':
        // A model that failed to convert was reported already; do not blame its users too.
        return inhabited.has(t.name) || !registry.has(t.name);
      case 'union':
        return t.branches.some(typeOk);
      case 'tuple':
        return t.prefix.slice(0, t.required).every(typeOk);
      default:
        return true;
    }
  };
  const modelOk = (m: ModelIr): boolean => {
    switch (m.kind) {
      case 'record':
        return m.fields.every((f) => f.optional || f.avroDefault !== undefined || typeOk(f.type));
      case 'union':
      case 'alias':
        return typeOk(m.type);
      default:
        return true;
    }
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const model of registry.values()) {
      if (!inhabited.has(model.fullName) && modelOk(model)) {
        inhabited.add(model.fullName);
        changed = true;
      }
    }
  }
  for (const model of registry.values()) {
    if (inhabited.has(model.fullName)) continue;
    if (model.kind === 'record') {
      const culprits = model.fields.filter((f) => !f.optional && f.avroDefault === undefined && !typeOk(f.type)).map((f) => f.name);
      sink.report(
        model.source,
        model.pointer,
        `record ${model.fullName} can never be built: its required field(s) ${culprits.join(', ')} always lead back to it`,
        'make the recursive field nullable (["null", ...]), optional, or a collection',
      );
    } else {
      sink.report(model.source, model.pointer, `${model.fullName} refers only to itself ($ref cycle) and has no values`);
    }
  }
}

function forEachUnion(t: IrType, visit: (u: Extract<IrType, { kind: 'union' }>) => void): void {
  switch (t.kind) {
    case 'union':
      visit(t);
      t.branches.forEach((b) => forEachUnion(b, visit));
      return;
    case 'array':
      return forEachUnion(t.items, visit);
    case 'map':
      return forEachUnion(t.values, visit);
    default:
      return;
  }
}

/** In JSON both bytes (base64) and string-like values are strings, so a union of both cannot round-trip. */
function jsonAmbiguity(union: Extract<IrType, { kind: 'union' }>, registry: ModelRegistry): string | undefined {
  const describe = (t: IrType): 'bytes' | 'string' | undefined => {
    if (t.kind === 'bytes') return 'bytes';
    if (t.kind === 'string' || (t.kind === 'logical' && t.logical !== 'duration')) return 'string';
    if (t.kind !== 'ref') return undefined;
    const target = registry.get(t.name);
    if (target?.kind === 'enum') return 'string';
    if (target?.kind === 'fixed') return target.logical === undefined ? 'bytes' : target.logical.logical === 'decimal' || target.logical.logical === 'uuid' ? 'string' : undefined;
    return undefined;
  };
  const kinds = union.branches.map(describe);
  if (kinds.includes('bytes') && kinds.includes('string')) {
    return 'union mixes bytes/fixed with string-like branches; both are strings in JSON, so the JSON codec could not tell them apart';
  }
  return undefined;
}
