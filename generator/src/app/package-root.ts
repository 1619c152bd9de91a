import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The folder of the faustgen package (holding package.json, templates/, schemas/). Found by walking
 * up from this module because it sits at different depths in generator/src and dist/generator/src.
 */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
      if (parsed.name === 'faustgen') return (cached = folder);
    }
    const parent = dirname(folder);
    if (parent === folder) throw new Error('cannot find the faustgen package root above ' + fileURLToPath(import.meta.url));
    folder = parent;
  }
}

export function packageVersion(): string {
  const parsed = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
  return typeof parsed.version === 'string' ? parsed.version : '0.0.0';
}
