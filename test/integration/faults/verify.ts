/**
 * The verifier of the fault tests: reads the source, the table's changelog and the output topic from
 * the beginning (read_committed), and compares, per key, the table's last value with the sum of the
 * events the source holds, and per source record the number of outputs it caused.
 */
import type { FaultEvent, FaultOutput } from '../../fixtures/kafka-apps/fault-worker.js';
import { testKafkaClient } from '../../kafka/global.js';
import { highWaterMarks } from '../support/kafka-views.js';
import { sleep } from '../support/wait.js';
import type { Feeder } from './fault-bed.js';

interface Read {
  readonly key: string;
  readonly value: Buffer | null;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
}

/**
 * Reads a whole topic until every partition reached its end (or 8 s pass idle): read_committed, or
 * with `uncommitted` also what aborted transactions wrote (to tell where a lost event's outputs went).
 */
export async function readTopic(bootstrap: string, topic: string, uncommitted = false): Promise<Read[]> {
  const highs = await highWaterMarks(bootstrap, topic);
  const records: Read[] = [];
  const next = new Map<number, number>();
  const consumer = testKafkaClient(bootstrap, 'fault-verifier', { retries: 10 }).consumer({
    groupId: `verify-${topic}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    readUncommitted: uncommitted,
    maxWaitTimeInMs: 200,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  let lastProgress = Date.now();
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          records.push({ key: m.key?.toString() ?? '', value: m.value, partition: batch.partition, offset: Number(m.offset), timestamp: Number(m.timestamp) });
          next.set(batch.partition, Number(m.offset) + 1);
        }
        if (batch.messages.length > 0) lastProgress = Date.now();
      },
    });
    // A transaction marker may end a partition (read_committed): one offset short counts as the end;
    // with more markers (aborted transactions) the idle timeout ends the read.
    for (;;) {
      const behind = [...highs].filter(([p, h]) => h > 0 && (next.get(p) ?? 0) < h - 1);
      if (behind.length === 0 && Date.now() - lastProgress > 1_000) break;
      if (Date.now() - lastProgress > 8_000) break;
      await sleep(200);
    }
  } finally {
    await consumer.disconnect();
  }
  return records;
}

export interface KeyFigure {
  readonly key: string;
  readonly events: number;
  readonly expected: number;
  readonly sum: number;
}

export interface Verdict {
  readonly sent: number;
  readonly acked: number;
  /** Acknowledged ids the source topic does not hold: the broker lost records it acknowledged. */
  readonly sourceLost: number;
  readonly sourceRecords: number;
  readonly keys: number;
  readonly keysBelow: number;
  readonly keysAbove: number;
  readonly deficit: number;
  readonly surplus: number;
  readonly outRecords: number;
  readonly outLost: number;
  readonly outDuplicated: number;
  readonly examples: readonly KeyFigure[];
}

/** Reads everything and compares; the figures go to stderr for CI logs. */
export async function verify(bootstrap: string, topics: { source: string; changelog: string; output: string }, feeder: Feeder): Promise<Verdict> {
  const [source, changelog, output] = await Promise.all([readTopic(bootstrap, topics.source), readTopic(bootstrap, topics.changelog), readTopic(bootstrap, topics.output)]);

  const expected = new Map<string, { events: number; sum: number }>();
  const sourceIds = new Set<number>();
  for (const r of source) {
    const event = JSON.parse(r.value?.toString() ?? 'null') as FaultEvent;
    sourceIds.add(event.id);
    const e = expected.get(r.key) ?? { events: 0, sum: 0 };
    e.events++;
    e.sum += event.n;
    expected.set(r.key, e);
  }
  let sourceLost = 0;
  for (const ids of feeder.acked.values()) for (const id of ids) if (!sourceIds.has(id)) sourceLost++;

  // The changelog is the table's durable state: the last record of each key wins.
  const table = new Map<string, number>();
  for (const r of changelog) {
    if (r.value === null) table.delete(r.key);
    else table.set(r.key, JSON.parse(r.value.toString()) as number);
  }
  let keysBelow = 0;
  let keysAbove = 0;
  let deficit = 0;
  let surplus = 0;
  const examples: KeyFigure[] = [];
  const belowKeys: KeyFigure[] = [];
  for (const [key, e] of expected) {
    const sum = table.get(key) ?? 0;
    if (sum < e.sum) {
      keysBelow++;
      deficit += e.sum - sum;
    } else if (sum > e.sum) {
      keysAbove++;
      surplus += sum - e.sum;
    }
    if (sum !== e.sum && examples.length < 5) examples.push({ key, events: e.events, expected: e.sum, sum });
    if (sum < e.sum && belowKeys.length < 3) belowKeys.push({ key, events: e.events, expected: e.sum, sum });
  }

  const outs = new Map<string, number>();
  const outsOfKey = new Map<string, FaultOutput[]>();
  for (const r of output) {
    const out = JSON.parse(r.value?.toString() ?? 'null') as FaultOutput;
    const at = `${out.partition}:${out.offset}`;
    outs.set(at, (outs.get(at) ?? 0) + 1);
    outsOfKey.set(r.key, [...(outsOfKey.get(r.key) ?? []), out]);
  }
  // A key below its events: its story, to find the step where a sum lost an event.
  for (const example of belowKeys) {
    const events = source.filter((r) => r.key === example.key).map((r) => `${r.offset}+${(JSON.parse(r.value?.toString() ?? 'null') as FaultEvent).n}`);
    const writes = changelog.filter((r) => r.key === example.key).map((r) => `${r.partition}@${r.offset}=${r.value?.toString() ?? 'null'}`);
    const outputs = (outsOfKey.get(example.key) ?? []).map((o) => `${o.offset}:${o.sum ?? '?'}@${o.worker}`);
    process.stderr.write(`[faults] ${example.key} below (${example.sum}/${example.expected}): events ${events.join(' ')}\n  changelog ${writes.join(' ')}\n  outputs ${outputs.join(' ')}\n`);
  }
  let outLost = 0;
  let outDuplicated = 0;
  const twice: string[] = [];
  const lost: Read[] = [];
  for (const r of source) {
    const count = outs.get(`${r.partition}:${r.offset}`) ?? 0;
    if (count === 0) {
      outLost++;
      lost.push(r);
    } else outDuplicated += count - 1;
    if (count > 1 && twice.length < 3) twice.push(`${r.partition}:${r.offset}`);
  }
  if (lost.length > 0) await describeLost(bootstrap, topics.output, lost);
  // An event output twice: each copy with the worker that wrote it and where it landed.
  for (const at of twice) {
    const copies = output
      .map((r) => ({ r, out: JSON.parse(r.value?.toString() ?? 'null') as FaultOutput }))
      .filter(({ out }) => `${out.partition}:${out.offset}` === at)
      .map(({ r, out }) => `out[${r.partition}]@${r.offset} sum ${out.sum ?? '?'} by ${out.worker}`);
    process.stderr.write(`[faults] event ${at} output ${copies.length} times: ${copies.join(' | ')}\n`);
  }
  return {
    sent: feeder.sent,
    acked: feeder.ackedCount,
    sourceLost,
    sourceRecords: source.length,
    keys: expected.size,
    keysBelow,
    keysAbove,
    deficit,
    surplus,
    outRecords: output.length,
    outLost,
    outDuplicated,
    examples,
  };
}

/**
 * Events without a committed output: their source positions, and every copy of their output that an
 * aborted (or never ended) transaction wrote, with the worker and the time, to find the step that
 * committed their offsets without their outputs.
 */
async function describeLost(bootstrap: string, outputTopic: string, lost: readonly Read[]): Promise<void> {
  const byPartition = new Map<number, number[]>();
  for (const r of lost) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r.offset]);
  const ranges = [...byPartition].map(([p, offsets]) => `[${p}] ${offsets.join(',')}`);
  process.stderr.write(`[faults] events without a committed output: ${ranges.join('; ')}\n`);
  const wanted = new Map(lost.slice(0, 40).map((r) => [`${r.partition}:${r.offset}`, r]));
  const copies = new Map<string, string[]>();
  for (const r of await readTopic(bootstrap, outputTopic, true)) {
    const out = JSON.parse(r.value?.toString() ?? 'null') as FaultOutput;
    const at = `${out.partition}:${out.offset}`;
    if (wanted.has(at)) copies.set(at, [...(copies.get(at) ?? []), `out[${r.partition}]@${r.offset} by ${out.worker} at ${new Date(r.timestamp).toISOString().slice(11, 23)}`]);
  }
  for (const [at, r] of wanted) {
    process.stderr.write(`[faults] lost ${at} (source written ${new Date(r.timestamp).toISOString().slice(11, 23)}): uncommitted copies ${(copies.get(at) ?? ['none']).join(' | ')}\n`);
  }
}

export function describeVerdict(v: Verdict): string {
  return (
    `events sent ${v.sent}, acknowledged ${v.acked}, in source ${v.sourceRecords} (acknowledged but missing: ${v.sourceLost}); ` +
    `keys ${v.keys}: below ${v.keysBelow} (deficit ${v.deficit}), above ${v.keysAbove} (surplus ${v.surplus}); ` +
    `out ${v.outRecords} records: lost ${v.outLost}, duplicated ${v.outDuplicated}` +
    (v.examples.length > 0 ? `; e.g. ${v.examples.map((e) => `${e.key} sum ${e.sum}/${e.expected} (${e.events} events)`).join(', ')}` : '')
  );
}

/** Checks a feeder's acknowledged ids against what its topic holds (the producer control). */
export async function verifyFeeder(bootstrap: string, feeder: Feeder): Promise<{ acked: number; abandoned: number; inTopic: number; lost: number; duplicated: number }> {
  const records = await readTopic(bootstrap, feeder.topic);
  const counts = new Map<number, number>();
  for (const r of records) {
    const { id } = JSON.parse(r.value?.toString() ?? 'null') as FaultEvent;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  let lost = 0;
  for (const ids of feeder.acked.values()) for (const id of ids) if (!counts.has(id)) lost++;
  let duplicated = 0;
  for (const c of counts.values()) duplicated += c - 1;
  return { acked: feeder.ackedCount, abandoned: feeder.abandoned, inTopic: records.length, lost, duplicated };
}
