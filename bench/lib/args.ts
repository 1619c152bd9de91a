import type { BenchOptions } from './scenario.js';

export const USAGE = `usage: npm run bench -- [--json] [--only <name>[,<name>...]] [--records N] [--keys N]
                          [--rounds N] [--latency-rate N] [--latency-seconds N] [--phase-limit SECONDS]
                          [--stateful-events N] [--stateful-keys N]
  --json          print only the JSON array of results on stdout
  --only          scenarios or rows to run, e.g. codec-avro, codec-json, stateless, stateless-avro-registry, recovery,
                  recovery-rocksdb, faust-stateless, stateful, stateful-kafka-streams
  --records       input records of the stateless pipelines (default 200000)
  --keys          changelog keys of the recovery scenarios (default 1000000)
  --rounds        throughput rounds of each stateless pipeline, interleaved; the median counts (default 5)
  --latency-rate  records/s of the paced latency phase (default 2000)
  --latency-seconds  length of the latency phase (default 5)
  --phase-limit   time limit of one timed phase, in seconds (default 60; a stateful round gets 3 times it)
  --stateful-events  input events of the stateful scenario (default 1000000)
  --stateful-keys    distinct keys they are counted by (default 100000)`;

function positive(flag: string, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || !Number.isFinite(value) || value <= 0) throw new Error(`${flag} needs a positive number, got ${String(text)}\n${USAGE}`);
  return value;
}

export function parseArgs(argv: readonly string[]): BenchOptions {
  let json = false;
  const only: string[] = [];
  let records = 200_000;
  let keys = 1_000_000;
  let latencyRate = 2_000;
  let latencySeconds = 5;
  let phaseLimitMs = 60_000;
  let rounds = 5;
  let statefulEvents = 1_000_000;
  let statefulKeys = 100_000;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = (): string | undefined => argv[++i];
    switch (arg) {
      case '--json':
        json = true;
        break;
      case '--only':
        only.push(...(next() ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0));
        break;
      case '--records':
        records = Math.round(positive(arg, next()));
        break;
      case '--keys':
        keys = Math.round(positive(arg, next()));
        break;
      case '--rounds':
        rounds = Math.round(positive(arg, next()));
        break;
      case '--latency-rate':
        latencyRate = positive(arg, next());
        break;
      case '--latency-seconds':
        latencySeconds = positive(arg, next());
        break;
      case '--phase-limit':
        phaseLimitMs = positive(arg, next()) * 1000;
        break;
      case '--stateful-events':
        statefulEvents = Math.round(positive(arg, next()));
        break;
      case '--stateful-keys':
        statefulKeys = Math.round(positive(arg, next()));
        break;
      case '--help':
      case '-h':
        process.stdout.write(USAGE + '\n');
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${String(arg)}\n${USAGE}`);
    }
  }
  return { json, only, records, keys, rounds, latencyRate, latencySeconds, phaseLimitMs, statefulEvents, statefulKeys };
}
