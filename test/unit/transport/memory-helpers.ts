import type {
  ConsumedRecord,
  ConsumerListener,
  GroupAssignment,
  GroupConsumerOptions,
  TopicPartition,
} from '../../../runtime/src/types/transport.js';

export type ListenerEvent =
  | { readonly kind: 'assigned'; readonly assignment: GroupAssignment }
  | { readonly kind: 'revoked'; readonly partitions: readonly TopicPartition[] }
  | { readonly kind: 'records'; readonly records: readonly ConsumedRecord[] };

/** A ConsumerListener that records what happens and lets a test await a condition. */
export class RecordingListener implements ConsumerListener {
  readonly events: ListenerEvent[] = [];
  readonly records: ConsumedRecord[] = [];
  readonly errors: Error[] = [];
  /** Test hooks. */
  beforeRecords: (records: readonly ConsumedRecord[]) => Promise<void> = async () => {};
  beforeRevoked: (partitions: readonly TopicPartition[]) => Promise<void> = async () => {};
  beforeAssigned: (assignment: GroupAssignment) => Promise<void> = async () => {};
  private waiters: (() => void)[] = [];

  get assignment(): GroupAssignment | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const event = this.events[i];
      if (event?.kind === 'assigned') return event.assignment;
    }
    return undefined;
  }

  async onAssigned(assignment: GroupAssignment): Promise<void> {
    await this.beforeAssigned(assignment);
    this.push({ kind: 'assigned', assignment });
  }

  async onRevoked(partitions: readonly TopicPartition[]): Promise<void> {
    await this.beforeRevoked(partitions);
    this.push({ kind: 'revoked', partitions });
  }

  async onRecords(records: readonly ConsumedRecord[]): Promise<void> {
    await this.beforeRecords(records);
    this.records.push(...records);
    this.push({ kind: 'records', records });
  }

  onError(error: Error): void {
    this.errors.push(error);
    this.notify();
  }

  /** Resolves when `condition` holds, checked after every event. */
  async until(condition: () => boolean, what = 'condition'): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  private push(event: ListenerEvent): void {
    this.events.push(event);
    this.notify();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

export function consumerOptions(groupId: string, topics: string[], overrides: Partial<GroupConsumerOptions> = {}): GroupConsumerOptions {
  return {
    groupId,
    topics,
    autoOffsetReset: 'earliest',
    metadata: { version: 1, changelogTopics: [], globalTopics: [], standbyReplicas: 0, url: 'http://localhost:6066' },
    ...overrides,
  };
}

export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export const text = (value: string): Buffer => Buffer.from(value, 'utf8');
