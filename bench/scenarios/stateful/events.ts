/** The stateful workload, shared by every contender: JSON events keyed by one of `keys` strings. */
export interface CountEvent {
  readonly id: number;
  readonly user: string;
  readonly amount: number;
  readonly ts: number;
  readonly note: string;
}

/** Ids of the paced latency phase start here, so they never mix with the throughput events. */
export const LATENCY_ID_BASE = 1_000_000_000;

/**
 * Event `id`'s key: uniformly spread and in no order (a 32-bit integer hash of the id), so a key
 * comes back after a random number of events, as in a real stream. (id % keys would bring every key
 * back exactly every `keys` events: the worst case for any cache smaller than the key space.)
 */
export function eventKey(id: number, keys: number): string {
  return `user-${String(mix32(id) % keys).padStart(7, '0')}`;
}

function mix32(value: number): number {
  let h = Math.imul(value ^ (value >>> 16), 0x45d9f3b);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return (h ^ (h >>> 16)) >>> 0;
}

export function makeEvent(id: number, keys: number): CountEvent {
  return { id, user: eventKey(id, keys), amount: ((id * 7919) % 100_000) / 100, ts: 1_700_000_000_000 + id, note: 'bench event with a little padding' };
}
