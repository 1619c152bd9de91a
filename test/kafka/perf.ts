/**
 * Kafka's own perf tools (ProducerPerformance, ConsumerPerformance) against a broker: the
 * "Kafka ceiling" that faustgen's benchmark compares a Node client with, on the same machine and
 * in the same run. See docs/kafka-broker.md.
 */
import { ensureKafkaJars, runKafkaTool } from './broker.js';
import { createTopics, testKafkaClient } from './global.js';

export interface KafkaPerfOptions {
  bootstrap: string;
  topic: string;
  records: number;
  /** Bytes per record (default 100). */
  recordSize?: number;
  /** Producer acks (default '1'). */
  acks?: '0' | '1' | 'all';
  /** Partitions if the topic has to be created (default 1). */
  partitions?: number;
  /** Extra producer properties, e.g. `{ 'linger.ms': '5', 'batch.size': '262144' }`. */
  producerProps?: Record<string, string>;
  /** Skip the consumer run. */
  skipConsumer?: boolean;
  /** Progress lines (tool output as it arrives). Default: none. */
  onProgress?: (line: string) => void;
}

export interface ProducerPerfResult {
  records: number;
  recordsPerSec: number;
  mbPerSec: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
  /** The tool's final summary line. */
  summary: string;
}

export interface ConsumerPerfResult {
  records: number;
  mb: number;
  /** Over the whole run, including the group join (`nMsg.sec`). */
  recordsPerSec: number;
  /** Over the whole run, including the group join (`MB.sec`). */
  mbPerSec: number;
  /** Join/rebalance time excluded (`fetch.nMsg.sec`). */
  fetchRecordsPerSec: number;
  /** Join/rebalance time excluded (`fetch.MB.sec`). */
  fetchMbPerSec: number;
  rebalanceMs: number;
  fetchMs: number;
  /** The tool's CSV header and row. */
  summary: string;
}

export interface KafkaPerfResult {
  producer: ProducerPerfResult;
  consumer: ConsumerPerfResult | undefined;
}

const PRODUCER_FINAL =
  /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th/;

/** Parses ProducerPerformance's final summary line out of its stdout. */
export function parseProducerPerf(stdout: string): ProducerPerfResult {
  const line = stdout.split('\n').find((l) => PRODUCER_FINAL.test(l));
  const m = line ? PRODUCER_FINAL.exec(line) : null;
  if (!line || !m) throw new Error(`No ProducerPerformance summary line in its output:\n${stdout.slice(-2000)}`);
  const n = (i: number): number => Number(m[i]);
  return {
    records: n(1),
    recordsPerSec: n(2),
    mbPerSec: n(3),
    avgLatencyMs: n(4),
    maxLatencyMs: n(5),
    p50Ms: n(6),
    p95Ms: n(7),
    p99Ms: n(8),
    p999Ms: n(9),
    summary: line.trim(),
  };
}

/** Parses ConsumerPerformance's CSV header + row out of its stdout. */
export function parseConsumerPerf(stdout: string): ConsumerPerfResult {
  const lines = stdout.split('\n').map((l) => l.trim());
  const h = lines.findIndex((l) => l.startsWith('start.time'));
  const header = h >= 0 ? lines[h] : undefined;
  const row = h >= 0 ? lines.slice(h + 1).find((l) => l.length > 0) : undefined;
  if (header === undefined || row === undefined) {
    throw new Error(`No ConsumerPerformance CSV in its output:\n${stdout.slice(-2000)}`);
  }
  const keys = header.split(',').map((k) => k.trim());
  const vals = row.split(',').map((v) => v.trim());
  const get = (key: string): number => {
    const i = keys.indexOf(key);
    const v = i >= 0 ? Number(vals[i]) : NaN;
    if (!Number.isFinite(v)) throw new Error(`ConsumerPerformance output lacks ${key}:\n${header}\n${row}`);
    return v;
  };
  return {
    records: get('data.consumed.in.nMsg'),
    mb: get('data.consumed.in.MB'),
    recordsPerSec: get('nMsg.sec'),
    mbPerSec: get('MB.sec'),
    fetchRecordsPerSec: get('fetch.nMsg.sec'),
    fetchMbPerSec: get('fetch.MB.sec'),
    rebalanceMs: get('rebalance.time.ms'),
    fetchMs: get('fetch.time.ms'),
    summary: `${header}\n${row}`,
  };
}

/**
 * Creates `topic` if it does not exist, runs ProducerPerformance (`records` records of
 * `recordSize` bytes, unthrottled, acks=1 by default), then ConsumerPerformance reading them back,
 * and returns both tools' parsed summaries.
 */
export async function runKafkaPerf(opts: KafkaPerfOptions): Promise<KafkaPerfResult> {
  const libDir = await ensureKafkaJars(opts.onProgress ? { onProgress: opts.onProgress } : {});
  const recordSize = opts.recordSize ?? 100;

  const admin = testKafkaClient(opts.bootstrap, 'faustgen-perf-admin').admin();
  await admin.connect();
  let exists: boolean;
  try {
    exists = (await admin.listTopics()).includes(opts.topic);
  } finally {
    await admin.disconnect();
  }
  if (!exists) {
    await createTopics(opts.bootstrap, [{ topic: opts.topic, numPartitions: opts.partitions ?? 1 }]);
  }

  // The tools' stdout arrives in arbitrary chunks: pass complete lines on.
  let pending = '';
  const relay = (chunk: string): void => {
    pending += chunk;
    let i: number;
    while ((i = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, i).trim();
      pending = pending.slice(i + 1);
      if (line) opts.onProgress?.(line);
    }
  };
  const producerProps = {
    'bootstrap.servers': opts.bootstrap,
    acks: opts.acks ?? '1',
    ...(opts.producerProps ?? {}),
  };
  const producerOut = await runKafkaTool(
    libDir,
    'org.apache.kafka.tools.ProducerPerformance',
    [
      '--topic',
      opts.topic,
      '--num-records',
      String(opts.records),
      '--record-size',
      String(recordSize),
      '--throughput',
      '-1',
      '--producer-props',
      ...Object.entries(producerProps).map(([k, v]) => `${k}=${v}`),
    ],
    { heapMb: 512, quickStart: false, timeoutMs: 30 * 60_000, onStdout: relay },
  );
  const producer = parseProducerPerf(producerOut);
  if (opts.skipConsumer) return { producer, consumer: undefined };

  const consumerOut = await runKafkaTool(
    libDir,
    'org.apache.kafka.tools.ConsumerPerformance',
    [
      '--bootstrap-server',
      opts.bootstrap,
      '--topic',
      opts.topic,
      '--messages',
      String(opts.records),
      '--timeout',
      '60000',
      '--group',
      `faustgen-perf-${process.pid}-${Date.now().toString(36)}`,
    ],
    { heapMb: 512, quickStart: false, timeoutMs: 30 * 60_000, onStdout: relay },
  );
  return { producer, consumer: parseConsumerPerf(consumerOut) };
}
