/**
 * Collects the imports of one generated module: each (module, name) once, type-only when only used
 * as a type, aliased when two modules export the same name.
 */
export interface ImportSpec {
  readonly module: string;
  readonly named: readonly { readonly name: string; readonly alias?: string }[];
  readonly typeOnly: boolean;
  /** `import type * as ns from 'module'` */
  readonly namespace?: string;
}

interface Binding {
  readonly module: string;
  readonly name: string;
  local: string;
  typeOnly: boolean;
}

export class ImportSet {
  private readonly bindings = new Map<string, Binding>();
  private readonly namespaces = new Map<string, string>();
  private readonly taken: Set<string>;

  /** `reserved` are names the module declares itself. */
  constructor(reserved: Iterable<string> = []) {
    this.taken = new Set(reserved);
  }

  /** Returns the local name to use for `name` from `module`. */
  add(module: string, name: string, options: { readonly typeOnly?: boolean; readonly as?: string } = {}): string {
    const key = `${module}\0${name}`;
    const typeOnly = options.typeOnly ?? false;
    const existing = this.bindings.get(key);
    if (existing !== undefined) {
      existing.typeOnly &&= typeOnly;
      return existing.local;
    }
    const preferred = options.as ?? name;
    let local = preferred;
    for (let n = 2; this.taken.has(local); n++) local = `${preferred}${n}`;
    this.taken.add(local);
    this.bindings.set(key, { module, name, local, typeOnly });
    return local;
  }

  addNamespace(module: string, namespace: string): string {
    this.namespaces.set(module, namespace);
    this.taken.add(namespace);
    return namespace;
  }

  /** Imports sorted by module, package imports first, then relative ones; deterministic. */
  specs(): ImportSpec[] {
    const modules = [...new Set([...[...this.bindings.values()].map((b) => b.module), ...this.namespaces.keys()])];
    modules.sort((a, b) => Number(a.startsWith('.')) - Number(b.startsWith('.')) || a.localeCompare(b));
    const specs: ImportSpec[] = [];
    for (const module of modules) {
      const namespace = this.namespaces.get(module);
      if (namespace !== undefined) specs.push({ module, named: [], typeOnly: true, namespace });
      for (const typeOnly of [false, true]) {
        const named = [...this.bindings.values()]
          .filter((binding) => binding.module === module && binding.typeOnly === typeOnly)
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((binding) => (binding.local === binding.name ? { name: binding.name } : { name: binding.name, alias: binding.local }));
        if (named.length > 0) specs.push({ module, named, typeOnly });
      }
    }
    return specs;
  }
}
