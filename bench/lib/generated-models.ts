/**
 * Generates model modules from schema files with the real generator at bench start, into a
 * throw-away folder whose node_modules/faustgen links to this repository: the generated code then
 * imports `faustgen/codegen` as in a user's project (the built dist/ that `npm run bench` refreshes).
 * So a bench measures what `faustgen codegen` writes today, never a hand-written copy of it.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatDiagnostic } from '../../generator/src/ir/diagnostics.js';
import { generateModels } from '../../generator/src/models/index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = 'src/generated';

export interface GeneratedModels {
  /** Imports a generated module by its catalog path (`models/bench/codec/order.js`) and returns its exports. */
  load(modulePath: string): Promise<Record<string, unknown>>;
  /** The catalog's module path of a model, by full name. */
  modulePath(fullName: string): string;
  cleanup(): void;
}

/** Schema files of the benchmarks, by path relative to `bench/schemas`. */
export function benchSchema(relPath: string): string {
  return join(repoRoot, 'bench/schemas', relPath);
}

export async function generateBenchModels(schemaFiles: readonly string[]): Promise<GeneratedModels> {
  const result = await generateModels({ schemaFiles, projectRoot: repoRoot, outDir });
  if (result.diagnostics.length > 0) throw new Error(`bench schemas do not generate:\n${result.diagnostics.map((d) => formatDiagnostic(d)).join('\n')}`);
  const dir = mkdtempSync(join(tmpdir(), 'faustgen-bench-models-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'faustgen-bench-models', private: true, type: 'module' }));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(repoRoot, join(dir, 'node_modules', 'faustgen'), 'dir');
  for (const file of result.files.values()) {
    const target = join(dir, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
  }
  const paths = new Map(result.catalog.entries.map((entry) => [entry.fullName, entry.modulePath] as const));
  return {
    load: async (modulePath) => (await import(pathToFileURL(join(dir, outDir, modulePath.replace(/\.js$/, '.ts'))).href)) as Record<string, unknown>,
    modulePath(fullName) {
      const path = paths.get(fullName);
      if (path === undefined) throw new Error(`no generated model ${fullName} (have ${[...paths.keys()].join(', ')})`);
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
