/**
 * faustgen benchmarks: `npm run bench` prints a table, `npm run bench -- --json` the same figures as
 * a JSON array. Everything runs against one single-node Kafka broker this process starts on
 * loopback and always stops. Progress goes to stderr. See docs/benchmarks.md.
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { ensureKafkaJars, startKafkaCluster, type KafkaCluster } from '../test/kafka/broker.js';
import { parseArgs } from './lib/args.js';
import { progress } from './lib/progress.js';
import type { ScenarioResult } from './lib/result.js';
import type { Scenario } from './lib/scenario.js';
import { renderTable } from './lib/table.js';
import { faustStatelessScenario } from './scenarios/faust-stateless.js';
import { codecAvroScenario } from './scenarios/codec-avro.js';
import { codecJsonScenario } from './scenarios/codec-json.js';
import { recoveryScenario } from './scenarios/recovery.js';
import { statelessAvroRegistryScenario } from './scenarios/stateless-avro-registry.js';
import { statelessScenario } from './scenarios/stateless.js';
import { statefulScenario } from './scenarios/stateful.js';

const SCENARIOS: readonly Scenario[] = [
  codecAvroScenario,
  codecJsonScenario,
  statelessScenario,
  statelessAvroRegistryScenario,
  recoveryScenario,
  statefulScenario,
  faustStatelessScenario,
];

function selected(only: readonly string[]): Scenario[] {
  if (only.length === 0) return SCENARIOS.filter((s) => s.optional !== true);
  const matches = (name: string): boolean => only.some((o) => name === o || name.startsWith(`${o}-`));
  const chosen = SCENARIOS.filter((s) => matches(s.name) || s.rows.some(matches));
  if (chosen.length === 0) {
    const known = SCENARIOS.flatMap((s) => [s.name, ...s.rows]);
    throw new Error(`--only ${only.join(',')} matches no scenario (known: ${[...new Set(known)].join(', ')})`);
  }
  return chosen;
}

async function startBroker(): Promise<KafkaCluster> {
  progress('starting a single-node Kafka broker on loopback');
  const cluster = await startKafkaCluster({ nodes: 1, heapMb: 1024, onProgress: (m) => progress(`kafka: ${m}`) });
  progress(`broker ready at ${cluster.bootstrap}`);
  return cluster;
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const scenarios = selected(options.only);
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  progress(`scenarios: ${scenarios.map((s) => s.name).join(', ')}; ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const results: ScenarioResult[] = [];
  const failures: string[] = [];
  if (scenarios.some((s) => s.needsBroker !== false)) await ensureKafkaJars({ onProgress: (m) => progress(`kafka: ${m}`) });
  for (const scenario of scenarios) {
    const started = performance.now();
    progress(`== ${scenario.name}`);
    // A broker of its own per scenario: on one broker shared by the whole run, the scenarios late in
    // it ran on a broker (and a disk) still busy with the ~7M records written before them, and their
    // baselines fell to half of what they measure alone (docs/benchmarks.md, "Session 22").
    let cluster: KafkaCluster | undefined;
    try {
      if (scenario.needsBroker !== false) cluster = await startBroker();
      results.push(...(await scenario.run({ bootstrap: cluster?.bootstrap ?? '', options, runId, results: [...results] })));
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      failures.push(`${scenario.name}: ${message}`);
      progress(`${scenario.name} FAILED: ${message}`);
      results.push({ name: scenario.name, baseline: null, ratio: null, error: error instanceof Error ? error.message : String(error) });
    } finally {
      if (cluster !== undefined) {
        progress('stopping the broker');
        await cluster.stop();
      }
    }
    progress(`== ${scenario.name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  if (options.json) process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  else process.stdout.write(renderTable(results) + '\n');
  progress(`load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
