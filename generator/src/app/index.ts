import type { Diagnostic } from '../ir/diagnostics.js';
import type { FileMap, GeneratedFile } from '../ir/file-map.js';
import type { ModelCatalog } from '../ir/model-catalog.js';
import type { Topology } from '../topology/types.js';
import { createEmitContext } from './context.js';
import { emitApp, emitMain, emitModelsBarrel, emitRegistry, emitSettings, emitTables, emitTopics } from './emit-core.js';
import { emitStubs } from './emit-stubs.js';
import { emitAgents, emitHandlerTypes, emitSchedules } from './emit-wiring.js';
import { ModuleRenderer } from './render-module.js';

export { generatedHeader, generatedHeaderPrefix, stubMarker, stubMarkerPattern } from './header.js';
export { handlerModules } from './context.js';
export { packageRoot, packageVersion } from './package-root.js';

/**
 * Emits the app half of a project: the always-regenerated wiring under the output folder and the
 * scaffold-once handler and test stubs. Assumes the topology and its types were checked.
 */
export function emitAppFiles(topology: Topology, catalog: ModelCatalog): { files: FileMap; diagnostics: Diagnostic[] } {
  const context = createEmitContext(topology, catalog, new ModuleRenderer());
  const out = topology.paths.output;
  const generated: [string, (ctx: typeof context) => string][] = [
    ['settings.ts', emitSettings],
    ['app.ts', emitApp],
    ['topics.ts', emitTopics],
    ['tables.ts', emitTables],
    ['handlers.ts', emitHandlerTypes],
    ['agents.ts', emitAgents],
    ['schedules.ts', emitSchedules],
    ['registry.ts', emitRegistry],
    ['main.ts', emitMain],
    ['models.ts', emitModelsBarrel],
  ];
  const files = new Map<string, GeneratedFile>();
  const diagnostics: Diagnostic[] = [];
  for (const [name, emit] of generated) {
    const path = `${out}/${name}`;
    try {
      files.set(path, { path, content: emit(context), ownership: 'generated' });
    } catch (error) {
      diagnostics.push({ message: `internal error while generating ${name}: ${(error as Error).message}`, where: { file: topology.displayPath }, hint: 'this is a faustgen bug; please report it' });
    }
  }
  for (const stub of emitStubs(context)) files.set(stub.path, stub);
  return { files, diagnostics };
}
