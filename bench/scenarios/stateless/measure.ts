import type { Admin, Kafka, Message } from 'kafkajs';
import { benchKafka, committedCount, committedRecordCount, highWaterMarks, topicRecordCount } from '../../lib/kafka.js';
import { progress } from '../../lib/progress.js';
import { mbPerSecond, nowMs, percentile, perSecond, sleep } from '../../lib/stats.js';
import type { Pipeline, PipelineTopics } from './pipeline.js';
import { LATENCY_ID_BASE, keptCount, makePayment, type Payment } from './records.js';

export interface ThroughputFigures {
  readonly inputRecords: number;
  readonly outputs: number;
  readonly expectedOutputs: number;
  readonly ms: number;
  readonly recordsPerSec: number;
  readonly mbPerSec: number;
  /** CPU time of this Node process over the measured window, as % of one core. */
  readonly nodeCpuPct: number;
  /** Set when the run hit its time limit: the rate is then over the outputs seen so far. */
  readonly incomplete?: string;
}

/** How the latency phase writes its input records and reads the outputs' id and send time. */
export interface LatencyWire {
  encode(payment: Payment): Buffer | string;
  decode(value: Buffer): Pick<Payment, 'id' | 'sentAt'>;
}

/** The JSON stateless workload's wire. */
export const jsonWire: LatencyWire = {
  encode: (payment) => JSON.stringify(payment),
  decode: (value) => JSON.parse(value.toString('utf8')) as Payment,
};

const POLL_MS = 25;
const WARMUP_SECONDS = 1;

/**
 * Starts the pipeline on a pre-filled input topic and times it from the first record it consumed
 * until the output topic holds every expected record (high-water marks, so acknowledged by the
 * broker). Then waits a second and checks that no further (duplicate) outputs appeared.
 */
export async function measureThroughput(
  pipeline: Pipeline,
  admin: Admin,
  topics: PipelineTopics,
  input: { readonly records: number; readonly bytes: number; readonly expectedOutputs: number },
  timeLimitMs: number,
): Promise<ThroughputFigures> {
  progress(`${pipeline.name}: starting (group join is not timed)`);
  await pipeline.start();
  const cpuBefore = process.cpuUsage();
  const wallBefore = nowMs();
  const deadline = nowMs() + timeLimitMs;
  let outputs = 0;
  let lastReport = nowMs();
  // A transactional pipeline is done when its group committed the whole input: its outputs commit
  // in the same transactions. Its output count is then read committed.
  const progressOf = async (): Promise<number> =>
    pipeline.transactional === true
      ? Math.round(((await committedCount(admin, topics.groupId, topics.inTopic)) / input.records) * input.expectedOutputs)
      : topicRecordCount(admin, topics.outTopic);
  while ((outputs = await progressOf()) < input.expectedOutputs && nowMs() < deadline) {
    if (nowMs() - lastReport > 2_000) {
      lastReport = nowMs();
      progress(`${pipeline.name}: ${outputs.toLocaleString('en-US')}/${input.expectedOutputs.toLocaleString('en-US')} outputs`);
    }
    await sleep(POLL_MS);
  }
  const end = nowMs();
  const cpu = process.cpuUsage(cpuBefore);
  const nodeCpuPct = Math.round(((cpu.user + cpu.system) / 1000 / Math.max(end - wallBefore, 1)) * 100);
  const first = pipeline.firstConsumedAt();
  if (first === undefined) throw new Error(`${pipeline.name}: no input record was consumed from ${topics.inTopic} within ${timeLimitMs} ms`);
  const ms = end - first;
  if (outputs < input.expectedOutputs) {
    // Too slow for the time budget: report the rate so far instead of hanging the whole run.
    const consumedEstimate = Math.round((outputs / input.expectedOutputs) * input.records);
    const incomplete = `time limit ${Math.round(timeLimitMs / 1000)} s hit at ${outputs}/${input.expectedOutputs} outputs`;
    progress(`${pipeline.name}: ${incomplete}`);
    return {
      inputRecords: consumedEstimate,
      outputs,
      expectedOutputs: input.expectedOutputs,
      ms,
      recordsPerSec: perSecond(consumedEstimate, ms),
      mbPerSec: mbPerSecond((outputs / input.expectedOutputs) * input.bytes, ms),
      nodeCpuPct,
      incomplete,
    };
  }
  await sleep(1_000);
  const settled =
    pipeline.transactional === true
      ? await committedRecordCount(benchKafka(topics.bootstrap, `bench-count-${topics.groupId}`), topics.outTopic, input.expectedOutputs)
      : await topicRecordCount(admin, topics.outTopic);
  if (settled !== input.expectedOutputs) {
    throw new Error(`${pipeline.name}: output topic ${topics.outTopic} holds ${settled} records, expected exactly ${input.expectedOutputs} (${input.records} inputs, 10% filtered)`);
  }
  progress(`${pipeline.name}: ${input.records.toLocaleString('en-US')} records in ${Math.round(ms)} ms, output count verified (${settled})`);
  return {
    inputRecords: input.records,
    outputs: settled,
    expectedOutputs: input.expectedOutputs,
    ms,
    recordsPerSec: perSecond(input.records, ms),
    mbPerSec: mbPerSecond(input.bytes, ms),
    nodeCpuPct,
  };
}

export interface LatencyFigures {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly samples: number;
  readonly expected: number;
}

/**
 * With the pipeline running and caught up, produces records at a steady `rate` for `seconds`
 * (each carrying its send time) and measures, for each output, consumed-at minus sent-at. A paced
 * load keeps queueing out of the figure.
 */
export async function measureLatency(
  kafka: Kafka,
  admin: Admin,
  topics: PipelineTopics,
  options: { readonly rate: number; readonly seconds: number; readonly label: string; readonly wire?: LatencyWire },
): Promise<LatencyFigures> {
  const wire = options.wire ?? jsonWire;
  // The first second is a warm-up (a fresh pipeline's first fetches, connections to the output
  // partitions): its records are sent at the same pace but not sampled.
  const warmup = Math.round(options.rate * WARMUP_SECONDS);
  const total = warmup + Math.round(options.rate * options.seconds);
  const sampledFrom = LATENCY_ID_BASE + warmup;
  const expected = keptCount(sampledFrom, total - warmup);
  const samples: number[] = [];
  const start = await highWaterMarks(admin, topics.outTopic);
  const consumer = kafka.consumer({ groupId: `${topics.groupId}-latency`, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    for (const [partition, offset] of start) consumer.seek({ topic: topics.outTopic, partition, offset: String(offset) });
    joined = true;
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topics.outTopic], fromBeginning: false });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const receivedAt = Date.now();
      for (const message of batch.messages) {
        if (message.value === null) continue;
        const payment = wire.decode(message.value);
        if (payment.id >= sampledFrom) samples.push(receivedAt - payment.sentAt);
      }
    },
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    while (!joined) await sleep(20);
    await sleep(500);
    progress(`${options.label}: latency phase, ${options.rate} records/s for ${WARMUP_SECONDS} s (warm-up) + ${options.seconds} s`);
    const t0 = Date.now();
    const sends: Promise<unknown>[] = [];
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((Date.now() - t0) / 1000) * options.rate));
      if (due > sent) {
        const messages: Message[] = [];
        for (let i = sent; i < due; i++) {
          const id = LATENCY_ID_BASE + i;
          messages.push({ key: null, value: wire.encode(makePayment(id, Date.now())), partition: i % topics.partitions });
        }
        sends.push(producer.send({ topic: topics.inTopic, acks: -1, messages }));
        sent = due;
      }
      await sleep(5);
    }
    await Promise.all(sends);
    const deadline = Date.now() + 20_000;
    while (samples.length < expected && Date.now() < deadline) await sleep(50);
  } finally {
    await producer.disconnect();
    await consumer.disconnect();
  }
  if (samples.length < expected) progress(`${options.label}: only ${samples.length}/${expected} latency records came out within 20 s`);
  return { p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99), samples: samples.length, expected };
}
