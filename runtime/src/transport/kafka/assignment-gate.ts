/**
 * Holds back deliveries of one consumer generation until the listener's onAssigned resolved.
 * A gate either opens (records of that generation may flow) or is superseded by the next rebalance;
 * waiters learn which, and re-check against the consumer's current gate.
 */
export class AssignmentGate {
  readonly ready: Promise<boolean>;
  private settle: (opened: boolean) => void = () => undefined;
  private state: 'closed' | 'open' | 'superseded' = 'closed';

  constructor() {
    this.ready = new Promise<boolean>((resolve) => (this.settle = resolve));
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Superseded gates never open: a waiter must wait for the consumer's next gate instead. */
  get isSuperseded(): boolean {
    return this.state === 'superseded';
  }

  open(): void {
    if (this.state !== 'closed') return;
    this.state = 'open';
    this.settle(true);
  }

  supersede(): void {
    if (this.state === 'superseded') return;
    this.state = 'superseded';
    this.settle(false);
  }
}

/**
 * Awaits `work` while heartbeating every `intervalMs`, so a long wait (onAssigned recovering
 * tables, back-pressure in onRecords) does not cost the group membership. A heartbeat that reports
 * a rebalance is remembered and rethrown once `work` settled (or at once when `abortOnRebalance`),
 * so that kafkajs rejoins without waiting for its own next heartbeat.
 */
export async function withHeartbeats<T>(
  work: Promise<T>,
  heartbeat: () => Promise<void>,
  intervalMs: number,
  isRebalance: (error: unknown) => boolean,
  abortOnRebalance = false,
): Promise<T> {
  let rebalance: unknown;
  let abort: (error: unknown) => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => (abort = reject));
  aborted.catch(() => undefined);
  const timer = setInterval(() => {
    heartbeat().catch((error: unknown) => {
      if (!isRebalance(error) || rebalance !== undefined) return;
      rebalance = error;
      if (abortOnRebalance) abort(error);
    });
  }, intervalMs);
  try {
    const result = await (abortOnRebalance ? Promise.race([work, aborted]) : work);
    if (rebalance !== undefined) throw rebalance;
    return result;
  } finally {
    clearInterval(timer);
  }
}
