/**
 * Apache Avro Java as a reference for faustgen's Avro codec in tests. `ensureAvroJava()` fetches the
 * jars pinned in test/avro-java/pom.xml once (Maven's copy-dependencies, like test/kafka/) into
 * `$FAUSTGEN_AVRO_JAVA_CACHE` or `<repo>/.cache/avro-java`, and compiles AvroBridge.java there with
 * javac (recompiled when its source changes). `runAvroJava()` sends a batch of requests to one JVM.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(HERE, '../..');
const POM = join(HERE, 'pom.xml');
const BRIDGE = join(HERE, 'AvroBridge.java');
const MAVEN_DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

const versionMatch = /<avro\.version>([^<]+)<\/avro\.version>/.exec(readFileSync(POM, 'utf8'));
if (versionMatch?.[1] === undefined) throw new Error(`cannot read <avro.version> from ${POM}`);
export const AVRO_JAVA_VERSION: string = versionMatch[1].trim();

function cacheRoot(): string {
  const env = process.env['FAUSTGEN_AVRO_JAVA_CACHE'];
  return env !== undefined && env.length > 0 ? resolve(env) : join(REPO_ROOT, '.cache', 'avro-java');
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function javaTool(name: 'java' | 'javac'): string {
  const home = process.env['JAVA_HOME'];
  return home !== undefined && existsSync(join(home, 'bin', name)) ? join(home, 'bin', name) : name;
}

export interface AvroJava {
  readonly classPath: string;
}

/** Fetches the jars (first run only) and compiles the bridge; returns the class path. */
export function ensureAvroJava(): AvroJava {
  const versionDir = join(cacheRoot(), `${AVRO_JAVA_VERSION}-${sha(readFileSync(POM, 'utf8'))}`);
  const libDir = join(versionDir, 'libs');
  if (!existsSync(join(versionDir, 'libs.complete'))) {
    const staging = `${libDir}.staging-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    execFileSync('mvn', ['-B', '-q', '-f', POM, `${MAVEN_DEPENDENCY_PLUGIN}:copy-dependencies`, `-DoutputDirectory=${staging}`, '-DincludeScope=runtime'], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (!readdirSync(staging).some((f) => f === `avro-${AVRO_JAVA_VERSION}.jar`)) throw new Error(`Maven did not fetch avro-${AVRO_JAVA_VERSION}.jar`);
    rmSync(libDir, { recursive: true, force: true });
    renameSync(staging, libDir);
    writeFileSync(join(versionDir, 'libs.complete'), '');
  }
  const classesDir = join(versionDir, `classes-${sha(readFileSync(BRIDGE, 'utf8'))}`);
  if (!existsSync(join(classesDir, 'AvroBridge.class'))) {
    const staging = `${classesDir}.staging-${process.pid}`;
    mkdirSync(staging, { recursive: true });
    execFileSync(javaTool('javac'), ['-d', staging, '-cp', join(libDir, '*'), BRIDGE], { stdio: ['ignore', 'ignore', 'inherit'] });
    rmSync(classesDir, { recursive: true, force: true });
    renameSync(staging, classesDir);
  }
  return { classPath: `${classesDir}:${join(libDir, '*')}` };
}

/** JSON text with bigints written as exact integers (Avro's JSON encoding of longs beyond 2^53). */
export function stringifyExact(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `@@${v}@@` : v)).replace(/"@@(-?\d+)@@"/g, '$1');
}

export type AvroJavaRequest =
  /** Encode a datum given in Avro's JSON encoding (unions tagged `{"long": 1}`); answers hex. */
  | { readonly op: 'encode'; readonly schema: unknown; readonly json: unknown }
  /** Decode binary; answers the datum in Avro's JSON encoding (parsed). */
  | { readonly op: 'decode'; readonly schema: unknown; readonly hex: string };

export type AvroJavaAnswer = { readonly ok: true; readonly result: string } | { readonly ok: false; readonly error: string };

/** Runs every request in one JVM; answers are aligned with the requests. */
export async function runAvroJava(java: AvroJava, requests: readonly AvroJavaRequest[]): Promise<AvroJavaAnswer[]> {
  const input = requests
    .map((r) => (r.op === 'encode' ? `E\t${JSON.stringify(r.schema)}\t${stringifyExact(r.json)}` : `D\t${JSON.stringify(r.schema)}\t${r.hex}`))
    .join('\n');
  const child = spawn(javaTool('java'), ['-cp', java.classPath, 'AvroBridge'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolveExit, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolveExit(code));
  });
  child.stdin.end(`${input}\n`);
  const code = await exited;
  if (code !== 0) throw new Error(`AvroBridge exited with ${String(code)}`);
  const lines = output.split('\n').filter((l) => l.length > 0);
  if (lines.length !== requests.length) throw new Error(`AvroBridge answered ${lines.length} of ${requests.length} requests`);
  return lines.map((line) => (line.startsWith('ok ') ? { ok: true, result: line.slice(3) } : { ok: false, error: line.replace(/^error /, '') }));
}
