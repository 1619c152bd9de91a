import type { Logger } from '../core/logger.js';
import type { GroupAssignment, TopicPartition, TopicPartitionOffset } from '../types/transport.js';

/** What the conductor asks of the app: its producer, tables, agents and sensors. */
export interface ConductorHooks {
  readonly log: Logger;
  /** Waits until every record sent so far (sinks, changelogs, forwards) is acknowledged. */
  flushProducer(): Promise<void>;
  /** Moves buffered table writes into the stores. */
  flushTables(): void;
  /** False once the agents' stop resolved: no handler holds an event any more, so nothing to wait for. */
  agentsRunning(): boolean;
  /** Topics the consumer subscribes for assignment only: their records are read elsewhere. */
  isAssignmentOnly(topic: string): boolean;
  onAssigned(assignment: GroupAssignment): Promise<void>;
  onError(error: Error): void;
  onRebalancing(): void;
  /** These partitions are no longer this worker's: their tables drop what is not committed. */
  onPartitionsRevoked(revoked: readonly TopicPartition[]): void;
  /**
   * Exactly-once: commits each source partition's transaction with its offset (instead of a consumer
   * commit); undefined for at-least-once. Throws when a transaction failed: nothing may be committed.
   */
  readonly commitTransactions?: (offsets: readonly TopicPartitionOffset[]) => Promise<void>;
  /** From now on outputs of partition-bound work wait: the partitions may belong to another member. */
  holdOutputs(): void;
  /** The assignment is known (and tables are assigned): held outputs of kept partitions go out. */
  releaseOutputs(assignment: GroupAssignment): void;
  /** Told of each batch of records of one partition (the sensors count them). */
  onMessagesIn?(topic: string, partition: number, count: number): void;
  /**
   * At-least-once back-pressure: undefined while the producer has room for more outputs, else a
   * promise to await before the next record is handed out (app/output-window.ts).
   */
  outputRoom?(): Promise<void> | undefined;
}
