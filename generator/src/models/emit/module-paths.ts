import type { ModelIr } from '../ir.js';
import { kebabCase } from '../names.js';

/**
 * Module path of every model relative to the generated folder, e.g. `models/com/acme/order` for
 * `com.acme.Order` (no extension). Paths that differ only by case get a numeric suffix so that the
 * output also works on case-insensitive file systems.
 */
export function assignModulePaths(models: readonly ModelIr[]): Map<string, string> {
  const paths = new Map<string, string>();
  const taken = new Set<string>();
  for (const model of models) {
    const base = `models/${model.fullName.split('.').map(kebabCase).join('/')}`;
    let candidate = base;
    for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${base}-${n}`;
    taken.add(candidate.toLowerCase());
    paths.set(model.fullName, candidate);
  }
  return paths;
}
