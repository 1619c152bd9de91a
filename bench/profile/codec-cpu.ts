/**
 * Measuring helper (not part of `npm run bench`): CPU time per operation of a generated codec and
 * its baseline in one process, in alternating 30 ms slices (process.cpuUsage around each), for
 * each phase. On a box loaded by other processes wall-clock rates swing with the load; the least
 * CPU time an operation took over many slices moves much less. Runs the built package:
 *   node --import tsx bench/profile/codec-cpu.ts <avro|json> [slices per phase and side, default 60]
 * Prints, per phase, the minimum and median µs of CPU per operation of each side and the ratio of
 * the baseline's minimum to the generated codec's (above 1: the generated codec is faster).
 */
import { contender, type Contender } from './codec-contenders.js';

const kind = process.argv[2] === 'json' ? 'json' : 'avro';
const slices = Number(process.argv[3] ?? 60);
const SLICE_MS = 30;

const generated = await contender(kind);
const baseline = await contender(kind === 'json' ? 'ajv' : 'avsc');

let sink = 0;
function operation(c: Contender, phase: string, bytes: Buffer): () => void {
  if (phase === 'encode') return () => { sink += c.encode().length; };
  if (phase === 'decode') return () => { sink += c.decode(bytes) === undefined ? 1 : 0; };
  return () => { sink += c.decode(c.encode()) === undefined ? 1 : 0; };
}

/** CPU µs per call of one slice. */
function slice(call: () => void): number {
  const start = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < SLICE_MS) {
    for (let i = 0; i < 10; i++) call();
    n += 10;
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? Number.NaN;
const sides = [generated, baseline].map((c) => ({ c, bytes: c.encode() }));
for (const { c, bytes } of sides) for (let i = 0; i < 3_000; i++) operation(c, 'roundtrip', bytes)();
for (const phase of ['encode', 'decode', 'roundtrip']) {
  const calls = sides.map(({ c, bytes }) => operation(c, phase, bytes));
  const times: number[][] = calls.map(() => []);
  for (let s = 0; s < slices; s++) calls.forEach((call, k) => times[k]?.push(slice(call)));
  const [g = [], b = []] = times;
  const line = `${kind} ${phase.padEnd(9)} generated min ${Math.min(...g).toFixed(2)} median ${median(g).toFixed(2)} µs, baseline min ${Math.min(...b).toFixed(2)} median ${median(b).toFixed(2)} µs, ratio (baseline / generated, minima) ${(Math.min(...b) / Math.min(...g)).toFixed(3)}`;
  process.stdout.write(`${line}\n`);
}
if (sink < 0) process.stdout.write('!\n');
generated.cleanup();
baseline.cleanup();
