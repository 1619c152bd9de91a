/**
 * The worker side of the stateful measurement (the Kafka Streams app has the same in Java): notes
 * each table update and tells the bench, on stdout, READY, FIRST <epoch ms> (first update),
 * LAST <epoch ms> (the BENCH_EXPECTED-th update), COUNT <n> every 100,000 updates and, at exit, STATS <json> with the latency samples
 * (update time minus the event's record timestamp) of events whose id >= BENCH_SAMPLE_MIN_ID.
 */
export interface WorkerEnv {
  readonly bootstrap: string;
  readonly appId: string;
  readonly inTopic: string;
  readonly partitions: number;
  readonly stateDir: string;
  readonly expected: number;
  readonly sampleMinId: number;
  readonly guarantee: 'at_least_once' | 'exactly_once';
}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

export function workerEnv(): WorkerEnv {
  const guarantee = required('BENCH_GUARANTEE');
  if (guarantee !== 'at_least_once' && guarantee !== 'exactly_once') throw new Error(`BENCH_GUARANTEE must be at_least_once or exactly_once, got ${guarantee}`);
  return {
    bootstrap: required('BENCH_BOOTSTRAP'),
    appId: required('BENCH_APP_ID'),
    inTopic: required('BENCH_IN'),
    partitions: Number(required('BENCH_PARTITIONS')),
    stateDir: required('BENCH_STATE_DIR'),
    expected: Number(required('BENCH_EXPECTED')),
    sampleMinId: Number(required('BENCH_SAMPLE_MIN_ID')),
    guarantee,
  };
}

export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

export interface ProbeStats {
  readonly processed: number;
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Updates between COUNT lines (progress for the bench, and a partial rate if it runs out of time). */
const PROGRESS_EVERY = 100_000;

export class Probe {
  private processed = 0;
  private samples: number[] = [];

  constructor(private readonly expected: number, private readonly sampleMinId: number) {}

  /** Called right after the table holds the event's update. */
  updated(id: number, timestamp: number): void {
    const now = Date.now();
    this.processed++;
    if (this.processed === 1) say(`FIRST ${now}`);
    if (this.processed === this.expected) say(`LAST ${now}`);
    if (this.processed % PROGRESS_EVERY === 0) say(`COUNT ${this.processed}`);
    if (this.sampleMinId > 0 && id >= this.sampleMinId) this.samples.push(now - timestamp);
  }

  stats(): ProbeStats {
    const sorted = [...this.samples].sort((a, b) => a - b);
    const at = (p: number): number => (sorted.length === 0 ? -1 : (sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? -1));
    return { processed: this.processed, samples: sorted.length, p50Ms: at(50), p99Ms: at(99) };
  }
}

/** Runs `start`, says READY, and on SIGTERM runs `stop` and says STATS. */
export async function runWorker(probe: Probe, start: () => Promise<void>, stop: () => Promise<void>): Promise<void> {
  let stopping = false;
  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => {
        say(`STATS ${JSON.stringify(probe.stats())}`);
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`stop failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        say(`STATS ${JSON.stringify(probe.stats())}`);
        process.exit(1);
      },
    );
  });
  await start();
  say('READY');
}
