/**
 * A real Schema Registry for faustgen's integration tests: Apicurio Registry (Confluent-compatible
 * API under /apis/ccompat/v7) from Maven Central, run on loopback. See docs/schema-registry.md.
 *
 * - `ensureRegistryApp()` unpacks the Quarkus app once into a cache dir (Maven's dependency:unpack).
 * - `startSchemaRegistry()` starts it on free loopback ports (in-memory storage: every start is
 *   empty) and resolves once `GET /subjects` answers 200. `stop()` sends SIGTERM, then SIGKILL.
 *   A process 'exit' hook kills a registry the test forgot to stop.
 *
 * Apicurio 3.x needs Java 21+: the newest JDK among `$JAVA_HOME` and the JDKs in the system JVM
 * directory is chosen at run time (`FAUSTGEN_REGISTRY_JAVA` overrides).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(HERE, '..', '..');
const POM = join(HERE, 'pom.xml');
const versionMatch = /<apicurio\.version>([^<]+)<\/apicurio\.version>/.exec(readFileSync(POM, 'utf8'));
if (!versionMatch?.[1]) throw new Error(`Cannot read <apicurio.version> from ${POM}`);
export const APICURIO_VERSION: string = versionMatch[1].trim();
const MIN_JAVA = 21;

/** `$FAUSTGEN_REGISTRY_CACHE`, else `<repo>/.cache/schema-registry`. */
export function registryCacheRoot(): string {
  const own = process.env['FAUSTGEN_REGISTRY_CACHE'];
  return own !== undefined && own !== '' ? resolve(own) : join(REPO_ROOT, '.cache', 'schema-registry');
}

function javaMajor(java: string): number | undefined {
  const out = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (out.error !== undefined) return undefined;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${out.stderr}${out.stdout}`);
  if (match?.[1] === undefined) return undefined;
  const major = Number(match[1]);
  return major === 1 ? Number(match[2]) : major;
}

/** The newest Java ≥ 21 found in FAUSTGEN_REGISTRY_JAVA, JAVA_HOME, the system JVM dirs, or PATH. */
export function findJava21(): string {
  const candidates: string[] = [];
  const explicit = process.env['FAUSTGEN_REGISTRY_JAVA'];
  if (explicit !== undefined && explicit !== '') candidates.push(explicit);
  const home = process.env['JAVA_HOME'];
  if (home !== undefined && home !== '') candidates.push(join(home, 'bin', 'java'));
  for (const root of ['/usr/lib/jvm', '/usr/java', '/opt/java', '/Library/Java/JavaVirtualMachines']) {
    if (!existsSync(root)) continue;
    for (const entry of readdirSync(root)) {
      for (const java of [join(root, entry, 'bin', 'java'), join(root, entry, 'Contents', 'Home', 'bin', 'java')]) if (existsSync(java)) candidates.push(java);
    }
  }
  candidates.push('java');
  let best: { java: string; major: number } | undefined;
  for (const java of candidates) {
    const major = javaMajor(java);
    if (major !== undefined && major >= MIN_JAVA && (best === undefined || major > best.major)) best = { java, major };
  }
  if (best === undefined) {
    throw new Error(`Apicurio Registry ${APICURIO_VERSION} needs Java ${MIN_JAVA}+; none found (looked at FAUSTGEN_REGISTRY_JAVA, JAVA_HOME, /usr/lib/jvm/*, PATH)`);
  }
  return best.java;
}

/** Unpacks the registry app once (Maven caches the tar.gz in ~/.m2); returns the folder holding quarkus-run.jar. */
export async function ensureRegistryApp(progress: (line: string) => void = (line) => process.stderr.write(`[registry] ${line}\n`)): Promise<string> {
  const dir = join(registryCacheRoot(), APICURIO_VERSION);
  const jar = join(dir, 'quarkus-run.jar');
  if (existsSync(jar)) return dir;
  await mkdir(dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  progress(`fetching Apicurio Registry ${APICURIO_VERSION} from Maven Central into ${dir} (one-time)...`);
  const started = Date.now();
  const args = ['-B', '-q', '-Dstyle.color=never', '-f', POM, 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:unpack', `-DoutputDirectory=${tmp}`];
  const result = await new Promise<{ code: number | null; output: string }>((done, fail) => {
    const child = spawn('mvn', args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', (error: NodeJS.ErrnoException) => fail(error.code === 'ENOENT' ? new Error('Maven (mvn) is not on PATH; it is needed once to fetch Apicurio Registry') : error));
    child.on('close', (code) => done({ code, output }));
  });
  if (result.code !== 0 || !existsSync(join(tmp, 'quarkus-run.jar'))) {
    await rm(tmp, { recursive: true, force: true });
    throw new Error(`Maven failed to fetch Apicurio Registry ${APICURIO_VERSION} (exit ${String(result.code)}):\n${result.output.slice(-3000)}`);
  }
  await writeFile(join(tmp, 'fetched.json'), JSON.stringify({ version: APICURIO_VERSION, fetchMs: Date.now() - started }) + '\n');
  try {
    await rename(tmp, dir);
  } catch (error) {
    // Another process finished first: keep its copy.
    await rm(tmp, { recursive: true, force: true });
    if (!existsSync(jar)) throw error;
  }
  progress(`Apicurio Registry ${APICURIO_VERSION} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}

export interface SchemaRegistryProcess {
  /** Base URL of the Confluent-compatible API, e.g. `http://127.0.0.1:41234/apis/ccompat/v7`. */
  readonly url: string;
  readonly pid: number;
  /** Milliseconds from spawn to the first 200 of `GET /subjects`. */
  readonly startMs: number;
  /** Resident set size of the JVM in bytes (from /proc), or undefined where /proc is missing. */
  rssBytes(): number | undefined;
  /** SIGTERM, SIGKILL after 10 s; resolves once the process is gone. Idempotent. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHook = false;

function killAll(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

/** Starts a fresh, empty registry on loopback. */
export async function startSchemaRegistry(options: { readonly timeoutMs?: number } = {}): Promise<SchemaRegistryProcess> {
  const dir = await ensureRegistryApp();
  const java = findJava21();
  if (!exitHook) {
    exitHook = true;
    process.on('exit', killAll);
  }
  const started = Date.now();
  const child = spawn(
    java,
    [
      '-XX:TieredStopAtLevel=1',
      '-Xmx256m',
      '-Dquarkus.http.host=127.0.0.1',
      '-Dquarkus.http.port=0',
      '-Dquarkus.management.host=127.0.0.1',
      '-Dquarkus.management.port=0',
      '-Dquarkus.log.level=WARN',
      '-Dquarkus.log.category."io.quarkus".level=INFO',
      '-jar',
      join(dir, 'quarkus-run.jar'),
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  live.add(child);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  void exited.then(() => live.delete(child));
  let output = '';
  const port = new Promise<number>((done, fail) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.length > 100_000) output = output.slice(-50_000);
      const match = /Listening on: http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match?.[1] !== undefined) done(Number(match[1]));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(() => fail(new Error(`schema registry exited before listening:\n${output.slice(-3000)}`)));
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = started + (options.timeoutMs ?? 120_000);
  try {
    const timeout = new Promise<never>((_, fail) => setTimeout(() => fail(new Error(`schema registry did not print its port within ${options.timeoutMs ?? 120_000} ms:\n${output.slice(-3000)}`)), Math.max(0, deadline - Date.now())).unref());
    const httpPort = await Promise.race([port, timeout]);
    const url = `http://127.0.0.1:${httpPort}/apis/ccompat/v7`;
    for (;;) {
      try {
        const response = await fetch(`${url}/subjects`);
        await response.arrayBuffer();
        if (response.status === 200) break;
      } catch {
        // not ready yet
      }
      if (Date.now() > deadline) throw new Error(`schema registry at ${url} not ready within ${options.timeoutMs ?? 120_000} ms`);
      if (child.exitCode !== null) throw new Error(`schema registry exited:\n${output.slice(-3000)}`);
      await new Promise((done) => setTimeout(done, 100));
    }
    const pid = child.pid ?? -1;
    return {
      url,
      pid,
      startMs: Date.now() - started,
      rssBytes: () => {
        try {
          const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
          return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
        } catch {
          return undefined;
        }
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Starts a registry, runs `fn`, and always stops it. */
export async function withSchemaRegistry<T>(fn: (registry: SchemaRegistryProcess) => Promise<T>): Promise<T> {
  const registry = await startSchemaRegistry();
  try {
    return await fn(registry);
  } finally {
    await registry.stop();
  }
}
