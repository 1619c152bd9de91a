import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { emitAppFiles, handlerModules, stubMarkerPattern } from './app/index.js';
import type { Diagnostic } from './ir/diagnostics.js';
import type { FileMap, GeneratedFile } from './ir/file-map.js';
import type { ModelCatalog } from './ir/model-catalog.js';
import { checkTypes, loadTopology } from './topology/index.js';
import type { Topology } from './topology/index.js';
import { findTopology } from './topology/find.js';
import { withAvroHistory } from './topology/avro-history.js';
import { expandSchemaPaths } from './topology/schema-files.js';

export { findTopology };
import { listFiles, sha256 } from './write/fs-utils.js';
import { writeFileMap } from './write/index.js';
import type { WritePlan } from './write/index.js';

export interface GenerateConfig {
  /** Folder of the project; relative paths in the topology resolve against it. */
  readonly projectRoot: string;
  /** Topology file; default `faustgen.yaml` (or `.yml`, `.json`) in the project root. */
  readonly topologyPath?: string;
  /** Report what is out of date without writing. */
  readonly check?: boolean;
}

/** What the models half receives: the schema files to turn into models and where their output goes. */
export interface ModelsInput {
  readonly projectRoot: string;
  /** Absolute paths, sorted. */
  readonly schemaFiles: readonly string[];
  /** Project-relative generated folder, e.g. `src/generated`; model FileMap paths lie below it. */
  readonly outputDir: string;
  readonly onProgress?: (done: number, total: number, file: string) => void;
}

export interface ModelsOutput {
  readonly catalog: ModelCatalog;
  readonly files: FileMap;
  readonly diagnostics: readonly Diagnostic[];
}

export type GenerateModels = (input: ModelsInput) => ModelsOutput | Promise<ModelsOutput>;

export type ProgressEvent =
  | { readonly stage: 'topology'; readonly file: string }
  | { readonly stage: 'schemas'; readonly done: number; readonly total: number; readonly file?: string }
  | { readonly stage: 'emit'; readonly files: number }
  | { readonly stage: 'write'; readonly check: boolean };

export interface GenerateHooks {
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Replaces the models half (tests use a fake catalog). */
  readonly generateModels?: GenerateModels;
}

export interface GenerateResult {
  readonly diagnostics: readonly Diagnostic[];
  /** Project-relative paths written this run (nothing in check mode). */
  readonly written: readonly string[];
  readonly unchanged: readonly string[];
  /** Generated files out of date: in check mode those that differ, are missing or are extra. */
  readonly stale: readonly string[];
  /** Generated files removed because nothing generates them any more. */
  readonly deleted: readonly string[];
  /** Handler and test stubs created (or, in check mode, that would be). */
  readonly userStubsAdded: readonly string[];
  /** Stubs whose agent, timer, crontab, task or page is gone; reported, never deleted. */
  readonly orphanedStubs: readonly string[];
  readonly topology?: Topology;
  readonly catalog?: ModelCatalog;
  readonly plan?: WritePlan;
}

async function defaultGenerateModels(input: ModelsInput): Promise<ModelsOutput> {
  // Loaded lazily: the models half is only needed by commands that generate.
  const { generateModels } = await import('./models/index.js');
  return generateModels({ schemaFiles: input.schemaFiles, projectRoot: input.projectRoot, outDir: input.outputDir }, input.onProgress);
}

const toPosix = (path: string): string => path.split(sep).join('/');

/** Stub files whose marker names something the topology no longer declares. */
async function findOrphanedStubs(projectRoot: string, topology: Topology): Promise<string[]> {
  const expected = new Set(handlerModules(topology).map((module) => `${module.kind} ${module.name}`));
  for (const agent of topology.agents) expected.add(`agent-test ${agent.name}`);
  const orphans: string[] = [];
  for (const folder of [...new Set([topology.paths.handlers, topology.paths.tests])]) {
    for (const file of await listFiles(join(projectRoot, folder))) {
      if (!file.endsWith('.ts')) continue;
      const head = (await readFile(join(projectRoot, folder, file), 'utf8')).slice(0, 300);
      const match = stubMarkerPattern.exec(head);
      if (match !== null && !expected.has(`${match[1]} ${match[2]}`)) orphans.push(`${folder}/${file}`);
    }
  }
  return orphans.sort();
}

function mergeFileMaps(maps: readonly FileMap[], topologyFile: string): { files: Map<string, GeneratedFile>; diagnostics: Diagnostic[] } {
  const files = new Map<string, GeneratedFile>();
  const diagnostics: Diagnostic[] = [];
  for (const map of maps) {
    for (const [path, file] of map) {
      if (files.has(path)) diagnostics.push({ message: `two generators produce ${path}`, where: { file: topologyFile }, hint: 'rename the model or the topology entity that maps to this file' });
      else files.set(path, file);
    }
  }
  return { files, diagnostics };
}

/**
 * The whole generator: topology → schema files → models → app wiring → one FileMap → writer. Any
 * diagnostic means nothing is written. Never throws for a user mistake; problems come back as
 * diagnostics.
 */
export async function generate(config: GenerateConfig, hooks: GenerateHooks = {}): Promise<GenerateResult> {
  const projectRoot = resolve(config.projectRoot);
  const topologyFile = await findTopology(projectRoot, config.topologyPath);
  const displayPath = toPosix(relative(projectRoot, topologyFile)) || topologyFile;
  const nothing = { written: [], unchanged: [], stale: [], deleted: [], userStubsAdded: [], orphanedStubs: [] };
  hooks.onProgress?.({ stage: 'topology', file: displayPath });
  const loaded = await loadTopology(topologyFile, displayPath);
  const { topology: declared, document } = loaded;
  if (declared === undefined || document === undefined) return { ...nothing, diagnostics: loaded.diagnostics };
  const locate = (diagnostic: Diagnostic): Diagnostic =>
    diagnostic.where.file === displayPath && diagnostic.where.line === undefined && diagnostic.where.pointer !== undefined
      ? { ...diagnostic, where: document.locate(diagnostic.where.pointer) }
      : diagnostic;

  const schemas = await expandSchemaPaths(dirname(topologyFile), declared.paths.schemas, displayPath);
  hooks.onProgress?.({ stage: 'schemas', done: 0, total: schemas.files.length });
  const models = await (hooks.generateModels ?? defaultGenerateModels)({
    projectRoot,
    schemaFiles: schemas.files,
    outputDir: declared.paths.output,
    onProgress: (done, total, file) => hooks.onProgress?.({ stage: 'schemas', done, total, file }),
  });
  hooks.onProgress?.({ stage: 'schemas', done: schemas.files.length, total: schemas.files.length });
  const diagnostics: Diagnostic[] = [...loaded.diagnostics, ...schemas.diagnostics, ...models.diagnostics];
  diagnostics.push(...checkTypes(declared, models.catalog, document));
  const history = await withAvroHistory(declared, models.catalog, document, dirname(topologyFile), projectRoot);
  diagnostics.push(...history.diagnostics);
  const topology = history.topology;
  const base = { ...nothing, topology, catalog: models.catalog };
  if (diagnostics.length > 0) return { ...base, diagnostics: diagnostics.map(locate) };

  const app = emitAppFiles(topology, models.catalog);
  const merged = mergeFileMaps([models.files, app.files], displayPath);
  hooks.onProgress?.({ stage: 'emit', files: merged.files.size });
  diagnostics.push(...app.diagnostics, ...merged.diagnostics);
  const inputs: Record<string, string> = { [displayPath]: topology.sha256 };
  for (const file of [...schemas.files, ...history.files]) inputs[toPosix(relative(projectRoot, file))] = sha256(await readFile(file));

  hooks.onProgress?.({ stage: 'write', check: config.check === true });
  const result = await writeFileMap({ projectRoot, outputDir: topology.paths.output, files: merged.files, diagnostics, inputs, check: config.check === true });
  const orphanedStubs = await findOrphanedStubs(projectRoot, topology);
  const plan = result.plan;
  const stale = plan === undefined ? [] : config.check === true ? [...plan.stale, ...plan.missing, ...plan.extra].sort() : [];
  return {
    ...base,
    diagnostics: result.diagnostics,
    written: result.written,
    unchanged: result.unchanged,
    stale,
    deleted: result.deleted,
    userStubsAdded: config.check === true ? (plan?.userMissing ?? []) : result.userStubsAdded,
    orphanedStubs,
    ...(plan === undefined ? {} : { plan }),
  };
}
