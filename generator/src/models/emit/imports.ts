/**
 * The imports of one generated module: which other models it uses, under which local names. Names
 * that would clash with the module's own declarations (or with each other) are imported with an
 * alias, so two models that share a short name in different namespaces still work together.
 */
import { posix } from 'node:path';
import type { ImportDeclarationStructure, OptionalKind } from 'ts-morph';
import type { ModelIr, ModelRegistry } from '../ir.js';

export type ImportUse = 'type' | 'value';

interface Wanted {
  readonly module: string;
  readonly exported: string;
  local: string;
  typeOnly: boolean;
}

export class ModuleImports {
  private readonly wanted = new Map<string, Wanted>();
  private readonly locals: Set<string>;

  constructor(
    private readonly self: ModelIr,
    private readonly registry: ModelRegistry,
    private readonly modulePaths: ReadonlyMap<string, string>,
    ownDeclarations: readonly string[],
  ) {
    this.locals = new Set(ownDeclarations);
  }

  /** The local name of another model's export (its class/type, or its `...Model` descriptor). */
  use(fullName: string, exported: 'name' | 'model' | 'avroSchema', use: ImportUse): string {
    const target = this.registry.get(fullName);
    // Only a run with diagnostics (whose catalog is still built) can refer to a model that failed to convert.
    if (target === undefined) return fullName.slice(fullName.lastIndexOf('.') + 1);
    const name = exported === 'name' ? target.className : exported === 'model' ? `${target.className}Model` : `${target.className}AvroSchema`;
    if (fullName === this.self.fullName) return name;
    const key = `${fullName}\u0000${name}`;
    let entry = this.wanted.get(key);
    if (entry === undefined) {
      let local = name;
      for (let n = 1; this.locals.has(local); n++) local = `${name}$${n}`;
      this.locals.add(local);
      entry = { module: this.modulePaths.get(fullName) ?? '', exported: name, local, typeOnly: true };
      this.wanted.set(key, entry);
    }
    if (use === 'value') entry.typeOnly = false;
    return entry.local;
  }

  /** ts-morph structures, sorted so that output is stable. */
  structures(runtimeImport: string): OptionalKind<ImportDeclarationStructure>[] {
    const fromDir = posix.dirname(this.modulePaths.get(this.self.fullName) ?? '');
    const byModule = new Map<string, Wanted[]>();
    for (const w of this.wanted.values()) byModule.set(w.module, [...(byModule.get(w.module) ?? []), w]);
    const structures: OptionalKind<ImportDeclarationStructure>[] = [
      { moduleSpecifier: `${runtimeImport}/codegen`, namespaceImport: '$fg' },
    ];
    for (const module of [...byModule.keys()].sort()) {
      // Relative to the target's folder, then its file: a module can import one whose path is its own
      // folder (models/tree/node imports models/tree), where relative(fromDir, module) would be empty.
      const folder = posix.relative(fromDir, posix.dirname(module));
      const specifier = `${folder === '' ? '.' : folder.startsWith('.') ? folder : `./${folder}`}/${posix.basename(module)}.js`;
      const entries = (byModule.get(module) ?? []).sort((a, b) => a.exported.localeCompare(b.exported));
      const allTypes = entries.every((e) => e.typeOnly);
      structures.push({
        moduleSpecifier: specifier,
        isTypeOnly: allTypes,
        namedImports: entries.map((e) => ({
          name: e.exported,
          ...(e.local === e.exported ? {} : { alias: e.local }),
          ...(e.typeOnly && !allTypes ? { isTypeOnly: true } : {}),
        })),
      });
    }
    return structures;
  }
}
