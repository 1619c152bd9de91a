import { randomUUID } from 'node:crypto';
import { ReplyRegistry } from '../agents/rpc.js';
import { FaustgenError } from '../core/errors.js';
import type { Admin, PartitionReader, Transport } from '../types/transport.js';

/**
 * The worker's own topic for the replies to its ask() calls: created on the first ask, read from its
 * start by a partition reader that hands every reply to the ask waiting for it.
 */
export class ReplyTopic {
  readonly replies = new ReplyRegistry();
  private replyReader: PartitionReader | undefined;
  private replyTopicName: Promise<string> | undefined;

  constructor(private readonly replicationFactor: number) {}

  /** The reply topic's name, once it exists and is read. */
  ensure(admin: Admin | undefined, transport: Transport | undefined): Promise<string> {
    this.replyTopicName ??= (async () => {
      if (admin === undefined || transport === undefined) throw new FaustgenError('FG_APP_STATE', 'ask() needs a started app');
      const name = `f-reply-${randomUUID()}`;
      await admin.ensureTopic({ name, partitions: 1, replicationFactor: this.replicationFactor, config: { 'cleanup.policy': 'delete', 'retention.ms': String(86_400_000) } });
      this.replyReader = transport.createPartitionReader();
      this.replyReader.assign([{ topic: name, partition: 0, offset: 0 }]);
      await this.replyReader.start(async (records) => {
        for (const record of records) this.replies.deliver(record.value);
      });
      return name;
    })();
    return this.replyTopicName;
  }

  /** Stops reading replies; the asks still waiting fail. */
  async stop(): Promise<void> {
    await this.replyReader?.stop().catch(() => undefined);
    this.replies.cancelAll(new FaustgenError('FG_APP_STATE', 'the app stopped before the reply arrived'));
  }

  /** The app stopped: the next start makes a new reply topic on the first ask. */
  reset(): void {
    this.replyTopicName = undefined;
  }
}
