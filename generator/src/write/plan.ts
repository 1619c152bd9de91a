import { join } from 'node:path';
import type { FileMap, GeneratedFile } from '../ir/file-map.js';
import { exists, listFiles, readTextIfExists, sha256 } from './fs-utils.js';
import { markerContent, markerFileName, parseMarker } from './marker.js';

/** What writing a FileMap would change, computed without touching the disk. */
export interface WritePlan {
  /** Generated files (project-relative) whose content differs from disk. */
  readonly stale: readonly string[];
  /** Generated files absent from disk. */
  readonly missing: readonly string[];
  /** Files in the generated folder that the FileMap no longer has (project-relative). */
  readonly extra: readonly string[];
  readonly unchanged: readonly string[];
  /** User-owned files not on disk yet (they will be created). */
  readonly userMissing: readonly string[];
  /** User-owned files already on disk (never touched). */
  readonly userExisting: readonly string[];
  /** The generated folder holds files but no marker: faustgen refuses to write into it. */
  readonly foreignOutput: boolean;
  readonly markerChanged: boolean;
  readonly markerText: string;
  /** Generated files by path relative to the output folder. */
  readonly generated: ReadonlyMap<string, GeneratedFile>;
}

export interface PlanInput {
  readonly projectRoot: string;
  /** Generated folder, project-relative with forward slashes. */
  readonly outputDir: string;
  readonly files: FileMap;
  readonly inputs: Readonly<Record<string, string>>;
}

export async function planWrite(input: PlanInput): Promise<WritePlan> {
  const outputRoot = join(input.projectRoot, input.outputDir);
  const prefix = `${input.outputDir}/`;
  const generated = new Map<string, GeneratedFile>();
  const stale: string[] = [];
  const missing: string[] = [];
  const unchanged: string[] = [];
  const userMissing: string[] = [];
  const userExisting: string[] = [];
  const hashes: Record<string, string> = {};
  for (const file of [...input.files.values()].sort((a, b) => a.path.localeCompare(b.path))) {
    if (file.ownership === 'user') {
      (await exists(join(input.projectRoot, file.path)) ? userExisting : userMissing).push(file.path);
      continue;
    }
    if (!file.path.startsWith(prefix)) throw new Error(`generated file ${file.path} lies outside the generated folder ${input.outputDir}`);
    const relativePath = file.path.slice(prefix.length);
    generated.set(relativePath, file);
    hashes[relativePath] = sha256(file.content);
    const current = await readTextIfExists(join(outputRoot, relativePath));
    if (current === undefined) missing.push(file.path);
    else if (current !== file.content) stale.push(file.path);
    else unchanged.push(file.path);
  }
  const onDisk = await listFiles(outputRoot);
  const currentMarker = await readTextIfExists(join(outputRoot, markerFileName));
  const extra = onDisk.filter((path) => path !== markerFileName && !generated.has(path)).map((path) => `${prefix}${path}`);
  const markerText = markerContent(input.inputs, hashes);
  return {
    stale,
    missing,
    extra,
    unchanged,
    userMissing,
    userExisting,
    foreignOutput: onDisk.length > 0 && parseMarker(currentMarker) === undefined,
    markerChanged: currentMarker !== markerText,
    markerText,
    generated,
  };
}
