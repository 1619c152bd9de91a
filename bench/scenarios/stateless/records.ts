/**
 * The stateless workload, shared by every pipeline so they do exactly the same work: JSON payments
 * in, drop every tenth (filter), add derived fields (map), JSON out.
 */
export interface Payment {
  readonly id: number;
  readonly user: string;
  readonly amount: number;
  readonly currency: string;
  readonly ts: number;
  /** Wall-clock ms when the record was produced: the start of the end-to-end latency. */
  readonly sentAt: number;
  readonly note: string;
}

export interface EnrichedPayment extends Payment {
  readonly amountCents: number;
  readonly large: boolean;
}

const CURRENCIES = ['EUR', 'USD', 'GBP', 'JPY'] as const;

/** Ids of the paced latency phase start here, so they never mix with the throughput records. */
export const LATENCY_ID_BASE = 1_000_000_000;

export function makePayment(id: number, sentAt: number): Payment {
  return {
    id,
    user: `user-${String(id % 5000).padStart(5, '0')}`,
    amount: ((id * 7919) % 100_000) / 100,
    currency: CURRENCIES[id % CURRENCIES.length] ?? 'EUR',
    ts: 1_700_000_000_000 + id,
    sentAt,
    note: 'bench payment record with a little padding',
  };
}

/** The filter: drops 10% of the records. */
export function keep(payment: Payment): boolean {
  return payment.id % 10 !== 0;
}

/** The map: derives two fields. */
export function enrich(payment: Payment): EnrichedPayment {
  return { ...payment, amountCents: Math.round(payment.amount * 100), large: payment.amount > 500 };
}

/** How many of ids [from, from + count) pass the filter. */
export function keptCount(from: number, count: number): number {
  let kept = 0;
  for (let id = from; id < from + count; id++) if (id % 10 !== 0) kept++;
  return kept;
}
