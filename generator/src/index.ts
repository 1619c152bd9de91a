/**
 * Programmatic entry of the generator (`faustgen/generator`): `generate(config)` does what
 * `faustgen codegen` does and returns what changed instead of printing it.
 *
 * @example
 * const result = await generate({ projectRoot: process.cwd(), check: true });
 * if (result.diagnostics.length > 0 || result.stale.length > 0) process.exitCode = 1;
 */
export { generate, findTopology } from './pipeline.js';
export type { GenerateConfig, GenerateHooks, GenerateResult, GenerateModels, ModelsInput, ModelsOutput, ProgressEvent } from './pipeline.js';
export { loadTopology, parseTopology } from './topology/index.js';
export type { Topology } from './topology/index.js';
export { formatDiagnostic } from './ir/diagnostics.js';
export type { Diagnostic, SourceLocation } from './ir/diagnostics.js';
export type { FileMap, GeneratedFile, Ownership } from './ir/file-map.js';
export type { ModelCatalog, ModelEntry } from './ir/model-catalog.js';
