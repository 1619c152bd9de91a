import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory under the OS temp dir, removed by the returned cleanup. */
export function makeTempDir(prefix: string): { readonly path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), `faustgen-${prefix}-`));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

export const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

export const text = (buffer: Buffer): string => buffer.toString('latin1');
