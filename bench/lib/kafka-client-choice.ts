/** Which Kafka client a benchmarked faustgen app runs on, and the broker URL that names it. */
import { KAFKA_URL_SCHEMES, type KafkaClientChoice } from 'faustgen';

/** `default` is `kafka://`, faustgen's choice for this Node; the others name a client by its scheme. */
export type BenchKafkaClient = KafkaClientChoice;

/** BENCH_CLIENT's value as a client: unset is the default. */
export function benchClient(value: string | undefined): BenchKafkaClient {
  if (value === undefined || value === '' || value === 'default') return 'default';
  if (value === 'kafkajs' || value === 'platformatic') return value;
  throw new Error(`BENCH_CLIENT must be kafkajs, platformatic or unset, got ${value}`);
}

export function brokerUrl(client: BenchKafkaClient, bootstrap: string): string {
  return `${KAFKA_URL_SCHEMES[client]}://${bootstrap}`;
}
