import { dirname, relative, resolve, sep } from 'node:path';
import type { ModelCatalog } from '../ir/model-catalog.js';
import { findTopology } from '../topology/find.js';
import type { GenerateResult } from '../pipeline.js';
import { loadTopology } from '../topology/load.js';
import type { Topology } from '../topology/types.js';
import { DiagnosticsError } from './failure.js';

export interface Project {
  readonly root: string;
  readonly topologyFile: string;
  readonly topology: Topology;
}

/** Loads and checks the topology (without schemas); throws a DiagnosticsError listing every problem. */
export async function loadProject(config: string | undefined): Promise<Project> {
  const cwd = process.cwd();
  const topologyFile = await findTopology(cwd, config);
  const root = config === undefined ? cwd : dirname(topologyFile);
  const loaded = await loadTopology(topologyFile, relative(cwd, topologyFile).split(sep).join('/'));
  if (loaded.topology === undefined || loaded.diagnostics.length > 0) throw new DiagnosticsError('FG_SCHEMA_INVALID', loaded.diagnostics);
  return { root: resolve(root), topologyFile, topology: loaded.topology };
}

/** The project root and topology path the generator expects for `--config`. */
export function generateTarget(config: string | undefined): { projectRoot: string; topologyPath?: string } {
  if (config === undefined) return { projectRoot: process.cwd() };
  const topologyPath = resolve(config);
  return { projectRoot: dirname(topologyPath), topologyPath };
}

/** Runs the full generator in check mode to read the model catalog. */
export async function loadCatalog(config: string | undefined): Promise<{ catalog: ModelCatalog; result: GenerateResult }> {
  const { generate } = await import('../pipeline.js');
  const result = await generate({ ...generateTarget(config), check: true });
  if (result.catalog === undefined || result.diagnostics.length > 0) throw new DiagnosticsError('FG_SCHEMA_INVALID', result.diagnostics);
  return { catalog: result.catalog, result };
}
