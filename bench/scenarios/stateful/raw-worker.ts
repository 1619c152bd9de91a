/**
 * The stateful benchmark's raw-client baseline, run as its own process: a kafkajs consume → count →
 * changelog loop with no framework. Per fetched batch it decodes each event, counts it in a Map
 * (no RocksDB: the floor of what the client costs), queues one changelog record per update (as
 * faustgen writes them), sends them with sendBatch in chunks, and marks the batch done only once
 * every changelog record is acknowledged; a timer commits the acknowledged positions every second
 * (at-least-once). A partition's chunks go one after the other: chunks in flight together can land
 * out of order when one is retried (a key's changelog would then end on an older count), which the
 * first run of this loop showed on a freshly created changelog. The four partitions still send in
 * parallel.
 */
import type { EachBatchPayload, Message } from 'kafkajs';
import { SEND_BATCH_RECORDS, benchKafka, createTopics } from '../../lib/kafka.js';
import type { CountEvent } from './events.js';
import { Probe, runWorker, workerEnv } from './probe.js';

/** faustgen's kafka:// driver defaults, so the comparison is like for like. */
const MAX_WAIT_MS = 500;
const MAX_BYTES_PER_PARTITION = 1_048_576;
const COMMIT_INTERVAL_MS = 1_000;

const env = workerEnv();
if (env.guarantee !== 'at_least_once') throw new Error('the raw stateful worker is at-least-once only');
const probe = new Probe(env.expected, env.sampleMinId);
const changelog = `${env.appId}-counts-changelog`;
const kafka = benchKafka(env.bootstrap, 'bench-stateful-raw');
const producer = kafka.producer({ allowAutoTopicCreation: false });
const consumer = kafka.consumer({ groupId: env.appId, maxWaitTimeInMs: MAX_WAIT_MS, maxBytesPerPartition: MAX_BYTES_PER_PARTITION, allowAutoTopicCreation: false });
const counts = new Map<string, number>();
const acked = new Map<number, string>();
let commitTimer: NodeJS.Timeout | undefined;
const inFlight = new Set<Promise<void>>();
let stopping = false;

async function commit(): Promise<void> {
  if (acked.size === 0) return;
  await consumer.commitOffsets([...acked].map(([partition, offset]) => ({ topic: env.inTopic, partition, offset })));
}

async function start(): Promise<void> {
  await createTopics(env.bootstrap, [{ topic: changelog, numPartitions: env.partitions, config: { 'cleanup.policy': 'compact' } }]);
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [env.inTopic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: env.partitions,
    eachBatch: async (payload) => {
      const running = handleBatch(payload);
      inFlight.add(running);
      try {
        await running;
      } finally {
        inFlight.delete(running);
      }
    },
  });
  commitTimer = setInterval(() => void commit().catch(() => undefined), COMMIT_INTERVAL_MS);
}

async function handleBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
  if (stopping || batch.messages.length === 0 || !isRunning() || isStale()) return;
  const out: Message[] = [];
  for (const message of batch.messages) {
    if (message.key === null || message.value === null) continue;
    const event = JSON.parse(message.value.toString('utf8')) as CountEvent;
    const key = message.key.toString('utf8');
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    out.push({ key: message.key, value: String(count), partition: batch.partition });
    probe.updated(event.id, Number(message.timestamp));
  }
  for (let i = 0; i < out.length; i += SEND_BATCH_RECORDS) {
    await producer.sendBatch({ acks: -1, topicMessages: [{ topic: changelog, messages: out.slice(i, i + SEND_BATCH_RECORDS) }] });
  }
  const last = batch.messages[batch.messages.length - 1];
  if (last === undefined) return;
  resolveOffset(last.offset);
  acked.set(batch.partition, String(Number(last.offset) + 1));
  await heartbeat();
}

async function stop(): Promise<void> {
  // Batches being handled finish first, so the final commit covers everything they counted.
  stopping = true;
  if (commitTimer !== undefined) clearInterval(commitTimer);
  await Promise.allSettled([...inFlight]);
  await commit();
  await consumer.disconnect();
  await producer.disconnect();
}

await runWorker(probe, start, stop);
