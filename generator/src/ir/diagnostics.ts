/** Where a generator input problem is: a file plus a line or a JSON pointer into the document. */
export interface SourceLocation {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  /** RFC 6901 pointer into the schema or topology document, e.g. `/fields/2/type`. */
  readonly pointer?: string;
}

export interface Diagnostic {
  readonly message: string;
  readonly where: SourceLocation;
  /** A short hint on how to fix it. */
  readonly hint?: string;
}

/** Formats `file:line:column (pointer): message`, the one-line form the CLI prints. */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const { file, line, column, pointer } = diagnostic.where;
  let place = file;
  if (line !== undefined) place += `:${line}${column !== undefined ? `:${column}` : ''}`;
  if (pointer !== undefined && pointer !== '') place += ` (${pointer})`;
  const hint = diagnostic.hint === undefined ? '' : ` — ${diagnostic.hint}`;
  return `${place}: ${diagnostic.message}${hint}`;
}
