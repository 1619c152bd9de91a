/**
 * The control of the broker-fault test: Kafka's own VerifiableProducer (the Java client, acks = all,
 * its default retries and delivery timeout) writing to a topic of its own through the same faults.
 * It prints one JSON line per acknowledged record; what it acknowledged is then looked up in the
 * topic, so a loss the Java client also sees is the cluster's, one it does not see is the client's.
 */
import { ensureKafkaJars, runKafkaTool } from '../../kafka/broker.js';
import { readTopic } from './verify.js';

export interface JavaControl {
  readonly done: Promise<void>;
  readonly acked: Set<string>;
  errors: number;
}

export async function startJavaControl(bootstrap: string, topic: string, messages: number, perSecond: number, timeoutMs: number): Promise<JavaControl> {
  const libDir = await ensureKafkaJars();
  const control: { acked: Set<string>; errors: number } = { acked: new Set(), errors: 0 };
  let partial = '';
  const done = runKafkaTool(
    libDir,
    'org.apache.kafka.tools.VerifiableProducer',
    ['--bootstrap-server', bootstrap, '--topic', topic, '--max-messages', String(messages), '--throughput', String(perSecond), '--acks', '-1'],
    {
      heapMb: 128,
      timeoutMs,
      onStdout: (chunk) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.startsWith('{')) continue;
          const event = JSON.parse(line) as { name?: string; value?: string };
          if (event.name === 'producer_send_success' && event.value !== undefined) control.acked.add(event.value);
          else if (event.name === 'producer_send_error') control.errors++;
        }
      },
    },
  ).then(() => undefined);
  return Object.assign(control, { done });
}

/** Acknowledged values of the Java control that its topic does not hold. */
export async function javaControlLost(bootstrap: string, topic: string, control: JavaControl): Promise<{ acked: number; errors: number; lost: number }> {
  const present = new Set((await readTopic(bootstrap, topic)).map((r) => r.value?.toString() ?? ''));
  let lost = 0;
  for (const value of control.acked) if (!present.has(value)) lost++;
  return { acked: control.acked.size, errors: control.errors, lost };
}
