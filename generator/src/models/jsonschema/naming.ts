import { basename } from 'node:path';
import { pascalCase } from '../names.js';
import type { SourceDoc } from '../source.js';

const dottedName = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/**
 * Name of a file's root model: its `title` when that is already a (possibly dotted) name such as
 * `com.acme.Order`, the title in PascalCase otherwise, and the file name when there is no title.
 */
export function rootNames(source: SourceDoc): { fullName: string; className: string } {
  const root = source.json.value as Record<string, unknown> | null;
  const title = typeof root === 'object' && root !== null ? root['title'] : undefined;
  if (typeof title === 'string' && dottedName.test(title)) {
    const last = title.slice(title.lastIndexOf('.') + 1);
    const className = pascalCase(last);
    return { fullName: title.slice(0, title.length - last.length) + className, className };
  }
  const stem = typeof title === 'string' && title.trim() !== '' ? title : basename(source.absPath).replace(/(\.schema)?\.json$/i, '');
  const className = pascalCase(stem);
  return { fullName: className, className };
}
