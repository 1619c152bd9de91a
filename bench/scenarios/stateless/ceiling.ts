import { runKafkaPerf, type KafkaPerfResult } from '../../../test/kafka/perf.js';
import { progress } from '../../lib/progress.js';

/**
 * Kafka's own ProducerPerformance and ConsumerPerformance on the same broker, same record count
 * and size, same partition count: what the JVM client and broker do on this machine right now.
 * The producer gets linger.ms=5 and 256 KB batches (tuned, since this is the ceiling: with the
 * defaults it measures its own buffer queueing) and acks=all like faustgen.
 */
export async function runCeiling(bootstrap: string, topic: string, records: number, recordSize: number, partitions: number): Promise<KafkaPerfResult> {
  progress(`kafka perf tools: ${records.toLocaleString('en-US')} records x ${recordSize} B on ${partitions} partitions`);
  return runKafkaPerf({
    bootstrap,
    topic,
    records,
    recordSize,
    partitions,
    acks: 'all',
    producerProps: { 'linger.ms': '5', 'batch.size': '262144' },
    onProgress: (line) => progress(`  perf: ${line}`),
  });
}
