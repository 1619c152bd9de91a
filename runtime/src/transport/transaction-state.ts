import { FaustgenError } from '../core/errors.js';
import type { TransactionEvents } from '../types/transport.js';

/**
 * What a transactional producer of either driver knows about its open transaction, and the rules the
 * exactly-once fault tests taught (docs/faults.md): a transaction that failed once can only abort, so
 * what it would still send fails as FG_TRANSACTION_ABORTED (its events are processed again) and the
 * owner is told once; a discarded producer's failures are FG_PARTITION_REVOKED (its partition moved:
 * dropped quietly, not a fault); and a commit must not go on after an abort that came while it
 * flushed, or its offsets would commit without their records (a 3-broker run lost 186 events so).
 */
export class TransactionState {
  /** Set by the first failure: the open transaction can no longer commit. */
  failure: FaustgenError | undefined;
  /** Records were sent in the open transaction. */
  sent = false;
  /** Set by discard(): what fails from now on belongs to a partition that moved, not to a fault. */
  discarding = false;
  /** Transactions aborted so far: a commit started before an abort must not open a new one. */
  aborts = 0;

  constructor(
    readonly transactionalId: string,
    private readonly events: TransactionEvents | undefined,
  ) {}

  /** Throws what a send must fail with before it is sent, if anything. */
  checkSend(): void {
    if (this.failure !== undefined) throw this.failure;
    // Discarded: a send now would open a transaction nobody commits (held open until it is fenced).
    if (this.discarding) throw new Error('the producer was discarded');
  }

  /** What a send that failed inside the transaction tells its caller. */
  failedSend(error: unknown, wrap: (error: unknown) => FaustgenError): FaustgenError {
    if (this.discarding) return this.movedAway(error);
    return this.broke(this.failure ?? wrap(error));
  }

  /** What each record of a batch that failed for good is told. */
  unanswered(error: FaustgenError): FaustgenError {
    if (error.code === 'FG_TRANSACTION_ABORTED' || error.code === 'FG_PARTITION_REVOKED') return error;
    return this.discarding ? this.movedAway(error) : this.broke(error);
  }

  /**
   * After a commit's flush: throws when the transaction cannot commit (it failed, or it was aborted
   * since `abortsBefore`); false when it holds nothing to commit.
   */
  readyToCommit(abortsBefore: number, offsets: number): boolean {
    if (this.failure !== undefined) throw this.failure;
    if (this.discarding || this.aborts !== abortsBefore) throw this.movedAway(new Error('the transaction was aborted while it was being committed'));
    return this.sent || offsets > 0;
  }

  /** A commit failed: the transaction is broken; returns the failure to throw. */
  commitFailed(failure: FaustgenError): FaustgenError {
    this.broke(failure);
    this.failure ??= failure;
    return failure;
  }

  aborted(): void {
    this.sent = false;
    this.aborts++;
  }

  /**
   * The open transaction cannot commit any more: the owner is told once, and senders get
   * FG_TRANSACTION_ABORTED (their events are processed again from the committed offset, not failed).
   */
  broke(error: FaustgenError): FaustgenError {
    if (this.failure === undefined) {
      this.failure = error;
      this.events?.broken(error);
    }
    return new FaustgenError('FG_TRANSACTION_ABORTED', `transactional producer ${this.transactionalId}: the transaction failed (${error.message}); its events are processed again from the committed offset`, {
      cause: error,
      retriable: true,
      details: { transactionalId: this.transactionalId },
    });
  }

  movedAway(error: unknown): FaustgenError {
    return new FaustgenError('FG_PARTITION_REVOKED', `transactional producer ${this.transactionalId} was discarded: its partition moved to another worker`, {
      cause: error,
      retriable: true,
      details: { transactionalId: this.transactionalId },
    });
  }

  fenced(error: unknown): FaustgenError {
    return new FaustgenError('FG_FENCED', `transactional producer ${this.transactionalId} was fenced: another worker took over its partition`, {
      cause: error,
      details: { transactionalId: this.transactionalId },
    });
  }
}
