import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Diagnostic } from '../ir/diagnostics.js';
import type { FileMap } from '../ir/file-map.js';
import { exists, linkOrCopy, writeFileAtomic } from './fs-utils.js';
import { markerFileName } from './marker.js';
import { planWrite } from './plan.js';
import type { WritePlan } from './plan.js';

export interface WriteRequest {
  readonly projectRoot: string;
  readonly outputDir: string;
  readonly files: FileMap;
  readonly diagnostics: readonly Diagnostic[];
  /** sha256 of each input, recorded in the marker. */
  readonly inputs: Readonly<Record<string, string>>;
  /** Compute what is out of date without writing anything. */
  readonly check?: boolean;
}

export interface WriteResult {
  /** Nothing was written because of diagnostics, a foreign output folder, or check mode. */
  readonly skipped: 'diagnostics' | 'foreign-output' | 'check' | false;
  /** Project-relative paths written (generated files changed or added, user stubs added). */
  readonly written: readonly string[];
  readonly unchanged: readonly string[];
  /** Generated files removed because the FileMap no longer has them. */
  readonly deleted: readonly string[];
  readonly userStubsAdded: readonly string[];
  readonly plan?: WritePlan;
  readonly diagnostics: readonly Diagnostic[];
}

function siblings(outputRoot: string): { staging: string; previous: string } {
  const parent = dirname(outputRoot);
  const name = basename(outputRoot);
  return { staging: join(parent, `.${name}.faustgen-staging`), previous: join(parent, `.${name}.faustgen-previous`) };
}

/** Puts back the previous output if a crash happened between the two renames of a swap. */
async function recover(outputRoot: string): Promise<void> {
  const { staging, previous } = siblings(outputRoot);
  if (!(await exists(outputRoot)) && (await exists(previous))) await rename(previous, outputRoot);
  await rm(staging, { recursive: true, force: true });
  await rm(previous, { recursive: true, force: true });
}

/**
 * Builds the whole generated folder next to the old one (unchanged files hard-linked, so their
 * mtime stays) and swaps it in with two renames: a crash leaves the old folder or the new one,
 * never a mix, and `recover` finishes an interrupted swap on the next run.
 */
async function swapInGeneratedFolder(outputRoot: string, plan: WritePlan): Promise<void> {
  const { staging, previous } = siblings(outputRoot);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const current = new Set(plan.unchanged);
  for (const [relativePath, file] of plan.generated) {
    const target = join(staging, relativePath);
    if (current.has(file.path)) await linkOrCopy(join(outputRoot, relativePath), target);
    else {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.content, 'utf8');
    }
  }
  await writeFile(join(staging, markerFileName), plan.markerText, 'utf8');
  await mkdir(dirname(outputRoot), { recursive: true });
  const hadOutput = await exists(outputRoot);
  if (hadOutput) await rename(outputRoot, previous);
  await rename(staging, outputRoot);
  if (hadOutput) await rm(previous, { recursive: true, force: true });
}

/** The only code that writes generated output. Writes nothing when any diagnostic exists. */
export async function writeFileMap(request: WriteRequest): Promise<WriteResult> {
  const empty = { written: [], unchanged: [], deleted: [], userStubsAdded: [] };
  if (request.diagnostics.length > 0) return { ...empty, skipped: 'diagnostics', diagnostics: request.diagnostics };
  const outputRoot = join(request.projectRoot, request.outputDir);
  if (request.check !== true) await recover(outputRoot);
  const plan = await planWrite(request);
  if (plan.foreignOutput) {
    const diagnostic: Diagnostic = {
      message: `refusing to write into ${request.outputDir}: it holds files but no ${markerFileName} marker, so they may not be faustgen's`,
      where: { file: request.outputDir },
      hint: 'point `output` at a new folder, or empty this one',
    };
    return { ...empty, skipped: 'foreign-output', plan, diagnostics: [diagnostic] };
  }
  if (request.check === true) return { ...empty, unchanged: plan.unchanged, skipped: 'check', plan, diagnostics: [] };
  const generatedChanged = plan.stale.length + plan.missing.length + plan.extra.length > 0 || plan.markerChanged;
  if (generatedChanged) await swapInGeneratedFolder(outputRoot, plan);
  for (const path of plan.userMissing) {
    const file = request.files.get(path);
    if (file !== undefined) await writeFileAtomic(join(request.projectRoot, path), file.content);
  }
  return {
    skipped: false,
    written: [...plan.missing, ...plan.stale, ...plan.userMissing].sort(),
    unchanged: plan.unchanged,
    deleted: plan.extra,
    userStubsAdded: plan.userMissing,
    plan,
    diagnostics: [],
  };
}
