import { describeError } from '../core/errors.js';
import { Table } from '../tables/table.js';
import type { GroupAssignment } from '../types/transport.js';
import type { PageRequest, PageResponse, WebServer } from './server.js';

/** What the built-in pages read from and ask of the worker. */
export interface OperationsHost {
  readonly id: string;
  /** The worker's state (`running`, `starting`, ...) and whether it crashed. */
  liveness(): { readonly state: string; readonly crashed: string | undefined };
  /** Ready: assigned, tables recovered, no stalled partition; otherwise the reasons why not. */
  readiness(): { readonly ready: boolean; readonly reasons: readonly string[] };
  stats(): Record<string, unknown>;
  assignment(): GroupAssignment | undefined;
  table(name: string): Table<unknown, unknown, unknown> | undefined;
  tableNames(): readonly string[];
  keyOwner(table: Table<unknown, unknown, unknown>, key: unknown): { partition: number; url: string | undefined; local: boolean } | undefined;
  metrics(): Promise<{ contentType: string; body: string }>;
  /** Sends bytes to a declared topic (`faustgen send` to a worker on the embedded broker). */
  sendRaw(topic: string, key: Buffer | null, value: Buffer | null, partition: number | undefined): Promise<{ partition: number; offset: number }>;
  hasTopic(topic: string): boolean;
}

/** Set on a table read another worker forwarded, so that a stale routing table cannot loop. */
export const FORWARDED_HEADER = 'x-faustgen-forwarded-by';

const json = (status: number, body: unknown): PageResponse => ({ status, body });

/** JSON that survives what table values may hold (bigint). */
function jsonSafe(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null') as unknown;
}

/** A key from a URL: a `string` key codec takes it as it is; otherwise JSON when it parses (42, "a b", {...}), else the text. */
export function keyFromUrl(table: Table<unknown, unknown, unknown>, text: string): unknown {
  if (table.definition.keyCodec.name === 'string') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * The operations pages every worker serves (Faust's web views): liveness, readiness, stats,
 * Prometheus metrics, the assignment, table routing and table reads routed to the owning worker.
 */
export function addWorkerPages(web: WebServer, host: OperationsHost): void {
  const get = { methods: ['GET'] } as const;
  web.route('/', () => json(200, { app: host.id, pages: ['/health', '/ready', '/stats', '/metrics', '/assignment', '/tables', '/router/:table/:key', '/table/:table/:key', 'POST /send/:topic'] }), get);
  web.route('/health', () => {
    const { state, crashed } = host.liveness();
    const alive = crashed === undefined && (state === 'running' || state === 'starting');
    return json(alive ? 200 : 503, { status: alive ? 'ok' : 'failing', state, ...(crashed === undefined ? {} : { crashed }) });
  }, get);
  web.route('/ready', () => {
    const { ready, reasons } = host.readiness();
    return json(ready ? 200 : 503, { ready, reasons });
  }, get);
  web.route('/stats', () => json(200, jsonSafe(host.stats())), get);
  web.route('/metrics', async () => {
    const { contentType, body } = await host.metrics();
    return { status: 200, body, contentType };
  }, get);
  web.route('/assignment', () => {
    const assignment = host.assignment();
    if (assignment === undefined) return json(503, { error: 'no assignment yet' });
    return json(200, { generation: assignment.generation, actives: assignment.assignment.actives, standbys: assignment.assignment.standbys, distribution: assignment.distribution });
  }, get);
  web.route('/tables', () => json(200, { tables: host.tableNames() }), get);
  web.route('/router/:table/:key', (request) => {
    const table = findTable(host, request);
    if (!(table instanceof Table)) return table;
    const key = keyFromUrl(table, request.params['key'] ?? '');
    const owner = host.keyOwner(table, key);
    if (owner === undefined) return json(503, { error: `table "${table.name}" has no partition count yet (the worker is starting)` });
    return json(200, { table: table.name, key: jsonSafe(key), partition: owner.partition, url: owner.url ?? null, local: owner.local });
  }, get);
  web.route('/table/:table/:key', async (request) => {
    const table = findTable(host, request);
    if (!(table instanceof Table)) return table;
    const text = request.params['key'] ?? '';
    const key = keyFromUrl(table, text);
    const owner = host.keyOwner(table, key);
    if (table.definition.kind === 'global' || owner?.local === true) {
      return json(200, { table: table.name, key: jsonSafe(key), value: jsonSafe(table.get(key) ?? null), found: table.has(key), ...(owner === undefined ? {} : { partition: owner.partition }) });
    }
    if (owner === undefined || owner.url === undefined) return json(503, { error: `no worker holds the partition of this key of table "${table.name}" right now (rebalancing?)`, ...(owner === undefined ? {} : { partition: owner.partition }) });
    if (request.headers[FORWARDED_HEADER] !== undefined) {
      return json(503, { error: `forwarded to this worker but partition ${owner.partition} of table "${table.name}" is not held here (rebalancing?)`, partition: owner.partition });
    }
    const target = `${owner.url}/table/${encodeURIComponent(table.name)}/${encodeURIComponent(text)}`;
    try {
      const response = await fetch(target, { headers: { [FORWARDED_HEADER]: host.id }, signal: request.signal });
      return json(response.status, await response.json());
    } catch (error) {
      return json(502, { error: `the worker holding partition ${owner.partition} of table "${table.name}" at ${owner.url} did not answer: ${describeError(error)}`, partition: owner.partition, url: owner.url });
    }
  }, get);
  web.route('/send/:topic', async (request) => {
    const topic = request.params['topic'] ?? '';
    if (!host.hasTopic(topic)) return json(404, { error: `the app declares no topic "${topic}"` });
    const body = request.body;
    if (typeof body !== 'object' || body === null || !('value' in body)) return json(400, { error: 'expected a JSON body {"key": base64 | null, "value": base64 | null, "partition"?: number}' });
    const { key, value, partition } = body as { key?: unknown; value?: unknown; partition?: unknown };
    const bytes = (field: string, v: unknown): Buffer | null | string => (v === null || v === undefined ? null : typeof v === 'string' ? Buffer.from(v, 'base64') : `"${field}" must be base64 text or null`);
    const keyBytes = bytes('key', key);
    const valueBytes = bytes('value', value);
    if (typeof keyBytes === 'string') return json(400, { error: keyBytes });
    if (typeof valueBytes === 'string') return json(400, { error: valueBytes });
    if (partition !== undefined && (typeof partition !== 'number' || !Number.isInteger(partition) || partition < 0)) return json(400, { error: '"partition" must be an integer ≥ 0' });
    const metadata = await host.sendRaw(topic, keyBytes, valueBytes, partition);
    return json(200, { topic, partition: metadata.partition, offset: metadata.offset });
  }, { methods: ['POST'] });
}

function findTable(host: OperationsHost, request: PageRequest): Table<unknown, unknown, unknown> | PageResponse {
  const name = request.params['table'] ?? '';
  const table = host.table(name);
  if (table === undefined) return json(404, { error: `no table "${name}" (tables: ${host.tableNames().join(', ') || 'none'})` });
  return table;
}
