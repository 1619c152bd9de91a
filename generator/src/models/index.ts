/**
 * Models half of the generator: Avro (.avsc) and JSON Schema files -> typed model modules plus a
 * catalog for the app emitter. Pure: it reads the schema files and returns files and diagnostics;
 * it never writes. Every problem of a run is reported, each with file, line and JSON pointer.
 *
 * @example
 * const { files, catalog, diagnostics } = await generateModels({
 *   schemaFiles: ['/app/schemas/order.avsc'], projectRoot: '/app', outDir: 'src/generated',
 * });
 */
import type { Diagnostic } from '../ir/diagnostics.js';
import type { FileMap, GeneratedFile } from '../ir/file-map.js';
import type { ModelCatalog } from '../ir/model-catalog.js';
import { applyAvroDefaults } from './apply-defaults.js';
import { collectDefinitions } from './avro/collect.js';
import { convertAvro } from './avro/convert.js';
import { buildCatalog } from './catalog.js';
import { assignModulePaths } from './emit/module-paths.js';
import { emitModels } from './emit/index.js';
import type { ModelIr } from './ir.js';
import { convertJsonSchemas } from './jsonschema/convert.js';
import { DiagnosticSink, loadSource, toRelPath } from './source.js';
import type { SourceDoc } from './source.js';
import { validateModels } from './validate.js';

export interface ModelGenerationInput {
  /** Absolute paths of `.avsc` and `.json` / `.schema.json` files. */
  readonly schemaFiles: readonly string[];
  readonly projectRoot: string;
  /** Generated folder relative to projectRoot, e.g. `src/generated`. */
  readonly outDir: string;
  /** Package generated code imports the runtime from; default `faustgen` (it uses `<runtimeImport>/codegen`). */
  readonly runtimeImport?: string;
}

export interface ModelGenerationResult {
  readonly catalog: ModelCatalog;
  /** Paths relative to projectRoot, ownership `generated`; empty when there are diagnostics. */
  readonly files: FileMap;
  readonly diagnostics: readonly Diagnostic[];
}

export type { ModelIr } from './ir.js';

export async function generateModels(
  input: ModelGenerationInput,
  onProgress?: (done: number, total: number, file: string) => void,
): Promise<ModelGenerationResult> {
  const sink = new DiagnosticSink();
  // Sorted so that output and diagnostics do not depend on the order the caller listed files in.
  const paths = [...new Set(input.schemaFiles)].sort();
  const avroDocs: SourceDoc[] = [];
  const jsonDocs: SourceDoc[] = [];
  for (const [i, path] of paths.entries()) {
    const isAvro = /\.avsc$/i.test(path);
    if (!isAvro && !/\.json$/i.test(path)) {
      sink.reportFile(toRelPath(input.projectRoot, path), 'unsupported schema file: expected .avsc (Avro) or .json / .schema.json (JSON Schema)');
    } else {
      const doc = await loadSource(path, input.projectRoot, sink);
      if (doc !== undefined) (isAvro ? avroDocs : jsonDocs).push(doc);
    }
    onProgress?.(i + 1, paths.length, path);
  }

  const definitions = collectDefinitions(avroDocs, sink);
  const avroModels = convertAvro(avroDocs, definitions, sink);
  const avroNames = new Map([...avroModels, ...definitions.byName.values()].map((d) => [d.fullName, 'source' in d ? d.source.relPath : d.doc.relPath] as const));
  const jsonModels = convertJsonSchemas(jsonDocs, sink, avroNames);
  const registry = new Map<string, ModelIr>([...avroModels, ...jsonModels].map((m) => [m.fullName, m] as const));

  applyAvroDefaults(registry, sink);
  validateModels(registry, sink);
  if (sink.items.length > 0) {
    // The catalog still lists the models that did convert, so the app emitter can report its own problems too.
    return { catalog: buildCatalog(registry, assignModulePaths([...registry.values()])), files: new Map(), diagnostics: sortDiagnostics(sink.items) };
  }
  const emitted = emitModels(registry, { outDir: input.outDir, runtimeImport: input.runtimeImport ?? 'faustgen' }, sink);
  const files = new Map<string, GeneratedFile>(emitted.files.map((f) => [f.path, f] as const));
  return {
    catalog: buildCatalog(registry, emitted.modulePaths),
    files: sink.items.length > 0 ? new Map() : files,
    diagnostics: sortDiagnostics(sink.items),
  };
}

function sortDiagnostics(items: readonly Diagnostic[]): Diagnostic[] {
  return [...items].sort(
    (a, b) =>
      a.where.file.localeCompare(b.where.file) ||
      (a.where.line ?? 0) - (b.where.line ?? 0) ||
      (a.where.column ?? 0) - (b.where.column ?? 0) ||
      a.message.localeCompare(b.message),
  );
}
