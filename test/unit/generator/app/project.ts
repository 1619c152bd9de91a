import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GenerateModels } from '../../../../generator/src/pipeline.js';
import type { GeneratedFile } from '../../../../generator/src/ir/file-map.js';
import { fakeCatalog } from './fake-catalog.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const fixtures = join(repoRoot, 'test/fixtures/topology');

/** A throw-away project folder holding `topology` as faustgen.yaml and one schema file. */
export function tempProject(topology: string): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'faustgen-test-'));
  writeFileSync(join(root, 'faustgen.yaml'), topology);
  mkdirSync(join(root, 'schemas'));
  cpSync(join(repoRoot, 'templates/init/schemas/greeting.avsc'), join(root, 'schemas/greeting.avsc'));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** The models half replaced by the fake catalog and one generated model file. */
export const fakeModels: GenerateModels = (input) => {
  const path = `${input.outputDir}/models/com/example/greeting.ts`;
  const file: GeneratedFile = { path, content: 'export class Greeting {}\n', ownership: 'generated' };
  return { catalog: fakeCatalog(), files: new Map([[path, file]]), diagnostics: [] };
};

/**
 * Type-checks a scaffolded project with the repository's TypeScript, faustgen linked in as its
 * dependency; returns tsc's status and output.
 */
export function typecheckScaffold(root: string): { status: number | null; output: string } {
  mkdirSync(join(root, 'node_modules'), { recursive: true });
  symlinkSync(repoRoot, join(root, 'node_modules/faustgen'), 'dir');
  symlinkSync(join(repoRoot, 'node_modules/@types'), join(root, 'node_modules/@types'), 'dir');
  const compiled = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit'], { cwd: root, encoding: 'utf8' });
  return { status: compiled.status, output: `${compiled.stdout}${compiled.stderr}` };
}
