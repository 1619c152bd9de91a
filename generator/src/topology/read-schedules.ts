import { parseCron } from '../../../runtime/src/app/cron.js';
import { topologyKeys } from './keys.js';
import { readNamed } from './read-named.js';
import type { Obj, Reader } from './reader.js';
import { joinPointer } from './source-map.js';
import type { CrontabSpec, PageSpec, TaskSpec, TimerSpec, Uses } from './types.js';

function readUses(reader: Reader, object: Obj, pointer: string): Uses {
  return {
    topics: reader.names(object, 'topics', pointer),
    tables: reader.names(object, 'tables', pointer),
    agents: reader.names(object, 'agents', pointer),
  };
}

export function readTimer(reader: Reader, value: unknown, pointer: string): TimerSpec | undefined {
  const object = reader.object(value, pointer, topologyKeys.timer, 'timer');
  if (object === undefined) return undefined;
  const named = readNamed(reader, object, pointer, 'timer');
  const intervalMs = reader.duration(object, 'interval', pointer, true);
  const onLeader = reader.boolean(object, 'onLeader', pointer) ?? false;
  const uses = readUses(reader, object, pointer);
  if (named === undefined || intervalMs === undefined) return undefined;
  return { ...named, ...uses, intervalMs, onLeader };
}

/** Keys of Faust's habit of iterating `app.stream(topic)` in a task; refused with the faustgen way. */
const streamKeys = ['source', 'stream'] as const;

/** `tasks:` entries: Faust's `@app.task` (`onLeader` as `on_leader=True`). */
export function readTask(reader: Reader, value: unknown, pointer: string): TaskSpec | undefined {
  const object = reader.object(value, pointer, [...topologyKeys.task, ...streamKeys], 'task');
  if (object === undefined) return undefined;
  for (const key of streamKeys) {
    if (object[key] === undefined) continue;
    const topic = typeof object[key] === 'string' ? object[key] : '<topic>';
    reader.error(joinPointer(pointer, key), 'a task does not consume a topic: in faustgen a stream is read by an agent', `declare an agent with \`source: ${topic}\` (Faust's app.stream(topic) iterated in a task); the task can send to it through \`agents:\``, { key: true });
  }
  const named = readNamed(reader, object, pointer, 'task');
  const onLeader = reader.boolean(object, 'onLeader', pointer) ?? false;
  const uses = readUses(reader, object, pointer);
  if (named === undefined) return undefined;
  return { ...named, ...uses, onLeader };
}

/** The runtime's own parser (croner), so codegen refuses exactly what the worker would refuse at start. */
function cronProblem(expression: string, timezone: string | undefined): string | undefined {
  try {
    parseCron(expression, timezone ?? 'UTC');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function readCrontab(reader: Reader, value: unknown, pointer: string): CrontabSpec | undefined {
  const object = reader.object(value, pointer, topologyKeys.crontab, 'crontab');
  if (object === undefined) return undefined;
  const named = readNamed(reader, object, pointer, 'crontab');
  const cron = reader.string(object, 'cron', pointer, true);
  const timezone = reader.string(object, 'timezone', pointer);
  const zoneKnown = timezone === undefined || isTimeZone(timezone);
  if (!zoneKnown) {
    reader.error(joinPointer(pointer, 'timezone'), `unknown time zone "${timezone}"`, 'use an IANA name such as "Europe/Paris" or "UTC"');
  }
  const problem = cron === undefined || !zoneKnown ? undefined : cronProblem(cron, timezone);
  if (problem !== undefined) {
    reader.error(joinPointer(pointer, 'cron'), `invalid cron expression: ${problem}`, 'use five fields: minute hour day-of-month month day-of-week, e.g. "0 3 * * *"');
  }
  const onLeader = reader.boolean(object, 'onLeader', pointer) ?? false;
  const uses = readUses(reader, object, pointer);
  if (named === undefined || cron === undefined) return undefined;
  return { ...named, ...uses, cron, onLeader, ...(timezone === undefined ? {} : { timezone }) };
}

const pageMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** `methods: [GET, POST]` of a page: known HTTP methods, upper case. */
function readMethods(reader: Reader, object: Obj, pointer: string): string[] | undefined {
  const value = object['methods'];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.some((m) => typeof m !== 'string')) {
    reader.error(pointer, 'page methods must be a non-empty list of HTTP methods', `e.g. [GET, POST]; known: ${pageMethods.join(', ')}`);
    return undefined;
  }
  const methods = (value as string[]).map((m) => m.toUpperCase());
  methods.forEach((method, i) => {
    if (!pageMethods.includes(method)) reader.error(joinPointer(pointer, String(i)), `unknown HTTP method "${method}"`, `known: ${pageMethods.join(', ')}`);
  });
  return [...new Set(methods)];
}

export function readPage(reader: Reader, value: unknown, pointer: string): PageSpec | undefined {
  const object = reader.object(value, pointer, topologyKeys.page, 'page');
  if (object === undefined) return undefined;
  const named = readNamed(reader, object, pointer, 'page');
  const path = reader.string(object, 'path', pointer, true);
  if (path !== undefined && !/^\/[A-Za-z0-9_\-./:]*$/.test(path)) {
    reader.error(joinPointer(pointer, 'path'), `invalid page path "${path}"`, 'paths start with "/" and may hold ":params", e.g. "/counts/:key"');
  }
  const table = reader.string(object, 'table', pointer);
  const uses = readUses(reader, object, pointer);
  const methods = readMethods(reader, object, joinPointer(pointer, 'methods'));
  if (named === undefined || path === undefined) return undefined;
  return {
    ...named,
    ...uses,
    path,
    ...(methods === undefined ? {} : { methods }),
    ...(table === undefined ? {} : { table: { name: table, pointer: joinPointer(pointer, 'table') } }),
  };
}
