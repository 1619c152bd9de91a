/**
 * Generates models into a temporary project whose node_modules/faustgen links to this repository,
 * so that generated code resolves `faustgen/codegen` exactly as in a user's project (through the
 * package "exports", i.e. the built dist/). Then imports or type-checks the generated modules.
 */
import { mkdtempSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { generateModels } from '../../../../generator/src/models/index.js';
import type { ModelGenerationResult } from '../../../../generator/src/models/index.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const fixturesDir = join(repoRoot, 'test/fixtures/schemas');
export const outDir = 'src/generated';

export function fixtureFiles(subdir: string, suffix: RegExp): string[] {
  const dir = join(fixturesDir, subdir);
  return readdirSync(dir)
    .filter((f) => suffix.test(f))
    .map((f) => join(dir, f));
}

/** The generated code runs against dist/; a stale build would test old runtime code. */
export function assertRuntimeBuilt(): void {
  const built = join(repoRoot, 'dist/runtime/src/codegen/index.js');
  const sources = join(repoRoot, 'runtime/src/codegen');
  let builtAt = 0;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {
    throw new Error('dist/runtime/src/codegen is missing: run `npm run build` first');
  }
  for (const file of readdirSync(sources)) {
    if (statSync(join(sources, file)).mtimeMs > builtAt) throw new Error(`runtime/src/codegen/${file} is newer than dist: run \`npm run build\` first`);
  }
}

export interface GeneratedProject {
  readonly dir: string;
  readonly result: ModelGenerationResult;
  /** Imports a generated module by its path under the generated folder, e.g. `models/com/acme/order.ts`. */
  load<T = Record<string, unknown>>(modulePath: string): Promise<T>;
  cleanup(): void;
}

export async function generateProject(schemaFiles: readonly string[]): Promise<GeneratedProject> {
  assertRuntimeBuilt();
  const result = await generateModels({ schemaFiles, projectRoot: repoRoot, outDir });
  const dir = mkdtempSync(join(tmpdir(), 'faustgen-models-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'generated-models-test', private: true, type: 'module' }));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(repoRoot, join(dir, 'node_modules', 'faustgen'), 'dir');
  for (const file of result.files.values()) {
    const target = join(dir, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
  }
  return {
    dir,
    result,
    load: async <T>(modulePath: string) => (await import(pathToFileURL(join(dir, outDir, modulePath)).href)) as T,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Type-checks the generated folder with the repository's strict base config; returns formatted errors. */
export function typecheck(dir: string): string[] {
  const configPath = join(dir, 'tsconfig.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      extends: join(repoRoot, 'tsconfig.base.json'),
      compilerOptions: { noEmit: true, typeRoots: [join(repoRoot, 'node_modules/@types')] },
      include: [`${outDir}/**/*.ts`],
    }),
  );
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (config === undefined) throw new Error('cannot read generated tsconfig');
  const program = ts.createProgram(config.fileNames, config.options);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file === undefined ? '' : `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: `;
    return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
  });
}
