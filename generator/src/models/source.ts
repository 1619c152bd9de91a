import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import type { Diagnostic } from '../ir/diagnostics.js';
import { JsonSyntaxError, parseLocatedJson } from './json-locate.js';
import type { LocatedJson } from './json-locate.js';

/** One schema file: its text, hash, and parsed JSON with positions. */
export interface SourceDoc {
  readonly absPath: string;
  /** Relative to the project root with forward slashes; what diagnostics and headers show. */
  readonly relPath: string;
  readonly sha256: string;
  readonly json: LocatedJson;
}

/** Collects every problem of a run; nothing stops at the first one. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];

  report(doc: SourceDoc, pointer: string, message: string, hint?: string): void {
    const { line, column } = doc.json.locate(pointer);
    this.items.push({ message, where: { file: doc.relPath, line, column, pointer }, ...(hint === undefined ? {} : { hint }) });
  }

  reportFile(file: string, message: string, position?: { line: number; column: number }, hint?: string): void {
    this.items.push({ message, where: { file, ...(position ?? {}) }, ...(hint === undefined ? {} : { hint }) });
  }
}

export function toRelPath(projectRoot: string, absPath: string): string {
  return relative(projectRoot, absPath).split(sep).join('/');
}

/** Reads and parses one schema file; reports and returns undefined when it cannot. */
export async function loadSource(absPath: string, projectRoot: string, sink: DiagnosticSink): Promise<SourceDoc | undefined> {
  const relPath = toRelPath(projectRoot, absPath);
  let text: string;
  try {
    text = await readFile(absPath, 'utf8');
  } catch (error) {
    sink.reportFile(relPath, `cannot read schema file: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  try {
    const json = parseLocatedJson(text);
    const doc: SourceDoc = { absPath, relPath, sha256: createHash('sha256').update(text).digest('hex'), json };
    for (const pointer of json.duplicateKeys) sink.report(doc, pointer, 'duplicate key in JSON object (the last one would silently win)');
    return doc;
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      sink.reportFile(relPath, error.message, error.position);
      return undefined;
    }
    throw error;
  }
}
