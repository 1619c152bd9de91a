import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where a handler's error came from, for logs: the user's own stack frames (faustgen's runtime,
 * node_modules and Node's internals left out), and `at`, the first of them as `file:line:column`
 * relative to the working directory. Under `faustgen worker` (tsx) and with Node's source maps on,
 * frames name the TypeScript source lines.
 */
export interface ErrorOrigin {
  /** `src/agents/count.ts:12:7`: the innermost frame in the user's code. */
  readonly at?: string;
  /** The user's frames, one `at ...` line each (the error's message is not repeated). */
  readonly stack?: string;
}

/** The runtime's own source folder (runtime/src/ or dist/runtime/src/): its frames are not the user's. */
const runtimeRoot = fileURLToPath(new URL('../', import.meta.url));

const framePattern = /^\s*at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/;

function framePath(location: string): string {
  if (location.startsWith('file://')) {
    try {
      return fileURLToPath(location.replace(/\?.*$/, ''));
    } catch {
      return location;
    }
  }
  return location;
}

function isUserFrame(path: string): boolean {
  if (path.startsWith('node:') || path.startsWith('internal/') || !path.includes(sep)) return false;
  if (path.includes(`${sep}node_modules${sep}`)) return false;
  return !path.startsWith(runtimeRoot);
}

function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

/** The innermost error of a `cause` chain: the one the user's code threw. */
export function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 10 && current instanceof Error && current.cause !== undefined; depth++) current = current.cause;
  return current;
}

/** The user's frames of an error (its root cause's), for the `at` and `stack` log fields. */
export function errorOrigin(error: unknown): ErrorOrigin {
  const root = rootCause(error);
  if (!(root instanceof Error) || typeof root.stack !== 'string') return {};
  const frames: string[] = [];
  let at: string | undefined;
  for (const line of root.stack.split('\n')) {
    const match = framePattern.exec(line);
    if (match === null) continue;
    const [, fn, location = '', row = '', column = ''] = match;
    const path = framePath(location);
    if (!isUserFrame(path)) continue;
    const where = `${shortPath(path)}:${row}:${column}`;
    at ??= where;
    frames.push(`at ${fn === undefined || fn === '' ? where : `${fn} (${where})`}`);
  }
  if (at === undefined) return {};
  return { at, stack: frames.join('\n') };
}
