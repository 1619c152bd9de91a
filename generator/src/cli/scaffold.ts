import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../app/package-root.js';
import { renderTemplate } from '../app/templates.js';
import { exists, writeFileAtomic } from '../write/fs-utils.js';

export interface ScaffoldOptions {
  readonly dir: string;
  readonly appId: string;
}

/** An npm package name from a folder name: lower case, only safe characters. */
export function projectName(dir: string): string {
  const name = basename(dir).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+|[-]+$/g, '');
  return name === '' ? 'faustgen-app' : name;
}

async function templateFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/')).sort();
}

function targetPath(template: string): string {
  const path = template.replace(/\.hbs$/, '');
  return path === 'gitignore' ? '.gitignore' : path;
}

/** Writes templates/init into `dir`; returns the project-relative paths written. */
export async function scaffold(options: ScaffoldOptions): Promise<string[]> {
  const root = packageRoot();
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  const version = (name: string, fallback: string): string => JSON.stringify(manifest.devDependencies?.[name] ?? manifest.dependencies?.[name] ?? fallback);
  const view = {
    appId: options.appId,
    nameJson: JSON.stringify(projectName(options.dir)),
    faustgenJson: JSON.stringify(`file:${root}`),
    typesNodeJson: version('@types/node', '^20.19.0'),
    tsxJson: version('tsx', '^4.20.0'),
    typescriptJson: version('typescript', '~5.9.3'),
    testsDir: 'test/agents',
    schemaUrl: pathToFileURL(join(root, 'schemas', 'faustgen.schema.json')).href,
  };
  const written: string[] = [];
  for (const template of await templateFiles(join(root, 'templates', 'init'))) {
    const target = targetPath(template);
    const content = template.endsWith('.hbs') ? renderTemplate(`init/${template}`, view) : await readFile(join(root, 'templates', 'init', template), 'utf8');
    if (await exists(join(options.dir, target))) continue;
    await writeFileAtomic(join(options.dir, target), content);
    written.push(target);
  }
  return written;
}
