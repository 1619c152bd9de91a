import { isBrokerUrlScheme, knownBrokerUrls, urlScheme } from '../../../runtime/src/app/broker-schemes.js';
import { topologyKeys } from './keys.js';
import type { Reader, Obj } from './reader.js';
import { joinPointer } from './source-map.js';
import type { Paths, SecuritySettings, Settings } from './types.js';

const logLevels = ['debug', 'info', 'warn', 'error'];
const guarantees = ['at_least_once', 'exactly_once'];

export function readSettings(reader: Reader, root: Obj): Settings {
  const id = reader.string(root, 'app', '', true) ?? 'app';
  if (!/^[A-Za-z0-9._-]+$/.test(id)) {
    reader.error('/app', `app id "${id}" can only use letters, digits, ".", "_" and "-"`, 'it prefixes internal topic names');
  }
  const broker = reader.string(root, 'broker', '') ?? 'memory://';
  if (!isBrokerUrlScheme(urlScheme(broker) ?? '')) {
    reader.error('/broker', `unsupported broker URL "${broker}"`, `use one of ${knownBrokerUrls()}, e.g. "kafka://host:9092;host2:9092" (kafka+<client>:// chooses the Kafka client)`);
  }
  const store = reader.string(root, 'store', '') ?? 'memory://';
  if (!/^(memory|rocksdb):\/\//.test(store)) {
    reader.error('/store', `unsupported store URL "${store}"`, 'use "memory://" or "rocksdb://"');
  }
  const logLevel = reader.string(root, 'logLevel', '');
  if (logLevel !== undefined && !logLevels.includes(logLevel)) {
    reader.error('/logLevel', `unknown log level "${logLevel}"`, `use one of ${logLevels.join(', ')}`);
  }
  const processingGuarantee = reader.string(root, 'processingGuarantee', '');
  if (processingGuarantee !== undefined && !guarantees.includes(processingGuarantee)) {
    reader.error('/processingGuarantee', `unknown processing guarantee "${processingGuarantee}"`, `use ${guarantees.join(' or ')}`);
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
    commitIntervalMs: reader.positiveInt(root, 'commitIntervalMs', ''),
    sessionTimeoutMs: reader.positiveInt(root, 'sessionTimeoutMs', ''),
    heartbeatIntervalMs: reader.positiveInt(root, 'heartbeatIntervalMs', ''),
    rebalanceTimeoutMs: reader.positiveInt(root, 'rebalanceTimeoutMs', ''),
    maxOutputsInFlight: reader.positiveInt(root, 'maxOutputsInFlight', ''),
    changelogBufferSize: reader.positiveInt(root, 'changelogBufferSize', '', 2 ** 31 - 1, 0),
    webPort: reader.positiveInt(root, 'webPort', '', 65535),
    webEnabled: reader.boolean(root, 'webEnabled', ''),
    webHost: reader.string(root, 'webHost', ''),
    logLevel,
    processingGuarantee,
    security: readSecurity(reader, root),
    schemaRegistryUrl,
    schemaRegistryAutoRegister,
    faustCompat: reader.boolean(root, 'faustCompat', ''),
  };
  const session = optional.sessionTimeoutMs ?? 10_000;
  if (optional.heartbeatIntervalMs !== undefined && optional.heartbeatIntervalMs >= session) {
    reader.error('/heartbeatIntervalMs', `"heartbeatIntervalMs" (${optional.heartbeatIntervalMs}) must be lower than "sessionTimeoutMs" (${session})`, 'a third of the session timeout or less is usual');
  }
  const settings: Record<string, unknown> = { id, broker, store };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) settings[key] = value;
  return settings as unknown as Settings;
}

const protocols = ['plaintext', 'ssl', 'sasl_plaintext', 'sasl_ssl'];
const mechanisms = ['plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer'];

/** `security:` (TLS and SASL for kafka://). Secrets are refused here: they come from the environment. */
function readSecurity(reader: Reader, root: Obj): SecuritySettings | undefined {
  if (root['security'] === undefined) return undefined;
  const object = reader.object(root['security'], '/security', topologyKeys.security, 'security');
  if (object === undefined) return undefined;
  const protocol = reader.string(object, 'protocol', '/security');
  if (protocol !== undefined && !protocols.includes(protocol)) reader.error('/security/protocol', `unknown security protocol "${protocol}"`, `use one of ${protocols.join(', ')}`);
  const out: { protocol?: string; ssl?: Record<string, unknown>; sasl?: Record<string, unknown> } = {};
  if (protocol !== undefined) out.protocol = protocol;
  if (object['ssl'] !== undefined) {
    const ssl = reader.object(object['ssl'], '/security/ssl', topologyKeys.securitySsl, 'security.ssl');
    if (ssl !== undefined) {
      const fields = { ca: reader.string(ssl, 'ca', '/security/ssl'), cert: reader.string(ssl, 'cert', '/security/ssl'), key: reader.string(ssl, 'key', '/security/ssl'), rejectUnauthorized: reader.boolean(ssl, 'rejectUnauthorized', '/security/ssl') };
      out.ssl = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    }
  }
  if (object['sasl'] !== undefined) {
    const sasl = reader.object(object['sasl'], '/security/sasl', topologyKeys.securitySasl, 'security.sasl');
    if (sasl !== undefined) {
      const mechanism = reader.string(sasl, 'mechanism', '/security/sasl', true);
      if (mechanism !== undefined && !mechanisms.includes(mechanism)) reader.error('/security/sasl/mechanism', `unknown SASL mechanism "${mechanism}"`, `use one of ${mechanisms.join(', ')}`);
      const username = reader.string(sasl, 'username', '/security/sasl');
      out.sasl = { mechanism, ...(username === undefined ? {} : { username }) };
    }
  }
  return out as SecuritySettings;
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
