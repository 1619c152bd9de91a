import { FaustgenError } from '../../../runtime/src/core/errors.js';
import type { ErrorCode } from '../../../runtime/src/core/errors.js';
import type { Diagnostic } from '../ir/diagnostics.js';
import { formatDiagnostic } from '../ir/diagnostics.js';

/** A user-facing failure carrying every diagnostic of the run. */
export class DiagnosticsError extends FaustgenError {
  readonly diagnostics: readonly Diagnostic[];

  constructor(code: ErrorCode, diagnostics: readonly Diagnostic[], summary?: string) {
    const first = diagnostics[0];
    super(code, summary ?? (first === undefined ? 'failed' : formatDiagnostic(first)), { kind: 'user', details: { diagnostics } });
    this.diagnostics = diagnostics;
  }
}

/** The lines the CLI prints for a failure: one per diagnostic, `error CODE: file:line:col (pointer): message`. */
export function failureLines(error: unknown): string[] | undefined {
  if (error instanceof DiagnosticsError) {
    const lines = error.diagnostics.map((diagnostic) => `error ${error.code}: ${formatDiagnostic(diagnostic)}`);
    const count = error.diagnostics.length;
    lines.push(`${count} problem${count === 1 ? '' : 's'} found; nothing was written.`);
    return lines;
  }
  if (FaustgenError.is(error) && (error.kind === 'user' || error.kind === 'data' || error.kind === 'transport')) {
    return [`error ${error.code}: ${error.message}`];
  }
  return undefined;
}
