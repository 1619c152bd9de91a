/**
 * Keeps each partition's records in produce order while several batches are in flight.
 *
 * A batch that fails and is retried must not land after a later batch holding records of the same
 * partition (a table's changelog would end on an older value of a key; Kafka's producer keeps
 * `max.in.flight.requests.per.connection` at 1 without idempotence for the same reason). Batches of
 * different partitions are independent: a partition whose leader is down holds back only its own
 * records. A record whose partition is not known yet (the first records of a topic, before its
 * partition count is known) could land anywhere in its topic, so it waits for every batch of that
 * topic, and holds the whole topic while it is in flight.
 */
export interface OrderedRecord {
  readonly topic: string;
  /** The partition if known before sending (explicit, or chosen by the producer up front). */
  readonly message: { readonly partition?: number | undefined };
}

export class PartitionOrder {
  /** `topic\0partition` → batches in flight that hold records of it. */
  private readonly partitions = new Map<string, number>();
  /** topic → batches in flight that hold records of it whose partition was not known. */
  private readonly wholeTopics = new Map<string, number>();
  /** topic → batches in flight that hold any record of it. */
  private readonly topics = new Map<string, number>();

  /**
   * Splits `pending` (in produce order) into the records that may be sent now and the ones that must
   * wait; each part keeps the order. `fits` is asked for each record that may go (the batch's size
   * budget): once it says no, the rest waits.
   */
  select<R extends OrderedRecord>(pending: readonly R[], fits: (record: R) => boolean): { readonly now: R[]; readonly later: R[] } {
    const now: R[] = [];
    const later: R[] = [];
    /** Partitions with an earlier record waiting: later ones of the same partition wait too. */
    const waitingPartitions = new Set<string>();
    /** Topics with an earlier record waiting (an unplaced record may land on its partition). */
    const topicsWaiting = new Set<string>();
    /** Topics with an earlier unplaced record waiting (it may land on any partition). */
    const topicsWaitingUnplaced = new Set<string>();
    let full = false;
    for (const record of pending) {
      const { topic } = record;
      const partition = record.message.partition;
      const key = partition === undefined ? undefined : `${topic}\u0000${partition}`;
      const free =
        !full &&
        (key === undefined
          ? !topicsWaiting.has(topic) && (this.topics.get(topic) ?? 0) === 0
          : !topicsWaitingUnplaced.has(topic) && !waitingPartitions.has(key) && (this.partitions.get(key) ?? 0) === 0 && (this.wholeTopics.get(topic) ?? 0) === 0);
      if (free && fits(record)) {
        now.push(record);
        continue;
      }
      if (free) full = true;
      later.push(record);
      topicsWaiting.add(topic);
      if (key === undefined) topicsWaitingUnplaced.add(topic);
      else waitingPartitions.add(key);
    }
    return { now, later };
  }

  /** Marks a batch in flight; the returned function releases it. */
  hold(batch: readonly OrderedRecord[]): () => void {
    const partitions = new Set<string>();
    const wholeTopics = new Set<string>();
    const topics = new Set<string>();
    for (const { topic, message } of batch) {
      topics.add(topic);
      if (message.partition === undefined) wholeTopics.add(topic);
      else partitions.add(`${topic}\u0000${message.partition}`);
    }
    add(this.partitions, partitions, 1);
    add(this.wholeTopics, wholeTopics, 1);
    add(this.topics, topics, 1);
    return () => {
      add(this.partitions, partitions, -1);
      add(this.wholeTopics, wholeTopics, -1);
      add(this.topics, topics, -1);
    };
  }
}

function add(counts: Map<string, number>, keys: ReadonlySet<string>, by: number): void {
  for (const key of keys) {
    const next = (counts.get(key) ?? 0) + by;
    if (next <= 0) counts.delete(key);
    else counts.set(key, next);
  }
}
