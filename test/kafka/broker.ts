/**
 * A real Apache Kafka broker (KRaft, combined broker+controller) for faustgen's integration tests
 * and benchmarks, run from jars fetched from Maven Central. See docs/kafka-broker.md.
 *
 * - `ensureKafkaJars()` fetches the jars once into a cache dir (Maven's copy-dependencies).
 * - `startKafkaCluster()` starts 1 or 3 broker JVMs on free loopback ports with fresh data dirs.
 *
 * Broker JVMs never outlive the Node process that started them:
 * - a process 'exit' hook SIGKILLs them (and removes their data dirs);
 * - SIGINT/SIGTERM/SIGHUP do the same when nobody else handles those signals;
 * - a tiny watchdog process (one per Node process) holds a pipe from us; when that pipe closes
 *   (we exited or were SIGKILLed) it SIGKILLs every registered JVM and removes the data dirs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';

// ---------------------------------------------------------------------------------------------
// Paths and version

const HERE = dirname(fileURLToPath(import.meta.url));
/** Repository root (test/kafka/../..). */
export const REPO_ROOT = resolve(HERE, '..', '..');
export const KAFKA_POM = join(HERE, 'pom.xml');
export const BROKER_LOG4J = join(HERE, 'log4j.properties');
export const TOOLS_LOG4J = join(HERE, 'tools-log4j.properties');

const POM_TEXT = readFileSync(KAFKA_POM, 'utf8');
const versionMatch = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(POM_TEXT);
if (!versionMatch?.[1]) throw new Error(`Cannot read <kafka.version> from ${KAFKA_POM}`);
/** The Kafka version pinned in test/kafka/pom.xml (single source of truth). */
export const KAFKA_VERSION: string = versionMatch[1].trim();

const MAVEN_DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

/** Root of the jar cache: `$FAUSTGEN_KAFKA_CACHE` or `<repo>/.cache/kafka`. */
export function kafkaCacheRoot(): string {
  const env = process.env['FAUSTGEN_KAFKA_CACHE'];
  return env && env.length > 0 ? resolve(env) : join(REPO_ROOT, '.cache', 'kafka');
}

/** `<cache root>/<version>/libs`: where `ensureKafkaJars()` puts the jars. */
export function kafkaLibDir(): string {
  return join(kafkaCacheRoot(), KAFKA_VERSION, 'libs');
}

/** The `java` executable: `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java` on PATH. */
export function javaExecutable(): string {
  const home = process.env['JAVA_HOME'];
  if (home && existsSync(join(home, 'bin', 'java'))) return join(home, 'bin', 'java');
  return 'java';
}

/** Java class path for everything in the lib dir. */
export function kafkaClassPath(libDir: string): string {
  return join(libDir, '*');
}

// ---------------------------------------------------------------------------------------------
// Jar download

export interface EnsureKafkaJarsOptions {
  /** Progress lines (the first download takes a while). Default: written to stderr. */
  onProgress?: (msg: string) => void;
}

interface JarMarker {
  version: string;
  pomSha256: string;
  jars: string[];
  fetchedAt: string;
  fetchMs: number;
}

const MARKER_NAME = 'libs.complete.json';
const SLF4J_BINDING =
  /^(slf4j-(simple|nop|log4j12|reload4j|jdk14|jcl)|logback-classic|log4j-slf4j2?-impl)-.*\.jar$/;
const KAFKA_JAR = /^(kafka[-_].*?)-(\d+\.\d+\.\d+(?:[-.][A-Za-z0-9]+)*)\.jar$/;

function defaultProgress(msg: string): void {
  process.stderr.write(`[kafka] ${msg}\n`);
}

function pomSha256(): string {
  return createHash('sha256').update(POM_TEXT).digest('hex');
}

async function readMarker(versionDir: string): Promise<JarMarker | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(join(versionDir, MARKER_NAME), 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const m = parsed as Partial<JarMarker>;
    if (m.version !== KAFKA_VERSION || m.pomSha256 !== pomSha256() || !Array.isArray(m.jars)) {
      return undefined;
    }
    return m as JarMarker;
  } catch {
    return undefined;
  }
}

async function markerStillValid(versionDir: string, libDir: string): Promise<boolean> {
  const marker = await readMarker(versionDir);
  if (!marker) return false;
  try {
    const present = new Set(await readdir(libDir));
    return marker.jars.every((j) => present.has(j));
  } catch {
    return false;
  }
}

/** Checks a lib dir: one Kafka version (the pinned one), exactly one SLF4J binding. */
export function verifyKafkaLibDir(libDir: string): string[] {
  const jars = readdirSync(libDir).filter((f) => f.endsWith('.jar')).sort();
  const kafkaVersions = new Set<string>();
  for (const jar of jars) {
    const m = KAFKA_JAR.exec(jar);
    if (m?.[2]) kafkaVersions.add(m[2]);
  }
  if (kafkaVersions.size !== 1 || !kafkaVersions.has(KAFKA_VERSION)) {
    throw new Error(
      `Kafka lib dir ${libDir} must hold exactly Kafka ${KAFKA_VERSION}, found versions: ` +
        `[${[...kafkaVersions].join(', ')}]`,
    );
  }
  for (const required of [`kafka_2.13-${KAFKA_VERSION}.jar`, `kafka-tools-${KAFKA_VERSION}.jar`]) {
    if (!jars.includes(required)) throw new Error(`Kafka lib dir ${libDir} lacks ${required}`);
  }
  const bindings = jars.filter((j) => SLF4J_BINDING.test(j));
  if (bindings.length !== 1) {
    throw new Error(
      `Kafka lib dir ${libDir} must hold exactly one SLF4J binding, found ${bindings.length}: ` +
        `[${bindings.join(', ')}]`,
    );
  }
  return jars;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A directory lock (mkdir is atomic) so parallel test processes don't download at once. */
async function withDirLock<T>(lockDir: string, onWait: () => void, fn: () => Promise<T>): Promise<T> {
  let waitedSince = 0;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let owner = NaN;
      try {
        owner = Number((await readFile(join(lockDir, 'pid'), 'utf8')).trim());
      } catch {
        // lock dir being created or removed right now
      }
      if (Number.isInteger(owner) && owner > 0 && !pidAlive(owner)) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (waitedSince === 0) {
        waitedSince = Date.now();
        onWait();
      } else if (Date.now() - waitedSince > 15 * 60_000) {
        throw new Error(`Timed out waiting for the Kafka jar download lock ${lockDir}`);
      }
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

function tailLines(text: string, n: number): string {
  const lines = text.split('\n');
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.slice(-n).join('\n');
}

async function runMaven(outDir: string, progress: (msg: string) => void): Promise<void> {
  const args = [
    '-B',
    '-Dstyle.color=never',
    '-f',
    KAFKA_POM,
    `${MAVEN_DEPENDENCY_PLUGIN}:copy-dependencies`,
    `-DoutputDirectory=${outDir}`,
    '-DincludeScope=runtime',
  ];
  // Not `-q`: we parse Maven's "Downloaded from" lines to report progress; the output is kept
  // in memory and only shown (its tail) when Maven fails.
  const child = spawn('mvn', args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let files = 0;
  let bytes = 0;
  let lastReport = Date.now();
  let lastLine = Date.now();
  const started = Date.now();
  const sizeRe = /\(([\d.]+) (B|kB|KB|MB|GB)/;
  const unit: Record<string, number> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9 };
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    output += text;
    if (output.length > 200_000) output = output.slice(-100_000);
    for (const line of text.split('\n')) {
      if (!line.includes('Downloaded from')) continue;
      files += 1;
      lastLine = Date.now();
      const m = sizeRe.exec(line);
      if (m?.[1] && m[2]) bytes += Number(m[1]) * (unit[m[2]] ?? 1);
    }
    if (Date.now() - lastReport >= 2000 && files > 0) {
      lastReport = Date.now();
      progress(`downloaded ${files} files (${(bytes / 1e6).toFixed(1)} MB) so far...`);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const heartbeat = setInterval(() => {
    if (Date.now() - lastLine >= 10_000) {
      progress(`Maven still running (${Math.round((Date.now() - started) / 1000)} s)...`);
    }
  }, 10_000);
  try {
    const code = await new Promise<number | null>((res, rej) => {
      child.on('error', (err: NodeJS.ErrnoException) => {
        rej(
          err.code === 'ENOENT'
            ? new Error(
                `Maven (mvn) is not on PATH; it is needed once to fetch the Kafka ${KAFKA_VERSION} ` +
                  `jars from Maven Central (or point FAUSTGEN_KAFKA_CACHE at a cache that has them)`,
              )
            : err,
        );
      });
      child.on('close', (c) => res(c));
    });
    if (code !== 0) {
      throw new Error(
        `Maven failed to fetch Kafka ${KAFKA_VERSION} jars (exit ${String(code)}):\n` +
          tailLines(output, 30),
      );
    }
    if (files > 0) progress(`downloaded ${files} files (${(bytes / 1e6).toFixed(1)} MB)`);
  } finally {
    clearInterval(heartbeat);
  }
}

/**
 * Makes sure the Kafka jars are in the cache and returns the lib dir. Idempotent: a marker file
 * is written only after a complete, verified download, so an interrupted download is redone.
 */
export async function ensureKafkaJars(opts: EnsureKafkaJarsOptions = {}): Promise<string> {
  const progress = opts.onProgress ?? defaultProgress;
  const libDir = kafkaLibDir();
  const versionDir = dirname(libDir);
  if (await markerStillValid(versionDir, libDir)) return libDir;

  await mkdir(versionDir, { recursive: true });
  return withDirLock(
    join(versionDir, '.lock'),
    () => progress(`waiting for another process to finish fetching Kafka ${KAFKA_VERSION} jars...`),
    async () => {
      if (await markerStillValid(versionDir, libDir)) return libDir;
      const started = Date.now();
      progress(
        `fetching Kafka ${KAFKA_VERSION} jars from Maven Central into ${libDir} ` +
          `(one-time; Maven caches in ~/.m2)...`,
      );
      await rm(join(versionDir, MARKER_NAME), { force: true });
      const tmp = join(versionDir, `libs.tmp-${process.pid}`);
      await rm(tmp, { recursive: true, force: true });
      try {
        await runMaven(tmp, progress);
        const jars = verifyKafkaLibDir(tmp);
        await rm(libDir, { recursive: true, force: true });
        await rename(tmp, libDir);
        const marker: JarMarker = {
          version: KAFKA_VERSION,
          pomSha256: pomSha256(),
          jars,
          fetchedAt: new Date().toISOString(),
          fetchMs: Date.now() - started,
        };
        await writeFile(join(versionDir, MARKER_NAME), JSON.stringify(marker, null, 2) + '\n');
        progress(`Kafka ${KAFKA_VERSION}: ${jars.length} jars ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return libDir;
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Process registry + watchdog: brokers never outlive this process

/** Runs in a separate `node -e` process; see the module comment. */
const WATCHDOG_SOURCE = String.raw`
const fs = require('node:fs');
const pids = new Set();
const dirs = new Set();
let buf = '';
let done = false;
function finish() {
  if (done) return;
  done = true;
  for (const pid of pids) {
    try { process.kill(pid, 'SIGCONT'); } catch {}
    try { process.kill(pid, 'SIGKILL'); } catch {}
  }
  setTimeout(() => {
    for (const dir of dirs) { try { fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 }); } catch {} }
    process.exit(0);
  }, pids.size > 0 ? 300 : 0);
}
process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});
process.on('SIGTERM', finish);
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buf += chunk;
  let i;
  while ((i = buf.indexOf('\n')) >= 0) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    const op = line.slice(0, 2);
    const arg = line.slice(2);
    if (op === '+p') pids.add(Number(arg));
    else if (op === '-p') pids.delete(Number(arg));
    else if (op === '+d') dirs.add(arg);
    else if (op === '-d') dirs.delete(arg);
  }
});
process.stdin.on('end', finish);
process.stdin.on('error', finish);
`;

const livePids = new Set<number>();
const liveDirs = new Set<string>();
let watchdog: ChildProcess | undefined;
let hooksInstalled = false;

function watchdogSend(line: string): void {
  const w = ensureWatchdog();
  if (w.stdin && !w.stdin.destroyed) w.stdin.write(line + '\n');
}

function ensureWatchdog(): ChildProcess {
  if (watchdog && watchdog.exitCode === null && watchdog.signalCode === null) return watchdog;
  const w = spawn(process.execPath, ['-e', WATCHDOG_SOURCE], {
    // Own process group: a terminal Ctrl-C / hang-up must not kill the watchdog before us.
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env: { PATH: process.env['PATH'] ?? '' },
  });
  w.unref();
  // Neither the pipe nor the process may keep the event loop alive.
  (w.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  w.stdin?.on('error', () => undefined);
  watchdog = w;
  for (const pid of livePids) w.stdin?.write(`+p${pid}\n`);
  for (const dir of liveDirs) w.stdin?.write(`+d${dir}\n`);
  return w;
}

function killEverythingNow(): void {
  for (const pid of livePids) {
    try {
      process.kill(pid, 'SIGCONT');
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  livePids.clear();
  for (const dir of liveDirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 });
    } catch {
      // best effort
    }
  }
  liveDirs.clear();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killEverythingNow);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = (): void => {
      // If someone else (e.g. scripts/kafka.ts) handles the signal, let them decide; the 'exit'
      // hook and the watchdog still clean up when the process ends.
      if (process.listenerCount(sig) > 1) return;
      killEverythingNow();
      process.removeListener(sig, handler);
      process.kill(process.pid, sig); // default action: die by the signal, as without us
    };
    process.on(sig, handler);
  }
}

function registerPid(pid: number): void {
  installHooks();
  livePids.add(pid);
  watchdogSend(`+p${pid}`);
}
function unregisterPid(pid: number): void {
  livePids.delete(pid);
  if (watchdog) watchdogSend(`-p${pid}`);
}
function registerDir(dir: string): void {
  installHooks();
  liveDirs.add(dir);
  watchdogSend(`+d${dir}`);
}
function unregisterDir(dir: string): void {
  liveDirs.delete(dir);
  if (watchdog) watchdogSend(`-d${dir}`);
}

// ---------------------------------------------------------------------------------------------
// Cluster

export type BrokerSignal = 'SIGKILL' | 'SIGTERM' | 'SIGSTOP' | 'SIGCONT';

export interface KafkaBrokerInfo {
  readonly nodeId: number;
  /** Client (PLAINTEXT) port on 127.0.0.1. */
  readonly port: number;
  /** KRaft controller port on 127.0.0.1. */
  readonly controllerPort: number;
  /** SASL_SSL port on 127.0.0.1 when the cluster was started with `secureListener`. */
  readonly securePort: number | undefined;
  /** Current JVM pid; changes on restart(); `undefined` while the node is down. */
  readonly pid: number | undefined;
  /** This node's data dir (log.dirs, server.properties, logs/). */
  readonly dir: string;
}

export interface KafkaCluster {
  /** e.g. "127.0.0.1:40123,127.0.0.1:40125" */
  readonly bootstrap: string;
  /** The SASL_SSL listeners' bootstrap when started with `secureListener`. */
  readonly secureBootstrap: string | undefined;
  readonly brokers: readonly KafkaBrokerInfo[];
  /** Root data dir (removed by stop()). */
  readonly dataDir: string;
  /**
   * Sends a signal to one broker JVM. SIGKILL/SIGTERM resolve once the JVM has exited (a SIGTERM
   * that takes longer than 15 s is followed by SIGKILL); SIGSTOP/SIGCONT resolve at once.
   */
  kill(nodeId: number, signal: BrokerSignal): Promise<void>;
  /**
   * (Re)starts one node on the same ports and data (stopping it first with SIGTERM if it is still
   * running) and waits until its client port accepts connections and the cluster lists it.
   */
  restart(nodeId: number): Promise<void>;
  /**
   * SIGTERM every broker (all at once), SIGKILL whatever is still running after `graceMs`
   * (default 15 000), then remove the data dirs. Idempotent. `{ graceMs: 0 }` is a fast crash-stop
   * for throwaway clusters.
   */
  stop(opts?: { graceMs?: number }): Promise<void>;
  /** Last `lines` lines of a node's server.log (INFO and up). */
  logTail(nodeId: number, lines?: number): string;
}

export interface StartKafkaClusterOptions {
  /** 1 (default) or 3 combined broker+controller nodes. */
  nodes?: 1 | 3;
  /** Parent for the cluster's fresh temp data dir (default: os.tmpdir()). Always cleaned on stop. */
  dataDir?: string;
  /** Max heap per broker in MiB (default 512; -Xms is min(256, heapMb)). */
  heapMb?: number;
  /** Extra/overriding server.properties entries, applied to every node. */
  brokerConfig?: Record<string, string>;
  /** Extra JVM flags for each broker. */
  jvmArgs?: string[];
  /** Readiness timeout in ms (default 90 000). */
  startTimeoutMs?: number;
  /** Progress lines (jar download, start). Default: stderr for the download, silent otherwise. */
  onProgress?: (msg: string) => void;
  /** Adds a SASL_SSL listener on 127.0.0.1 next to PLAINTEXT (which tests and brokers keep using). */
  secureListener?: SecureListenerOptions;
}

/** A SASL_SSL listener: the broker's TLS key store and the users of each SASL mechanism. */
export interface SecureListenerOptions {
  /** PKCS12 key store with the broker's key and a certificate valid for 127.0.0.1. */
  readonly keystore: string;
  readonly keystorePassword: string;
  /** User name → password, accepted by PLAIN and (created at format time) by SCRAM-SHA-256/512. */
  readonly users: Readonly<Record<string, string>>;
}

/** Free TCP ports on 127.0.0.1 (all held open together so they are distinct). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<import('node:net').Server>((res, rej) => {
          const s = createServer();
          s.once('error', rej);
          s.listen(0, '127.0.0.1', () => res(s));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const addr = s.address();
    if (addr === null || typeof addr === 'string') throw new Error('unexpected server address');
    return addr.port;
  });
  await Promise.all(servers.map((s) => new Promise<void>((res) => s.close(() => res()))));
  return ports;
}

/** A KRaft cluster id like `kafka-storage random-uuid`: 16 random bytes, base64url, no padding. */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id; // argparse4j would take it for an option
  }
}

function canConnect(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((res) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      sock.destroy();
      res(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

function readTail(file: string, lines: number): string {
  try {
    return tailLines(readFileSync(file, 'utf8'), lines);
  } catch {
    return '';
  }
}

function propsText(props: Record<string, string>): string {
  return (
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n'
  );
}

interface NodeState {
  nodeId: number;
  port: number;
  controllerPort: number;
  securePort: number | undefined;
  dir: string;
  propsFile: string;
  logsDir: string;
  child: ChildProcess | undefined;
  exited: Promise<void> | undefined;
  pid: number | undefined;
}

/** server.properties of a node with a SASL_SSL listener next to PLAINTEXT (brokers keep PLAINTEXT between them). */
function secureListenerProps(secure: SecureListenerOptions, port: number, controllerPort: number, securePort: number): Record<string, string> {
  const plainUsers = Object.entries(secure.users).map(([user, password]) => `user_${user}="${password}"`).join(' ');
  return {
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort},SASL_SSL://127.0.0.1:${securePort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port},SASL_SSL://127.0.0.1:${securePort}`,
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL',
    'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    'listener.name.sasl_ssl.plain.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required ${plainUsers};`,
    'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'ssl.keystore.type': 'PKCS12',
    'ssl.keystore.location': secure.keystore,
    'ssl.keystore.password': secure.keystorePassword,
    'ssl.key.password': secure.keystorePassword,
    'ssl.client.auth': 'none',
  };
}

/** `kafka-storage format --add-scram` arguments creating every user for both SCRAM mechanisms. */
function scramUsers(secure: SecureListenerOptions): string[] {
  return Object.entries(secure.users).flatMap(([user, password]) =>
    ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((mechanism) => ['--add-scram', `${mechanism}=[name=${user},password=${password}]`]),
  );
}

/** Runs a short-lived Kafka JVM tool and returns its stdout; throws with its output on failure. */
export async function runKafkaTool(
  libDir: string,
  mainClass: string,
  args: string[],
  opts: {
    heapMb?: number;
    timeoutMs?: number;
    /** Startup-optimised JVM flags (C1 only, serial GC); turn off for measurements. Default true. */
    quickStart?: boolean;
    /** Called with each chunk of the tool's stdout as it arrives. */
    onStdout?: (chunk: string) => void;
  } = {},
): Promise<string> {
  const quick = opts.quickStart ?? true;
  const child = spawn(
    javaExecutable(),
    [
      `-Xmx${opts.heapMb ?? 256}m`,
      ...(quick ? ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'] : ['-XX:+UseG1GC']),
      '-XX:-UsePerfData',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${TOOLS_LOG4J}`,
      '-cp',
      kafkaClassPath(libDir),
      mainClass,
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (child.pid !== undefined) registerPid(child.pid);
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    const text = c.toString('utf8');
    out += text;
    opts.onStdout?.(text);
  });
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
  try {
    const code = await new Promise<number | null>((res, rej) => {
      child.on('error', (e: NodeJS.ErrnoException) =>
        rej(
          e.code === 'ENOENT'
            ? new Error(`Java not found (${javaExecutable()}): Kafka needs Java 17+ on PATH or JAVA_HOME`)
            : e,
        ),
      );
      child.on('close', (c) => res(c));
    });
    if (code !== 0) {
      throw new Error(
        `${mainClass} ${args.join(' ')} failed (exit ${String(code)}):\n${tailLines(out + err, 30)}`,
      );
    }
    return out;
  } finally {
    clearTimeout(timer);
    if (child.pid !== undefined) unregisterPid(child.pid);
  }
}

/**
 * Starts a fresh KRaft cluster of 1 or 3 combined broker+controller nodes on free loopback ports,
 * and resolves once every broker accepts client connections and the cluster metadata lists all of
 * them. Call `stop()` when done (process exit / watchdog clean up if you don't).
 */
export async function startKafkaCluster(opts: StartKafkaClusterOptions = {}): Promise<KafkaCluster> {
  const nodes = opts.nodes ?? 1;
  const heapMb = opts.heapMb ?? 512;
  const timeoutMs = opts.startTimeoutMs ?? 90_000;
  const progress = opts.onProgress ?? ((): void => undefined);
  const libDir = await ensureKafkaJars(opts.onProgress ? { onProgress: opts.onProgress } : {});

  const parent = resolve(opts.dataDir ?? tmpdir());
  mkdirSync(parent, { recursive: true });
  const root = mkdtempSync(join(parent, 'faustgen-kafka-'));
  registerDir(root);

  const secure = opts.secureListener;
  const ports = await freePorts(nodes * 3);
  const nodeIds = Array.from({ length: nodes }, (_, i) => i + 1);
  const states: NodeState[] = nodeIds.map((nodeId, i) => {
    const dir = join(root, `node${nodeId}`);
    return {
      nodeId,
      port: ports[2 * i] as number,
      controllerPort: ports[2 * i + 1] as number,
      securePort: secure === undefined ? undefined : (ports[2 * nodes + i] as number),
      dir,
      propsFile: join(dir, 'server.properties'),
      logsDir: join(dir, 'logs'),
      child: undefined,
      exited: undefined,
      pid: undefined,
    };
  });
  const voters = states.map((s) => `${s.nodeId}@127.0.0.1:${s.controllerPort}`).join(',');
  const bootstrap = states.map((s) => `127.0.0.1:${s.port}`).join(',');
  const rf = nodes === 3 ? '3' : '1';
  const minIsr = nodes === 3 ? '2' : '1';

  for (const s of states) {
    mkdirSync(s.logsDir, { recursive: true });
    const props: Record<string, string> = {
      'process.roles': 'broker,controller',
      'node.id': String(s.nodeId),
      'controller.quorum.voters': voters,
      listeners: `PLAINTEXT://127.0.0.1:${s.port},CONTROLLER://127.0.0.1:${s.controllerPort}`,
      'advertised.listeners': `PLAINTEXT://127.0.0.1:${s.port}`,
      'controller.listener.names': 'CONTROLLER',
      'inter.broker.listener.name': 'PLAINTEXT',
      'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      'log.dirs': join(s.dir, 'data'),
      // Tests must create their topics explicitly (see docs/kafka-broker.md).
      'auto.create.topics.enable': 'false',
      'num.partitions': '1',
      'default.replication.factor': rf,
      'min.insync.replicas': minIsr,
      'offsets.topic.replication.factor': rf,
      'offsets.topic.num.partitions': '10',
      'transaction.state.log.replication.factor': rf,
      'transaction.state.log.min.isr': minIsr,
      'transaction.state.log.num.partitions': '10',
      'group.initial.rebalance.delay.ms': '0',
      // Default 128 MiB, allocated on heap when the cleaner starts; too much for small heaps.
      'log.cleaner.dedupe.buffer.size': '8388608',
      'unclean.leader.election.enable': 'false',
      ...(nodes === 3
        ? { 'broker.heartbeat.interval.ms': '500', 'broker.session.timeout.ms': '3000' }
        : {}),
      ...(secure === undefined || s.securePort === undefined ? {} : secureListenerProps(secure, s.port, s.controllerPort, s.securePort)),
      ...(opts.brokerConfig ?? {}),
    };
    writeFileSync(s.propsFile, propsText(props));
  }

  const clusterId = randomClusterId();
  progress(`formatting ${nodes} node(s), cluster id ${clusterId}`);
  try {
    await Promise.all(
      states.map((s) =>
        runKafkaTool(libDir, 'kafka.tools.StorageTool', [
          'format',
          '-t',
          clusterId,
          '-c',
          s.propsFile,
          '--ignore-formatted',
          ...(secure === undefined ? [] : scramUsers(secure)),
        ]),
      ),
    );
  } catch (err) {
    await rm(root, { recursive: true, force: true }).catch(() => undefined);
    unregisterDir(root);
    throw err;
  }

  const jvmArgs = [
    `-Xms${Math.min(256, heapMb)}m`,
    `-Xmx${heapMb}m`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-XX:-UsePerfData',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${BROKER_LOG4J}`,
    ...(opts.jvmArgs ?? []),
  ];

  const launch = (s: NodeState): void => {
    const consoleFd = openSync(join(s.logsDir, 'console.log'), 'a');
    let child: ChildProcess;
    try {
      child = spawn(
        javaExecutable(),
        [
          ...jvmArgs,
          `-Dkafka.logs.dir=${s.logsDir}`,
          '-cp',
          kafkaClassPath(libDir),
          'kafka.Kafka',
          s.propsFile,
        ],
        // Own process group: terminal signals (Ctrl-C) go to us, and we stop brokers in order.
        { detached: true, stdio: ['ignore', consoleFd, consoleFd], cwd: s.dir },
      );
    } finally {
      closeSync(consoleFd);
    }
    child.unref();
    const pid = child.pid;
    if (pid === undefined) throw new Error(`Failed to spawn the Kafka broker JVM for node ${s.nodeId}`);
    registerPid(pid);
    s.child = child;
    s.pid = pid;
    s.exited = new Promise<void>((res) => {
      const onGone = (): void => {
        unregisterPid(pid);
        if (s.pid === pid) {
          s.pid = undefined;
          s.child = undefined;
        }
        res();
      };
      child.once('exit', onGone);
      child.once('error', onGone);
    });
  };

  const nodeTail = (s: NodeState, lines: number): string => {
    const server = readTail(join(s.logsDir, 'server.log'), lines);
    const consoleOut = readTail(join(s.logsDir, 'console.log'), 15);
    return (
      `--- node ${s.nodeId} server.log (last ${lines} lines) ---\n${server || '(empty)'}\n` +
      (consoleOut ? `--- node ${s.nodeId} console.log ---\n${consoleOut}\n` : '')
    );
  };

  const waitReady = async (which: NodeState[], deadline: number): Promise<void> => {
    const pending = new Set(which);
    while (pending.size > 0) {
      for (const s of [...pending]) {
        if (s.pid === undefined) {
          throw new Error(
            `Kafka broker node ${s.nodeId} exited during startup.\n${nodeTail(s, 40)}`,
          );
        }
        if (await canConnect(s.port)) pending.delete(s);
      }
      if (pending.size === 0) break;
      if (Date.now() > deadline) {
        throw new Error(
          `Kafka broker(s) ${[...pending].map((s) => s.nodeId).join(', ')} did not open their ` +
            `client port within ${timeoutMs} ms.\n${[...pending].map((s) => nodeTail(s, 40)).join('')}`,
        );
      }
      await sleep(200);
    }
    // Every broker registered and unfenced: the metadata lists all running nodes.
    const kafka = new Kafka({
      clientId: 'faustgen-kafka-harness',
      brokers: which.map((s) => `127.0.0.1:${s.port}`),
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      connectionTimeout: 2000,
    });
    const admin = kafka.admin();
    const want = states.filter((s) => s.pid !== undefined).map((s) => s.nodeId);
    let lastErr = '';
    try {
      for (;;) {
        try {
          await admin.connect();
          const { brokers } = await admin.describeCluster();
          await admin.listTopics();
          const seen = new Set(brokers.map((b) => b.nodeId));
          if (want.every((id) => seen.has(id))) return;
          lastErr = `metadata lists brokers [${[...seen].join(', ')}], want [${want.join(', ')}]`;
        } catch (err) {
          lastErr = err instanceof Error ? err.message : String(err);
        }
        if (Date.now() > deadline) {
          throw new Error(
            `Kafka cluster not ready within ${timeoutMs} ms (${lastErr}).\n` +
              which.map((s) => nodeTail(s, 40)).join(''),
          );
        }
        await sleep(250);
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };

  const byId = (nodeId: number): NodeState => {
    const s = states.find((x) => x.nodeId === nodeId);
    if (!s) throw new Error(`No Kafka node ${nodeId} (nodes: ${nodeIds.join(', ')})`);
    return s;
  };

  /**
   * Waits for a node's JVM to exit. The child is unref'd (a forgotten cluster must not keep the
   * process alive), so it is ref'd while someone waits, or Node would not see the exit.
   */
  const awaitExit = async (s: NodeState, timeoutMs?: number): Promise<boolean> => {
    const child = s.child;
    const exited = s.exited;
    if (!child || !exited) return true;
    child.ref();
    let timer: NodeJS.Timeout | undefined;
    try {
      if (timeoutMs === undefined) {
        await exited;
        return true;
      }
      return await Promise.race([
        exited.then(() => true),
        new Promise<boolean>((res) => (timer = setTimeout(() => res(false), timeoutMs))),
      ]);
    } finally {
      if (timer) clearTimeout(timer);
      child.unref();
    }
  };

  const signalNode = (s: NodeState, signal: NodeJS.Signals): void => {
    if (s.pid === undefined) return;
    try {
      process.kill(s.pid, signal);
    } catch {
      // already gone
    }
  };

  const terminate = async (s: NodeState, graceMs: number): Promise<void> => {
    if (s.pid === undefined) return;
    signalNode(s, 'SIGCONT'); // a paused JVM cannot act on SIGTERM
    signalNode(s, 'SIGTERM');
    if (await awaitExit(s, graceMs)) return;
    signalNode(s, 'SIGKILL');
    await awaitExit(s);
  };

  let stopped = false;
  const stop = async (stopOpts: { graceMs?: number } = {}): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(states.map((s) => terminate(s, stopOpts.graceMs ?? 15_000)));
    await rm(root, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
    unregisterDir(root);
  };

  const started = Date.now();
  try {
    // All nodes at once: each waits for a controller quorum.
    for (const s of states) launch(s);
    await waitReady(states, started + timeoutMs);
  } catch (err) {
    await Promise.all(states.map((s) => terminate(s, 2000)));
    await rm(root, { recursive: true, force: true }).catch(() => undefined);
    unregisterDir(root);
    throw err;
  }
  progress(`Kafka ${KAFKA_VERSION} ready at ${bootstrap} in ${Date.now() - started} ms`);

  const brokers: KafkaBrokerInfo[] = states.map((s) => ({
    nodeId: s.nodeId,
    port: s.port,
    controllerPort: s.controllerPort,
    securePort: s.securePort,
    dir: s.dir,
    get pid(): number | undefined {
      return s.pid;
    },
  }));

  return {
    bootstrap,
    secureBootstrap: secure === undefined ? undefined : states.map((s) => `127.0.0.1:${s.securePort ?? 0}`).join(','),
    brokers,
    dataDir: root,
    async kill(nodeId: number, signal: BrokerSignal): Promise<void> {
      const s = byId(nodeId);
      if (s.pid === undefined || s.exited === undefined) {
        throw new Error(`Kafka node ${nodeId} is not running`);
      }
      if (signal === 'SIGTERM') return terminate(s, 15_000);
      process.kill(s.pid, signal);
      if (signal === 'SIGKILL') await awaitExit(s);
    },
    async restart(nodeId: number): Promise<void> {
      if (stopped) throw new Error('Kafka cluster already stopped');
      const s = byId(nodeId);
      await terminate(s, 15_000);
      launch(s);
      await waitReady([s], Date.now() + timeoutMs);
    },
    stop,
    logTail(nodeId: number, lines = 50): string {
      return readTail(join(byId(nodeId).logsDir, 'server.log'), lines);
    },
  };
}

/** Test hook: the JVM pids currently registered for emergency kill. */
export function registeredBrokerPids(): number[] {
  return [...livePids];
}

/** Used by tests to see whether a pid still exists. */
export function isPidAlive(pid: number): boolean {
  return pidAlive(pid);
}
