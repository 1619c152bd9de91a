import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Diagnostic } from '../ir/diagnostics.js';
import { topologyKeys } from './keys.js';
import { Reader } from './reader.js';
import { readPaths, readSettings } from './read-root.js';
import { readAgent, readChannel, readTopic } from './read-streams.js';
import { readTable } from './read-tables.js';
import { readCrontab, readPage, readTask, readTimer } from './read-schedules.js';
import { parseSource } from './source-map.js';
import type { SourceDocument } from './source-map.js';
import type { Topology } from './types.js';
import { validateReferences } from './validate.js';

export interface LoadedTopology {
  /** Present when the file could be read and parsed; it may still carry diagnostics. */
  readonly topology?: Topology;
  readonly document?: SourceDocument;
  readonly diagnostics: readonly Diagnostic[];
}

function collect<T>(reader: Reader, root: Readonly<Record<string, unknown>>, key: string, read: (reader: Reader, value: unknown, pointer: string) => T | undefined): T[] {
  return reader
    .list(root, key, '')
    .map((item) => read(reader, item.value, item.pointer))
    .filter((item): item is T => item !== undefined);
}

/** Parses and checks topology text; every problem found is returned, none is thrown. */
export function parseTopology(text: string, file: string, displayPath: string): LoadedTopology {
  const parsed = parseSource(text, displayPath);
  if (parsed.document === undefined) return { diagnostics: parsed.diagnostics };
  const document = parsed.document;
  const reader = new Reader(document);
  const root = reader.object(document.value ?? {}, '', topologyKeys.root, 'the topology');
  if (root === undefined) return { document, diagnostics: reader.diagnostics };
  const draft: Topology = {
    file,
    displayPath,
    sha256: createHash('sha256').update(text).digest('hex'),
    settings: readSettings(reader, root),
    paths: readPaths(reader, root),
    topics: collect(reader, root, 'topics', readTopic),
    channels: collect(reader, root, 'channels', readChannel),
    agents: collect(reader, root, 'agents', readAgent),
    tables: collect(reader, root, 'tables', readTable),
    timers: collect(reader, root, 'timers', readTimer),
    crontabs: collect(reader, root, 'crontabs', readCrontab),
    tasks: collect(reader, root, 'tasks', readTask),
    pages: collect(reader, root, 'pages', readPage),
  };
  const validated = validateReferences(draft, document);
  return { topology: validated.topology, document, diagnostics: [...reader.diagnostics, ...validated.diagnostics] };
}

export async function loadTopology(file: string, displayPath: string): Promise<LoadedTopology> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    return { diagnostics: [{ message: `cannot read topology: ${reason}`, where: { file: displayPath }, hint: 'run `faustgen init` or pass --config' }] };
  }
  return parseTopology(text, file, displayPath);
}
