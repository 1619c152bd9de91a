import { FaustgenError } from '../../core/errors.js';
import { MemoryBroker } from './broker.js';

// Kept on globalThis so that two copies of this module (e.g. src under tsx and dist) share brokers.
const registryKey = Symbol.for('faustgen.memoryBrokers');
type Registry = Map<string, MemoryBroker>;

function registry(): Registry {
  const holder = globalThis as { [registryKey]?: Registry };
  return (holder[registryKey] ??= new Map());
}

/** The process-wide broker of this name, created on first use. `memory://` is the name "". */
export function getMemoryBroker(name: string): MemoryBroker {
  let broker = registry().get(name);
  if (broker === undefined) registry().set(name, (broker = new MemoryBroker(name)));
  return broker;
}

/** Forgets a broker so that the next `getMemoryBroker(name)` starts empty (for tests). */
export function resetMemoryBroker(name: string): void {
  registry().delete(name);
}

/** `memory://` -> "", `memory://shared-name` -> "shared-name". */
export function memoryBrokerName(url: string): string {
  const match = /^memory:\/\/([^/?#]*)\/?$/.exec(url);
  if (match === null) {
    throw new FaustgenError('FG_BROKER_URL_INVALID', `"${url}" is not a memory broker URL (expected memory:// or memory://<name>)`, {
      details: { url },
    });
  }
  return decodeURIComponent(match[1] ?? '');
}
