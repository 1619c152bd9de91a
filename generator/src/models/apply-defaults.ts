import { convertDefault, isDefaultError } from './avro/defaults.js';
import type { IrType, ModelRegistry } from './ir.js';
import type { DiagnosticSink } from './source.js';

/** Converts every Avro field default now that all named types are known, reporting bad ones. */
export function applyAvroDefaults(registry: ModelRegistry, sink: DiagnosticSink): void {
  for (const model of registry.values()) {
    if (model.kind !== 'record') continue;
    for (const field of model.fields) {
      // A default of a type that failed to convert cannot be checked; that type's problem is reported already.
      if (field.avroDefault === undefined || !refsResolve(field.type, registry)) continue;
      const result = convertDefault(field.type, field.avroDefault.json, registry);
      if (isDefaultError(result)) {
        const hint = field.type.kind === 'union' ? 'a union default must match the first branch of the union' : undefined;
        sink.report(model.source, `${field.pointer}/default`, `invalid default for field ${field.name}: ${result.error}`, hint);
      } else {
        field.defaultValue = result;
      }
    }
  }
}

function refsResolve(type: IrType, registry: ModelRegistry, seen = new Set<string>()): boolean {
  switch (type.kind) {
    case 'ref': {
      if (seen.has(type.name)) return true;
      seen.add(type.name);
      const model = registry.get(type.name);
      if (model === undefined) return false;
      if (model.kind === 'record') return model.fields.every((f) => refsResolve(f.type, registry, seen));
      return model.kind === 'union' || model.kind === 'alias' ? refsResolve(model.type, registry, seen) : true;
    }
    case 'union':
      return type.branches.every((b) => refsResolve(b, registry, seen));
    case 'array':
      return refsResolve(type.items, registry, seen);
    case 'map':
      return refsResolve(type.values, registry, seen);
    default:
      return true;
  }
}
