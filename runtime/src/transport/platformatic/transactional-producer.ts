import type { Message, MessageConsumerMetadata, MessageToProduce, ProduceResult, Producer as PlatformaticProducer, ProducerOptions } from '@platformatic/kafka';
import { FaustgenError } from '../../core/errors.js';
import type { TopicPartitionOffset, TransactionalProducer, TransactionEvents } from '../../types/transport.js';
import type { KafkaDriverOptions } from '../kafka-options.js';
import { retryThroughOutage } from '../outage-retry.js';
import { hasProtocolError, isRetriable, needsRejoin, wrapPlatformaticError } from './errors.js';
import type { TransactionMember } from './group-consumer.js';
import { PlatformaticKafkaProducer } from './producer.js';
import { TransactionState } from '../transaction-state.js';
import { sleep } from './client.js';

/** The client's Transaction class is not exported; its type is what beginTransaction resolves to. */
type Transaction = NonNullable<PlatformaticProducer['transaction']>;

const NEW_PRODUCER = { producerId: -1n, producerEpoch: -1 } as const;
const TRANSACTION_RETRIES = 15;
const OFFSET_COMMIT_DEADLINE_MS = 30_000;
const MEMBER_POLL_MS = 250;

function transactionRetryDelay(_client: unknown, _operation: string, attempt: number): number {
  return Math.min(100 * 2 ** (attempt - 1), 2_000);
}

/** The group member whose offsets a commit carries, asked for at commit time (its generation moves). */
export type GroupMembers = (groupId: string) => TransactionMember | undefined;

/**
 * Exactly-once on @platformatic/kafka: records and the source partition's offset commit in one
 * transaction. As on the kafkajs driver, one producer per source partition
 * (`<app id>-<topic>-<partition>`): its first transaction's InitProducerId bumps the id's epoch,
 * which aborts the previous owner's open transaction and fences its every later write. The offsets
 * also name the group member and its generation (KIP-447), so the coordinator refuses them from a
 * member the group has moved past.
 *
 * The client's transaction is only client-side state until its first send (beginTransaction after
 * the first finds its coordinator cached and sends nothing), so one is opened lazily and committed
 * only when it holds something. The client runs one transaction at a time and deduplicates
 * concurrent calls of one kind (two EndTxn, two TxnOffsetCommit), so everything here runs in turn:
 * batches one after another (the base producer), offsets one partition after another, and a send
 * that arrives while a commit is under way waits for it and opens the next transaction.
 */
export class PlatformaticTransactionalProducer extends PlatformaticKafkaProducer implements TransactionalProducer {
  private transaction: Promise<Transaction> | undefined;
  private readonly state: TransactionState;
  private committing: Promise<void> = Promise.resolve();

  constructor(
    options: KafkaDriverOptions,
    readonly transactionalId: string,
    events: TransactionEvents | undefined,
    private readonly members: GroupMembers,
  ) {
    // Transactions need an idempotent producer, and that needs acks from every in-sync replica.
    super({ ...options, producer: { ...options.producer, acks: -1, idempotent: true } });
    this.state = new TransactionState(transactionalId, events);
  }

  /**
   * Connects and registers the transactional id with its coordinator: this is the fence. A
   * coordinator's broker that is restarting (a broker fault, a rolling restart) is waited for, as
   * on the kafkajs driver: a refused connection is not a reason to stop the worker.
   */
  override async start(): Promise<void> {
    try {
      await retryThroughOutage(async () => {
        await super.start();
        try {
          await this.open();
        } catch (error) {
          // The client keeps a transaction whose begin failed: a fresh client starts clean.
          this.transaction = undefined;
          await super.stop().catch(() => undefined);
          throw error;
        }
      }, isRetriable);
    } catch (error) {
      throw this.wrap(error, 'could not initialise its transactions');
    }
  }

  protected override clientOptions(): ProducerOptions<Buffer, Buffer, Buffer, Buffer> {
    // A request inside a transaction cannot be re-sent by faustgen (the transaction would have to
    // abort), so the client's own retries must outlast a leader failover and a coordinator moving:
    // with its default 3 tries 250 ms apart a 3-broker run aborted a transaction per broker fault
    // (AddPartitionsToTxn answered CONCURRENT_TRANSACTIONS while the previous commit's markers were
    // written, a TxnOffsetCommit to a paused coordinator). 15 tries, 100 ms doubling to 2 s: ~23 s.
    return { ...super.clientOptions(), transactionalId: this.transactionalId, retries: TRANSACTION_RETRIES, retryDelay: transactionRetryDelay };
  }

  protected override resendsFailedBatches(): boolean {
    return false;
  }

  protected override unanswered(error: FaustgenError): FaustgenError {
    return this.state.unanswered(error);
  }

  protected override async transmit(_producer: PlatformaticProducer, messages: MessageToProduce[]): Promise<ProduceResult> {
    try {
      await this.committing;
      this.state.checkSend();
      const transaction = await this.open();
      this.state.sent = true;
      return await transaction.send({ messages, acks: this.options.producer.acks });
    } catch (error) {
      // Thrown without the client's partial answer: nothing of a failed transaction is delivered.
      throw this.state.failedSend(error, (e) => this.wrap(e, 'failed to send inside its transaction'));
    }
  }

  /**
   * Its partition moved to another worker: abort what is open and stop, without waiting for sends
   * that can only fail now. Those fail with FG_PARTITION_REVOKED, which callers drop quietly (the new
   * owner processes their events again), rather than as a fault that stops the worker.
   */
  async discard(): Promise<void> {
    this.state.discarding = true;
    await this.abortTransaction().catch(() => undefined);
    await super.stop().catch(() => undefined);
  }

  async commitTransaction(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const aborts = this.state.aborts;
    await this.flush();
    if (!this.state.readyToCommit(aborts, offsets.length)) return;
    const committed = this.commitOpen(groupId, offsets);
    this.committing = committed.then(
      () => undefined,
      () => undefined,
    );
    await committed;
  }

  async abortTransaction(): Promise<void> {
    const transaction = this.transaction;
    this.transaction = undefined;
    this.state.aborted();
    if (transaction === undefined) return;
    const open = await transaction.catch(() => undefined);
    if (open !== undefined && !open.completed) await open.abort().catch(() => undefined);
  }

  override async stop(): Promise<void> {
    await this.abortTransaction().catch(() => undefined);
    await super.stop();
  }

  private async commitOpen(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    try {
      const transaction = await this.open();
      if (offsets.length > 0) {
        const deadline = Date.now() + OFFSET_COMMIT_DEADLINE_MS;
        // AddOffsetsToTxn names the group only: the transaction's coordinator answers it.
        await transaction.addConsumer((await this.member(groupId, deadline)).consumer);
        // One TxnOffsetCommit after another: the client merges concurrent ones into the first.
        for (const o of offsets) await this.commitOffset(transaction, groupId, o, deadline);
      }
      await transaction.commit();
    } catch (error) {
      throw this.state.commitFailed(this.wrap(error, 'failed to commit its transaction'));
    }
    this.transaction = undefined;
    this.state.sent = false;
  }

  /**
   * The client retries a TxnOffsetCommit at the coordinator the message names; when the group's
   * coordinator moved (its broker died or paused) only a fresh look at the member finds the new one.
   */
  private async commitOffset(transaction: Transaction, groupId: string, offset: TopicPartitionOffset, deadline: number): Promise<void> {
    for (;;) {
      const member = await this.member(groupId, deadline);
      try {
        await transaction.addOffset(offsetMessage(offset, member.metadata));
        return;
      } catch (error) {
        // A member the group moved past (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID) must not commit.
        if (!isRetriable(error) || needsRejoin(error) || Date.now() >= deadline) throw error;
        await sleep(MEMBER_POLL_MS);
      }
    }
  }

  /** The group's member in this worker, waiting while its consumer looks for the coordinator. */
  private async member(groupId: string, deadline: number): Promise<TransactionMember> {
    for (;;) {
      const member = this.members(groupId);
      if (member !== undefined) return member;
      if (Date.now() >= deadline) {
        throw new FaustgenError('FG_TRANSPORT', `group ${groupId} has no member or no known coordinator in this worker: its offsets cannot join the transaction`, { retriable: true, details: { groupId } });
      }
      await sleep(MEMBER_POLL_MS);
    }
  }

  private open(): Promise<Transaction> {
    const producer = this.producer;
    if (producer === undefined) return Promise.reject(new FaustgenError('FG_APP_STATE', `transactional producer ${this.transactionalId} is not started`));
    // The first begin asks for the id's producer id. -1/-1 asks as a new producer, which bumps the
    // epoch and fences the previous owner; the client's default (0/0) asks to bump producer 0's
    // epoch, which the coordinator refuses as PRODUCER_FENCED once anyone else has used the id.
    this.transaction ??= producer.beginTransaction(NEW_PRODUCER);
    return this.transaction;
  }

  private wrap(error: unknown, what: string): FaustgenError {
    if (FaustgenError.is(error)) return error;
    if (isFencedError(error)) return this.state.fenced(error);
    return wrapPlatformaticError(error, `transactional producer ${this.transactionalId} ${what}`, { transactionalId: this.transactionalId });
  }
}

/** A newer producer of the same transactional id took over (its epoch is higher than ours). */
export function isFencedError(error: unknown): boolean {
  return hasProtocolError(error, 'PRODUCER_FENCED') || hasProtocolError(error, 'INVALID_PRODUCER_EPOCH');
}

/**
 * The client takes a transaction's offset as a consumed message (it commits the offset after it);
 * faustgen's offsets are the next one to read. Only topic, partition, offset and the member are read.
 */
export function offsetMessage(position: TopicPartitionOffset, member: MessageConsumerMetadata): Message {
  const offset = BigInt(position.offset) - 1n;
  const metadata: Record<string, unknown> = { consumer: member };
  return {
    topic: position.topic,
    partition: position.partition,
    offset,
    key: Buffer.alloc(0),
    value: Buffer.alloc(0),
    timestamp: 0n,
    headers: new Map(),
    headerEntries: [],
    leaderEpoch: -1,
    metadata,
    commit: () => undefined,
    toJSON: () => ({ key: Buffer.alloc(0), value: Buffer.alloc(0), headers: [], topic: position.topic, partition: position.partition, timestamp: '0', offset: String(offset), leaderEpoch: -1, metadata }),
  };
}
