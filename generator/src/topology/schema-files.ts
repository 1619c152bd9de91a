import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { Diagnostic } from '../ir/diagnostics.js';

const schemaExtensions = ['.avsc', '.json'];

function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] ?? '';
    if (char === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '{') {
      const end = pattern.indexOf('}', i);
      if (end < 0) source += '\\{';
      else {
        source += `(?:${pattern.slice(i + 1, end).split(',').map((part) => part.replace(/[.+^$()|[\]\\]/g, '\\$&')).join('|')})`;
        i = end;
      }
    } else source += char.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

async function walk(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

async function kind(path: string): Promise<'file' | 'dir' | undefined> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? 'dir' : 'file';
  } catch {
    return undefined;
  }
}

/**
 * Expands the topology's schema paths (folders, files or globs with `*`, `**`, `?`, `{a,b}`, relative
 * to the topology's folder) into absolute schema files, sorted so runs are reproducible. A path that
 * matches nothing is reported.
 */
export async function expandSchemaPaths(baseDir: string, patterns: readonly string[], displayPath: string): Promise<{ files: string[]; diagnostics: Diagnostic[] }> {
  const found = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const [index, pattern] of patterns.entries()) {
    const absolute = isAbsolute(pattern) ? pattern : join(baseDir, pattern);
    const before = found.size;
    if (!/[*?{]/.test(pattern)) {
      const what = await kind(absolute);
      if (what === 'file') found.add(absolute);
      if (what === 'dir') for (const file of await walk(absolute)) if (schemaExtensions.some((ext) => file.endsWith(ext))) found.add(file);
    } else {
      const segments = absolute.split(sep);
      const firstGlob = segments.findIndex((segment) => /[*?{]/.test(segment));
      const root = segments.slice(0, firstGlob).join(sep) || sep;
      const matcher = globToRegExp(segments.slice(firstGlob).join('/'));
      if ((await kind(root)) === 'dir') {
        for (const file of await walk(root)) if (matcher.test(relative(root, file).split(sep).join('/'))) found.add(file);
      }
    }
    if (found.size === before) {
      diagnostics.push({ message: `schema path "${pattern}" matches no schema file`, where: { file: displayPath, pointer: `/schemas/${index}` }, hint: 'schema folders are searched for *.avsc and *.json files' });
    }
  }
  return { files: [...found].sort(), diagnostics };
}
