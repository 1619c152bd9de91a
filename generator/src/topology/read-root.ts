import { topologyKeys } from './keys.js';
import type { Reader, Obj } from './reader.js';
import { joinPointer } from './source-map.js';
import type { Paths, Settings } from './types.js';

const logLevels = ['debug', 'info', 'warn', 'error'];

export function readSettings(reader: Reader, root: Obj): Settings {
  const id = reader.string(root, 'app', '', true) ?? 'app';
  if (!/^[A-Za-z0-9._-]+$/.test(id)) {
    reader.error('/app', `app id "${id}" can only use letters, digits, ".", "_" and "-"`, 'it prefixes internal topic names');
  }
  const broker = reader.string(root, 'broker', '') ?? 'memory://';
  if (!/^(memory|kafka):\/\//.test(broker)) {
    reader.error('/broker', `unsupported broker URL "${broker}"`, 'use "memory://" or "kafka://host:9092;host2:9092"');
  }
  const store = reader.string(root, 'store', '') ?? 'memory://';
  if (!/^(memory|rocksdb):\/\//.test(store)) {
    reader.error('/store', `unsupported store URL "${store}"`, 'use "memory://" or "rocksdb://"');
  }
  const logLevel = reader.string(root, 'logLevel', '');
  if (logLevel !== undefined && !logLevels.includes(logLevel)) {
    reader.error('/logLevel', `unknown log level "${logLevel}"`, `use one of ${logLevels.join(', ')}`);
  }
  let schemaRegistryUrl: string | undefined;
  let schemaRegistryAutoRegister: boolean | undefined;
  if (root['schemaRegistry'] !== undefined) {
    const registry = reader.object(root['schemaRegistry'], '/schemaRegistry', topologyKeys.schemaRegistry, 'schemaRegistry');
    if (registry !== undefined) {
      schemaRegistryUrl = reader.string(registry, 'url', '/schemaRegistry');
      if (schemaRegistryUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(schemaRegistryUrl)) {
        reader.error('/schemaRegistry/url', `schema registry URL "${schemaRegistryUrl}" is not an http(s) URL`, 'e.g. http://localhost:8081; credentials go in FAUSTGEN_SCHEMA_REGISTRY_USERNAME/PASSWORD or _TOKEN, never here');
      } else if (schemaRegistryUrl !== undefined && /^https?:\/\/[^/]*@/.test(schemaRegistryUrl)) {
        reader.error('/schemaRegistry/url', 'the schema registry URL must not carry credentials', 'set FAUSTGEN_SCHEMA_REGISTRY_USERNAME/PASSWORD or FAUSTGEN_SCHEMA_REGISTRY_TOKEN in the environment');
      }
      schemaRegistryAutoRegister = reader.boolean(registry, 'autoRegister', '/schemaRegistry');
    }
  }
  const optional = {
    datadir: reader.string(root, 'datadir', ''),
    topicPartitions: reader.positiveInt(root, 'topicPartitions', ''),
    topicReplicationFactor: reader.positiveInt(root, 'topicReplicationFactor', '', 32767),
    webPort: reader.positiveInt(root, 'webPort', '', 65535),
    webEnabled: reader.boolean(root, 'webEnabled', ''),
    logLevel,
    schemaRegistryUrl,
    schemaRegistryAutoRegister,
  };
  const settings: Record<string, unknown> = { id, broker, store };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) settings[key] = value;
  return settings as unknown as Settings;
}

function relativeFolder(reader: Reader, root: Obj, key: string, fallback: string): string {
  const value = reader.string(root, key, '') ?? fallback;
  const normalized = value.replaceAll('\\', '/').replace(/^\.\//, '').replace(/\/+$/, '');
  if (normalized.startsWith('/') || normalized.split('/').includes('..') || normalized === '' || normalized === '.') {
    reader.error(joinPointer('', key), `"${key}" must be a folder inside the project, found "${value}"`);
    return fallback;
  }
  return normalized;
}

export function readPaths(reader: Reader, root: Obj): Paths {
  const schemas = root['schemas'] === undefined ? ['schemas'] : [];
  if (typeof root['schemas'] === 'string') schemas.push(root['schemas']);
  else if (root['schemas'] !== undefined) {
    for (const item of reader.list(root, 'schemas', '')) {
      if (typeof item.value === 'string' && item.value !== '') schemas.push(item.value);
      else reader.error(item.pointer, 'schema paths must be non-empty strings (globs or folders)');
    }
  }
  const output = relativeFolder(reader, root, 'output', 'src/generated');
  const handlers = relativeFolder(reader, root, 'handlers', 'src/agents');
  const tests = relativeFolder(reader, root, 'tests', 'test/agents');
  const overlaps = (a: string, b: string): boolean => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
  if (overlaps(output, handlers)) {
    reader.error('/output', `output folder "${output}" overlaps the handlers folder "${handlers}"`, 'generated files and user files must live apart');
  }
  if (overlaps(output, tests)) {
    reader.error('/output', `output folder "${output}" overlaps the tests folder "${tests}"`, 'generated files and user files must live apart');
  }
  return { schemas, output, handlers, tests };
}
