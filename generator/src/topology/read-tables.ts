import { topologyKeys } from './keys.js';
import { readNamed } from './read-named.js';
import type { Obj, Reader } from './reader.js';
import { joinPointer } from './source-map.js';
import type { TableDefault, TableSpec, WindowCloseSpec, WindowSpec } from './types.js';

function readDefault(reader: Reader, object: Obj, pointer: string): TableSpec['default'] {
  if (!('default' in object)) return undefined;
  const value = object['default'];
  const at = joinPointer(pointer, 'default');
  let result: TableDefault | undefined;
  if (value === null) result = { kind: 'null' };
  else if (typeof value === 'number' && Number.isFinite(value)) result = { kind: 'number', value };
  else if (typeof value === 'string') result = { kind: 'string', value };
  else if (typeof value === 'boolean') result = { kind: 'boolean', value };
  else if (Array.isArray(value) && value.length === 0) result = { kind: 'emptyArray' };
  else if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) result = { kind: 'emptyObject' };
  if (result === undefined) {
    reader.error(at, `unsupported table default ${JSON.stringify(value)}`, 'use a number, a string, true/false, [], {} or null');
    return undefined;
  }
  return { ...result, pointer: at };
}

function readWindow(reader: Reader, object: Obj, pointer: string): WindowSpec | undefined {
  if (object['window'] === undefined) return undefined;
  const at = joinPointer(pointer, 'window');
  const window = reader.object(object['window'], at, topologyKeys.window, 'window');
  if (window === undefined) return undefined;
  const type = reader.string(window, 'type', at, true);
  const unexpected = (keys: readonly string[]): void => {
    for (const key of keys) {
      if (window[key] !== undefined) reader.error(joinPointer(at, key), `a ${type} window has no "${key}"`, undefined, { key: true });
    }
  };
  const expiresMs = reader.duration(window, 'expires', at, type === 'sliding');
  const expires = expiresMs === undefined ? {} : { expiresMs };
  switch (type) {
    case 'tumbling': {
      unexpected(['step', 'before', 'after']);
      const sizeMs = reader.duration(window, 'size', at, true);
      return sizeMs === undefined ? undefined : { type, sizeMs, ...expires, pointer: at };
    }
    case 'hopping': {
      unexpected(['before', 'after']);
      const sizeMs = reader.duration(window, 'size', at, true);
      const stepMs = reader.duration(window, 'step', at, true);
      if (sizeMs === undefined || stepMs === undefined) return undefined;
      if (stepMs > sizeMs) {
        reader.error(joinPointer(at, 'step'), `hopping window step (${stepMs} ms) is larger than its size (${sizeMs} ms)`, 'windows would leave gaps: use a step no larger than the size');
        return undefined;
      }
      return { type, sizeMs, stepMs, ...expires, pointer: at };
    }
    case 'sliding': {
      unexpected(['size', 'step']);
      const beforeMs = reader.duration(window, 'before', at, true);
      const afterMs = reader.duration(window, 'after', at, true);
      if (beforeMs === undefined || afterMs === undefined || expiresMs === undefined) return undefined;
      return { type, beforeMs, afterMs, expiresMs, pointer: at };
    }
    case undefined:
      return undefined;
    default:
      reader.error(joinPointer(at, 'type'), `unknown window type "${type}"`, 'use tumbling, hopping or sliding');
      return undefined;
  }
}

/** `onWindowClose: name` or `onWindowClose: { name, topics: [...] }`. */
function readWindowClose(reader: Reader, object: Obj, pointer: string): WindowCloseSpec | undefined {
  const value = object['onWindowClose'];
  if (value === undefined) return undefined;
  const at = joinPointer(pointer, 'onWindowClose');
  const entry = typeof value === 'string' ? { name: value } : reader.object(value, at, topologyKeys.windowClose, 'onWindowClose');
  if (entry === undefined) return undefined;
  const named = readNamed(reader, entry, at, 'window close handler');
  const topics = typeof value === 'string' ? [] : reader.names(entry, 'topics', at);
  return named === undefined ? undefined : { ...named, pointer: at, topics };
}

export function readTable(reader: Reader, value: unknown, pointer: string): TableSpec | undefined {
  const object = reader.object(value, pointer, topologyKeys.table, 'table');
  if (object === undefined) return undefined;
  const named = readNamed(reader, object, pointer, 'table');
  const kindValue = object['kind'] ?? 'table';
  let kind: TableSpec['kind'] | undefined;
  if (kindValue === 'table' || kindValue === 'global' || kindValue === 'set') kind = kindValue;
  else reader.error(joinPointer(pointer, 'kind'), `unknown table kind ${JSON.stringify(kindValue)}`, 'use table, global or set');
  const key = reader.type(object, 'key', pointer, false, 'string');
  const valueType = reader.type(object, 'value', pointer, true);
  const tableDefault = readDefault(reader, object, pointer);
  const partitions = reader.positiveInt(object, 'partitions', pointer, 100_000);
  const window = readWindow(reader, object, pointer);
  if (kind !== undefined && kind !== 'table' && object['window'] !== undefined) {
    reader.error(joinPointer(pointer, 'window'), `a ${kind} table cannot be windowed`, 'only kind: table supports windows', { key: true });
  }
  const onWindowClose = readWindowClose(reader, object, pointer);
  if (onWindowClose !== undefined && object['window'] === undefined) {
    reader.error(onWindowClose.pointer, `table "${named?.name ?? '?'}" has onWindowClose but no window`, 'add a window, or remove onWindowClose', { key: true });
  }
  if (kind === 'set' && tableDefault !== undefined) {
    reader.error(tableDefault.pointer, 'a set table has no default: missing keys read as an empty set', undefined, { key: true });
  }
  const faustCompat = reader.boolean(object, 'faustCompat', pointer);
  if (faustCompat === true && (kind === 'set' || object['window'] !== undefined)) {
    reader.error(joinPointer(pointer, 'faustCompat'), `a ${kind === 'set' ? 'set' : 'windowed'} table cannot use Faust's changelog format`, "faustCompat covers plain and global tables; Faust's set and windowed changelogs have formats of their own (docs/faust-interop.md)", { key: true });
  }
  if (named === undefined || kind === undefined || key === undefined || valueType === undefined) return undefined;
  return {
    name: named.name,
    id: named.id,
    pointer,
    kind,
    key,
    value: valueType,
    ...(tableDefault === undefined ? {} : { default: tableDefault }),
    ...(partitions === undefined ? {} : { partitions }),
    ...(window === undefined ? {} : { window }),
    ...(onWindowClose === undefined ? {} : { onWindowClose }),
    ...(faustCompat === undefined ? {} : { faustCompat }),
  };
}
