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

export function eventKey(id: number, keys: number): string {
  return `user-${String(id % keys).padStart(7, '0')}`;
}

export function makeEvent(id: number, keys: number): CountEvent {
  return { id, user: eventKey(id, keys), amount: ((id * 7919) % 100_000) / 100, ts: 1_700_000_000_000 + id, note: 'bench event with a little padding' };
}
