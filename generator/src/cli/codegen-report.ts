import type { GenerateResult } from '../pipeline.js';
import { DiagnosticsError } from './failure.js';

/** What `faustgen codegen` prints and returns with --json. */
export interface CodegenSummary {
  readonly check: boolean;
  readonly written: readonly string[];
  readonly unchanged: number;
  readonly stale: readonly string[];
  readonly deleted: readonly string[];
  readonly userStubsAdded: readonly string[];
  readonly orphanedStubs: readonly string[];
}

export function summarize(result: GenerateResult, check: boolean): CodegenSummary {
  if (result.diagnostics.length > 0) throw new DiagnosticsError('FG_SCHEMA_INVALID', result.diagnostics);
  return {
    check,
    written: result.written,
    unchanged: result.unchanged.length,
    stale: result.stale,
    deleted: result.deleted,
    userStubsAdded: result.userStubsAdded,
    orphanedStubs: result.orphanedStubs,
  };
}

export function summaryLines(summary: CodegenSummary): string[] {
  const lines: string[] = [];
  if (summary.check) {
    for (const path of summary.stale) lines.push(`stale: ${path}`);
    for (const path of summary.userStubsAdded) lines.push(`missing stub: ${path}`);
    if (summary.stale.length + summary.userStubsAdded.length === 0) lines.push(`up to date (${summary.unchanged} generated files)`);
  } else {
    for (const path of summary.written) lines.push(`${summary.userStubsAdded.includes(path) ? 'created stub' : 'wrote'} ${path}`);
    for (const path of summary.deleted) lines.push(`deleted ${path}`);
    lines.push(`${summary.written.length} written, ${summary.unchanged} unchanged, ${summary.deleted.length} deleted`);
  }
  for (const path of summary.orphanedStubs) lines.push(`orphaned stub (its entry left the topology; not deleted): ${path}`);
  return lines;
}
