import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../../../test/kafka/broker.js';
import type { WorkerEnv } from './probe.js';
import type { WorkerCommand } from './worker-process.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * A Node worker script of this folder as a child process: tsx runs the script, which imports
 * faustgen from dist/ (the built package, as `npm run bench` uses it). `nodeArgs` go before the
 * script, e.g. `--cpu-prof`; `extraEnv` is added to the worker's environment (e.g. the Kafka driver).
 */
export function nodeCommand(script: string, nodeArgs: readonly string[] = [], extraEnv: Readonly<Record<string, string>> = {}): (label: string, env: WorkerEnv) => WorkerCommand {
  return (label, env) => ({
    label,
    command: process.execPath,
    args: [...nodeArgs, '--import', 'tsx', join(HERE, script)],
    cwd: REPO_ROOT,
    env: {
      BENCH_BOOTSTRAP: env.bootstrap,
      BENCH_APP_ID: env.appId,
      BENCH_IN: env.inTopic,
      BENCH_PARTITIONS: String(env.partitions),
      BENCH_STATE_DIR: env.stateDir,
      BENCH_EXPECTED: String(env.expected),
      BENCH_SAMPLE_MIN_ID: String(env.sampleMinId),
      BENCH_GUARANTEE: env.guarantee,
      ...extraEnv,
    },
  });
}
