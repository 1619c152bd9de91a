/**
 * The transport interface: what the runtime needs from a broker. Two implementations exist:
 * the embedded in-memory broker (`memory://`) and Kafka (`kafka://`: @platformatic/kafka or kafkajs, docs/adr/0010). Everything above
 * this interface (agents, streams, tables, recovery) is written once and serves both.
 *
 * Offsets are plain numbers: Kafka offsets stay far below 2^53 in practice and numbers keep the hot
 * path free of bigint arithmetic. Timestamps are epoch milliseconds (Kafka's unit, not Faust's seconds).
 */

export type Headers = Readonly<Record<string, Buffer>>;

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** An offset to commit: the offset of the next record to read, as in Kafka. */
export interface TopicPartitionOffset extends TopicPartition {
  readonly offset: number;
}

export interface ProducerRecord {
  readonly topic: string;
  /** When absent, the partitioner chooses: murmur2 of the key bytes, or round-robin for a null key. */
  readonly partition?: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp?: number;
  readonly headers?: Headers;
}

export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
}

export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Headers;
}

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** -1: the driver's choice (Kafka: 3, or every broker of a smaller cluster). */
  readonly replicationFactor: number;
  /** Kafka topic configs, e.g. `cleanup.policy: compact`. */
  readonly config?: Readonly<Record<string, string>>;
}

export interface TopicDescription {
  readonly name: string;
  readonly partitions: number;
}

export interface PartitionOffsets {
  readonly partition: number;
  /** First offset still in the log. */
  readonly low: number;
  /** Offset the next produced record will get (the high-water mark). */
  readonly high: number;
}

/**
 * Told the outcome of a record given to `Producer.produce`. Plain methods and a caller-chosen tag
 * instead of a promise: an agent emits one record per event, and a promise per record (with its
 * reactions) was a measurable share of a stateless pipeline's CPU and garbage.
 */
export interface DeliveryListener<T> {
  delivered(tag: T, metadata: RecordMetadata): void;
  failed(tag: T, error: Error): void;
}

export interface Producer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves once the broker acknowledged the record (batching happens inside). */
  send(record: ProducerRecord): Promise<RecordMetadata>;
  /**
   * Like send, reporting to `listener` with `tag` instead. Never throws and never calls the
   * listener before returning: every outcome, also "not started", arrives later.
   */
  produce<T>(record: ProducerRecord, listener: DeliveryListener<T>, tag: T): void;
  /** Resolves when every record sent so far is acknowledged. */
  flush(): Promise<void>;
}

/**
 * A producer whose records and a consumer group's offsets commit atomically (exactly-once). Starting
 * it fences every earlier producer with the same transactional id and aborts its open transaction.
 */
export interface TransactionalProducer extends Producer {
  readonly transactionalId: string;
  /** Waits for every record sent, adds the offsets to the transaction and commits it. */
  commitTransaction(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void>;
  abortTransaction(): Promise<void>;
  /** Its partition moved away: abort, stop, and fail what is still in flight with FG_PARTITION_REVOKED. */
  discard(): Promise<void>;
}

/** What a transactional producer tells its owner on its own, outside any call. */
export interface TransactionEvents {
  /**
   * The open transaction can no longer commit (a send failed inside it, or the producer was fenced):
   * told once, as soon as known, so the owner need not wait for a commit to learn it. Every record
   * sent in it has failed, or will fail, with FG_TRANSACTION_ABORTED.
   */
  broken(error: Error): void;
}

export interface Admin {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Creates the topic when missing; an existing topic is left as it is. Returns its description. */
  ensureTopic(spec: TopicSpec): Promise<TopicDescription>;
  describeTopic(name: string): Promise<TopicDescription | undefined>;
  fetchOffsets(topic: string): Promise<readonly PartitionOffsets[]>;
  fetchCommitted(groupId: string, topic: string): Promise<readonly TopicPartitionOffset[]>;
  deleteTopic(name: string): Promise<void>;
}

/** A member's view of an assignment: partitions it processes and partitions it keeps warm. */
export interface MemberAssignment {
  readonly actives: readonly TopicPartition[];
  readonly standbys: readonly TopicPartition[];
}

/** What a member tells the group leader when it joins; carried as Kafka member user data. */
export interface MemberMetadata {
  readonly version: number;
  /** Subscribed topics. */
  readonly topics: readonly string[];
  /** Changelog topics of this member's tables: standbys are assigned on these only. */
  readonly changelogTopics: readonly string[];
  /** Topics every member must read in full (GlobalTable changelogs). */
  readonly globalTopics: readonly string[];
  readonly standbyReplicas: number;
  /** URL under which the member serves web requests, used for key-owner routing. */
  readonly url: string;
  /** Last assignment this member held, so the assignor can be sticky. */
  readonly previous: MemberAssignment;
}

export interface GroupAssignment {
  readonly generation: number;
  readonly memberId: string;
  readonly assignment: MemberAssignment;
  /** url -> topic -> active partitions, for every member: answers "which worker owns this key". */
  readonly distribution: Readonly<Record<string, Readonly<Record<string, readonly number[]>>>>;
}

export interface ConsumerListener {
  /**
   * A new assignment. The consumer delivers no record of a newly assigned partition before this
   * promise resolves, which is where tables recover their changelogs.
   */
  onAssigned(assignment: GroupAssignment): Promise<void>;
  /**
   * Partitions are being taken away. The consumer delivers no further records of them and waits for
   * this promise before leaving the rebalance: finish in-flight work, flush, commit.
   */
  onRevoked(revoked: readonly TopicPartition[]): Promise<void>;
  /**
   * Records of one partition in offset order. The consumer does not deliver the next batch of the
   * same partition before this resolves: awaiting here is the back-pressure.
   */
  onRecords(records: readonly ConsumedRecord[]): Promise<void>;
  /** The consumer failed beyond what it retries; the app decides whether to crash. */
  onError(error: Error): void;
  /**
   * The group started a rebalance: an assignment being prepared (table recovery) is about to be
   * superseded and may stop early; the next onAssigned resumes it.
   */
  onRebalancing?(): void;
  /**
   * The member is about to (re)join its group, so any partition may move to another member. Awaited
   * before the JoinGroup request is sent, within `deadlineMs` (epoch ms): finish or drop in-flight
   * events, flush and commit under the current generation, and hold partition-bound outputs until
   * the next onAssigned says which partitions stay. Drivers without a pre-join point (the embedded
   * broker, whose coordinator awaits onRevoked instead) never call it.
   */
  onPrepareRebalance?(deadlineMs: number): Promise<void>;
  /**
   * No heartbeat succeeded for longer than the session timeout: the group may already have given
   * this member's partitions to others. Stop writing on their behalf; the driver revokes them all at
   * the next assignment, also those assigned back, so their tables recover what others wrote.
   */
  onMembershipLost?(): void;
  /**
   * No heartbeat succeeded for half the session timeout: the coordinator may expel this member soon,
   * and an expelled member must not have written meanwhile. Hold partition-bound outputs (and
   * commits) until onLeaseRenewed or the next assignment.
   */
  onLeaseLapsed?(): void;
  /** A heartbeat succeeded again within the same membership: held outputs may go out. */
  onLeaseRenewed?(): void;
  /**
   * The consumer read past offsets `from`..`to` of an assigned partition that held no record to
   * deliver (transaction markers, aborted records), so a partition that ends in a marker is not
   * reported as lagging by one forever.
   */
  onPassed?(tp: TopicPartition, from: number, to: number): void;
}

export interface GroupConsumerOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly metadata: Omit<MemberMetadata, 'previous' | 'topics'>;
  /** Where to start a partition without a committed offset. */
  readonly autoOffsetReset: 'earliest' | 'latest';
}

export interface GroupConsumer {
  start(listener: ConsumerListener): Promise<void>;
  stop(): Promise<void>;
  /** Commits offsets (next offset to read) for partitions this member owns. */
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** Moves the read position of an assigned partition. */
  seek(position: TopicPartitionOffset): void;
  pause(partitions: readonly TopicPartition[]): void;
  resume(partitions: readonly TopicPartition[]): void;
  /**
   * Gives up this member's current assignment and rejoins the group soon (Kafka Streams: handle all
   * tasks as lost, then enforce a rebalance): at the next join every partition is revoked and assigned
   * anew, so its state is rebuilt from what was committed. Used when exactly-once transactions broke.
   */
  rejoin?(): void;
  /**
   * The worker is stopping: fetch nothing more (records already delivered are still processed and
   * committed). A fetch left running long-polls the broker for up to maxWaitTimeMs, and the group's
   * LeaveGroup then waits behind it on the same connection.
   */
  stopFetching?(): void;
}

/**
 * Reads chosen partitions from chosen offsets outside any consumer group: table recovery, standby
 * replicas and global tables use it. Never commits.
 */
export interface PartitionReader {
  /** Starts (or moves) reading a partition at `offset`. */
  assign(positions: readonly TopicPartitionOffset[]): void;
  unassign(partitions: readonly TopicPartition[]): void;
  /**
   * Records in offset order per partition; awaiting the handler is back-pressure. `onPassed` is told
   * when the read position passed an offset without a record to show for it: transaction markers and
   * aborted records, which a read-committed reader skips, so "the record before the end was applied"
   * alone would never come true on a transactional changelog.
   */
  start(onRecords: (records: readonly ConsumedRecord[]) => Promise<void>, onPassed?: (position: TopicPartitionOffset) => void): Promise<void>;
  stop(): Promise<void>;
}

export interface Transport {
  /** `memory` or `kafka`: which driver this is. */
  readonly driver: string;
  createProducer(): Producer;
  /** Exactly-once support; a driver without transactions (the embedded broker) leaves it out. */
  createTransactionalProducer?(transactionalId: string, events?: TransactionEvents): TransactionalProducer;
  createAdmin(): Admin;
  createGroupConsumer(options: GroupConsumerOptions): GroupConsumer;
  createPartitionReader(): PartitionReader;
}
