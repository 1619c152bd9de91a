/**
 * Helpers for app-level integration tests on a real broker: apps on `kafka://`, a topic reader
 * that counts what agents wrote, and worker child processes that are always killed at the end.
 */
import type { Consumer } from 'kafkajs';
import { createApp, type App } from '../../../runtime/src/app/app.js';
import type { AppSettingsInput } from '../../../runtime/src/app/settings.js';
import { MemoryLogSink } from '../../../runtime/src/core/logger.js';
import type { KafkaDriverSettings } from '../../../runtime/src/transport/kafka/index.js';
import type { ConsumedRecord } from '../../../runtime/src/types/transport.js';
import { kafkaUrl } from '../support/kafka-url.js';
import { waitFor } from '../support/wait.js';
export { feedUrl, kafkaUrl } from '../support/kafka-url.js';
export { sleep, waitFor } from '../support/wait.js';

export { uniqueName } from '../../kafka/global.js';


/** Group timings short enough that joins and rebalances take seconds, not tens of seconds. */
export const FAST_KAFKA: KafkaDriverSettings = {
  logLevel: 'nothing',
  consumer: { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000, rebalanceTimeoutMs: 20_000, maxWaitTimeMs: 200 },
};

/** An app on the given broker, logging into memory (and to stderr with FAUSTGEN_TEST_LOGS=1). */
export function kafkaApp(bootstrap: string, settings: Partial<AppSettingsInput> & { id: string }): { app: App; logs: MemoryLogSink } {
  const logs = new MemoryLogSink();
  const echo = process.env['FAUSTGEN_TEST_LOGS'] === '1';
  const sink = { write: (line: string): void => { logs.write(line); if (echo) process.stderr.write(line + '\n'); } };
  const app = createApp(
    { broker: kafkaUrl(bootstrap), commitIntervalMs: 200, logLevel: 'info', brokerStartupTimeoutMs: 20_000, standbyReplicas: 0, ...settings },
    { logSink: sink, kafka: FAST_KAFKA as Record<string, unknown> },
  );
  return { app, logs };
}


import { highWaterMarks, patientKafka } from '../support/kafka-views.js';
export { committedOffsets, highWaterMarks } from '../support/kafka-views.js';

/**
 * Reads a topic from the beginning, in its own throwaway group, for as long as it runs: tests look
 * at `records` while apps write, and `drain()` waits until the reader reached the current end.
 */
export class TopicTail {
  readonly records: ConsumedRecord[] = [];
  private readonly next = new Map<number, number>();
  private consumer: Consumer | undefined;

  private constructor(private readonly bootstrap: string, readonly topic: string) {}

  static async start(bootstrap: string, topic: string): Promise<TopicTail> {
    const tail = new TopicTail(bootstrap, topic);
    const consumer = patientKafka(bootstrap, 'faustgen-test-tail').consumer({
      groupId: `tail-${topic}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      maxWaitTimeInMs: 100,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      retry: { retries: 20 },
    });
    tail.consumer = consumer;
    // Transaction markers and aborted records never reach eachBatch: the batch's lastOffset counts them.
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      const passed = Number(event.payload.lastOffset) + 1;
      if (Number.isFinite(passed) && passed > (tail.next.get(event.payload.partition) ?? 0)) tail.next.set(event.payload.partition, passed);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const headers: Record<string, Buffer> = {};
          for (const [name, value] of Object.entries(m.headers ?? {})) if (Buffer.isBuffer(value)) headers[name] = value;
          tail.records.push({ topic: batch.topic, partition: batch.partition, offset: Number(m.offset), timestamp: Number(m.timestamp), key: m.key, value: m.value, headers });
          tail.next.set(batch.partition, Number(m.offset) + 1);
        }
      },
    });
    return tail;
  }

  /** Waits until every partition is read up to the high-water mark it has now. */
  async drain(timeoutMs = 60_000): Promise<ConsumedRecord[]> {
    const highs = await highWaterMarks(this.bootstrap, this.topic);
    const behind = (): string[] => [...highs].filter(([p, h]) => h > 0 && (this.next.get(p) ?? 0) < h).map(([p, h]) => `${p}:${this.next.get(p) ?? 0}/${h}`);
    await waitFor(() => behind().length === 0, () => `reader of ${this.topic} to reach the end (behind: ${behind().join(' ')})`, timeoutMs);
    return this.records;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
    this.consumer = undefined;
  }
}

/** Every record of a topic up to its current end. */
export async function readAll(bootstrap: string, topic: string, timeoutMs = 60_000): Promise<ConsumedRecord[]> {
  const tail = await TopicTail.start(bootstrap, topic);
  try {
    return [...(await tail.drain(timeoutMs))];
  } finally {
    await tail.stop();
  }
}

export { WorkerProcess, type WorkerLine } from '../support/worker-process.js';
