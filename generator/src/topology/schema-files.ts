import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, parse, relative, sep } from 'node:path';
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

/** Entries a schema path may visit before it is refused as too broad. */
const maxEntries = 100_000;

interface Walk {
  readonly files: string[];
  /** The first problem met: a symlink loop, an unreadable folder, too many entries. */
  problem?: string;
}

/**
 * Every file under `folder`, following symbolic links to files and folders, but refusing a link
 * that leads back to a folder being walked (a loop), a folder that cannot be read and a walk of more
 * than `maxEntries` entries: each is reported rather than skipped (issue 13).
 */
async function walk(folder: string, baseDir: string): Promise<Walk> {
  const result: Walk = { files: [] };
  let visited = 0;
  const show = (path: string): string => relative(baseDir, path) || '.';
  const visit = async (dir: string, ancestors: readonly string[]): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      result.problem ??= `cannot read folder "${show(dir)}": ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (result.problem !== undefined) return;
      if (++visited > maxEntries) {
        result.problem = `more than ${maxEntries} entries under "${show(folder)}"`;
        return;
      }
      const path = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const target = await stat(path);
          isDir = target.isDirectory();
          isFile = target.isFile();
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ELOOP') result.problem = `symbolic link loop at "${show(path)}"`;
          continue; // a dangling link names no schema
        }
      }
      if (isFile) result.files.push(path);
      else if (isDir) {
        const real = await realpath(path);
        if (ancestors.includes(real)) {
          result.problem = `symbolic link loop: "${show(path)}" leads back to "${show(real)}"`;
          return;
        }
        await visit(path, [...ancestors, real]);
      }
    }
  };
  await visit(folder, [await realpath(folder)]);
  return result;
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
    const problem = (message: string, hint: string): void => {
      diagnostics.push({ message: `schema path "${pattern}": ${message}`, where: { file: displayPath, pointer: `/schemas/${index}` }, hint });
    };
    let walked: Walk | undefined;
    if (!/[*?{]/.test(pattern)) {
      const what = await kind(absolute);
      if (what === 'file') found.add(absolute);
      if (what === 'dir') {
        walked = await walk(absolute, baseDir);
        for (const file of walked.files) if (schemaExtensions.some((ext) => file.endsWith(ext))) found.add(file);
      }
    } else {
      const segments = absolute.split(sep);
      const firstGlob = segments.findIndex((segment) => /[*?{]/.test(segment));
      const root = segments.slice(0, firstGlob).join(sep) || sep;
      if (root === parse(root).root) {
        problem('would search the whole file system', 'start the pattern with a folder, e.g. "schemas/**/*.avsc"');
        continue;
      }
      const matcher = globToRegExp(segments.slice(firstGlob).join('/'));
      if ((await kind(root)) === 'dir') {
        walked = await walk(root, baseDir);
        for (const file of walked.files) if (matcher.test(relative(root, file).split(sep).join('/'))) found.add(file);
      }
    }
    if (walked?.problem !== undefined) {
      problem(walked.problem, 'schema folders must be finite and readable: remove the link or narrow the path');
      continue;
    }
    if (found.size === before) {
      diagnostics.push({ message: `schema path "${pattern}" matches no schema file`, where: { file: displayPath, pointer: `/schemas/${index}` }, hint: 'schema folders are searched for *.avsc and *.json files' });
    }
  }
  return { files: [...found].sort(), diagnostics };
}
