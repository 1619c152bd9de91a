import { Project, QuoteKind, ts } from 'ts-morph';
import type { SourceFile } from 'ts-morph';
import type { ImportSpec } from './imports.js';

/**
 * Assembles a TypeScript module from its header, imports and body with ts-morph, and fails loudly if
 * the result does not parse, so a template slip is caught at generation time and not in the user's
 * build.
 */
export class ModuleRenderer {
  private readonly project = new Project({ useInMemoryFileSystem: true, manipulationSettings: { quoteKind: QuoteKind.Single } });
  private counter = 0;

  render(path: string, header: string, imports: readonly ImportSpec[], body: string): string {
    const file: SourceFile = this.project.createSourceFile(`/render-${this.counter++}.ts`, body.trimStart(), { overwrite: true });
    file.insertImportDeclarations(
      0,
      imports.map((spec) =>
        spec.namespace !== undefined
          ? { moduleSpecifier: spec.module, namespaceImport: spec.namespace, isTypeOnly: spec.typeOnly }
          : {
              moduleSpecifier: spec.module,
              isTypeOnly: spec.typeOnly,
              namedImports: spec.named.map((named) => (named.alias === undefined ? { name: named.name } : { name: named.name, alias: named.alias })),
            },
      ),
    );
    const text = `${header}\n${file.getFullText().replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
    this.project.removeSourceFile(file);
    const problems = ts.transpileModule(text, { reportDiagnostics: true, fileName: path, compilerOptions: { module: ts.ModuleKind.ESNext } }).diagnostics ?? [];
    if (problems.length > 0) {
      const first = problems[0];
      const message = ts.flattenDiagnosticMessageText(first?.messageText ?? 'syntax error', ' ');
      throw new Error(`generated ${path} does not parse: ${message} at offset ${first?.start ?? 0}`);
    }
    return text;
  }
}
