/**
 * Builds the Kafka Streams baseline (kafka-streams/pom.xml + CountApp.java) with Maven, once, into
 * the Kafka jar cache (`<FAUSTGEN_KAFKA_CACHE or .cache/kafka>/<version>/streams-bench/<hash>`: the
 * hash of the pom and the source, so an edit rebuilds), and describes how to run it.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KAFKA_VERSION, TOOLS_LOG4J, javaExecutable, kafkaCacheRoot } from '../../../test/kafka/broker.js';
import { progress } from '../../lib/progress.js';
import type { WorkerEnv } from './probe.js';
import type { WorkerCommand } from './worker-process.js';

const PROJECT = join(dirname(fileURLToPath(import.meta.url)), 'kafka-streams');
const POM = join(PROJECT, 'pom.xml');
const SOURCE = join(PROJECT, 'src', 'main', 'java', 'dev', 'faustgen', 'bench', 'CountApp.java');
const MAVEN_DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const MARKER = 'built.json';

export interface StreamsApp {
  readonly classPath: string;
  readonly version: string;
}

function buildDir(): string {
  const hash = createHash('sha256').update(readFileSync(POM)).update(readFileSync(SOURCE)).digest('hex').slice(0, 16);
  return join(kafkaCacheRoot(), KAFKA_VERSION, 'streams-bench', hash);
}

function runMaven(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('mvn', [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const heartbeat = setInterval(() => progress('kafka streams: Maven still running...'), 15_000);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearInterval(heartbeat);
      reject(error.code === 'ENOENT' ? new Error('Maven (mvn) is not on PATH; the Kafka Streams baseline is built with it') : error);
    });
    child.on('close', (code) => {
      clearInterval(heartbeat);
      if (code === 0) resolve();
      else reject(new Error(`mvn ${args.join(' ')} exited ${String(code)}:\n${output.slice(-3000)}`));
    });
  });
}

/** The built app's class path, building it first when the cache lacks this pom + source. */
export async function ensureStreamsApp(): Promise<StreamsApp> {
  const dir = buildDir();
  const classPath = `${join(dir, 'build', 'classes')}:${join(dir, 'libs', '*')}`;
  const version = `Kafka Streams ${KAFKA_VERSION}`;
  if (existsSync(join(dir, MARKER))) return { classPath, version };
  progress(`kafka streams: building the baseline app with Maven into ${dir} (one-time; Maven caches in ~/.m2)`);
  const started = performance.now();
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await runMaven([
    '-B',
    '-q',
    '-Dstyle.color=never',
    '-f',
    POM,
    `-Dbench.build.dir=${join(dir, 'build')}`,
    'compile',
    `${MAVEN_DEPENDENCY_PLUGIN}:copy-dependencies`,
    `-DoutputDirectory=${join(dir, 'libs')}`,
    '-DincludeScope=runtime',
  ]);
  await writeFile(join(dir, MARKER), JSON.stringify({ builtAt: new Date().toISOString(), ms: Math.round(performance.now() - started) }) + '\n');
  progress(`kafka streams: built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { classPath, version };
}

/**
 * The JVM command for one run: Kafka Streams' defaults (one stream thread, its RocksDB store and
 * record cache, commit.interval.ms 30 s at-least-once / 100 ms exactly-once) and the JVM's own
 * defaults (heap, G1), logging WARN and above to stderr.
 */
export function streamsCommand(app: StreamsApp, label: string, env: WorkerEnv): WorkerCommand {
  return {
    label,
    command: javaExecutable(),
    args: [`-Dlog4j.configuration=file:${TOOLS_LOG4J}`, '-cp', app.classPath, 'dev.faustgen.bench.CountApp'],
    env: {
      BENCH_BOOTSTRAP: env.bootstrap,
      BENCH_APP_ID: env.appId,
      BENCH_IN: env.inTopic,
      BENCH_STATE_DIR: env.stateDir,
      BENCH_EXPECTED: String(env.expected),
      BENCH_SAMPLE_MIN_ID: String(env.sampleMinId),
      BENCH_GUARANTEE: env.guarantee === 'exactly_once' ? 'exactly_once_v2' : 'at_least_once',
    },
  };
}
