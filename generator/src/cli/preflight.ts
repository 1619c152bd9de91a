import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Project, ts } from 'ts-morph';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import { summarize } from './codegen-report.js';

/** How many type errors `faustgen worker` prints before "and N more". */
const shownErrors = 10;

/**
 * What `faustgen worker` checks before it starts (skip with --no-check): that the generated code is
 * what faustgen.yaml and the schemas generate now, and that the project type-checks under its own
 * tsconfig.json. Without it a worker ran stale wiring, or handlers that no longer compiled after a
 * schema change (issue 13: "timer failed" every 2 s, forever). Both failures are user errors
 * (exit 2) listing the files, or the first type errors with file:line:column.
 */
export async function preflight(target: { projectRoot: string; topologyPath?: string }): Promise<void> {
  const { generate } = await import('../pipeline.js');
  const summary = summarize(await generate({ ...target, check: true }), true);
  if (summary.stale.length > 0) {
    const files = summary.stale.slice(0, shownErrors).map((file) => `\n  stale: ${file}`).join('');
    throw new FaustgenError('FG_CODEGEN_STALE', `the generated code is out of date with faustgen.yaml and the schemas (${summary.stale.length} file(s)); run \`faustgen codegen\` (or start anyway with --no-check):${files}`, {
      kind: 'user',
      details: { stale: summary.stale },
    });
  }
  typecheck(target.projectRoot);
}

/** Type-checks the project as `tsc --noEmit -p <root>` would; throws FG_TYPECHECK with the first errors. */
export function typecheck(projectRoot: string): void {
  const configPath = join(projectRoot, 'tsconfig.json');
  if (!existsSync(configPath)) return;
  // ts-morph's Project carries the TypeScript lib files, so no typescript install is needed.
  const project = new Project({ tsConfigFilePath: configPath, compilerOptions: { noEmit: true } });
  const errors = project
    .getProgram()
    .compilerObject.getConfigFileParsingDiagnostics()
    .concat(ts.getPreEmitDiagnostics(project.getProgram().compilerObject))
    .filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error);
  if (errors.length === 0) return;
  const lines = errors.slice(0, shownErrors).map((diagnostic) => `\n  ${describe(diagnostic, projectRoot)}`);
  const more = errors.length > shownErrors ? `\n  … and ${errors.length - shownErrors} more (\`npx tsc --noEmit\` lists them all)` : '';
  throw new FaustgenError('FG_TYPECHECK', `the project does not type-check (${errors.length} error${errors.length === 1 ? '' : 's'}); fix them, or start anyway with --no-check:${lines.join('')}${more}`, {
    kind: 'user',
    details: { errors: errors.length },
  });
}

function describe(diagnostic: ts.Diagnostic, projectRoot: string): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
  if (diagnostic.file === undefined || diagnostic.start === undefined) return `TS${diagnostic.code}: ${message}`;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  return `${relative(projectRoot, diagnostic.file.fileName)}:${line + 1}:${character + 1} TS${diagnostic.code}: ${message}`;
}
