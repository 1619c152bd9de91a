/**
 * Profiling helper (not part of `npm run bench`): runs one side of a codec comparison alone in a
 * tight loop, so a CPU profile (or a plain timing) shows that codec only.
 * Runs the built package (npm run build first), as `npm run bench` does:
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile/codec.ts <avro|avsc|json|ajv> <encode|decode|roundtrip> [seconds]
 * Prints calls/s and the CPU microseconds per call.
 */
import { contender } from './codec-contenders.js';

const codecArg = process.argv[2] ?? 'avro';
const phase = process.argv[3] ?? 'roundtrip';
const seconds = Number(process.argv[4] ?? 5);

const c = await contender(codecArg);
const bytes = c.encode();
const call = phase === 'encode' ? () => c.encode().length : phase === 'decode' ? () => (c.decode(bytes) === undefined ? 1 : 0) : () => (c.decode(c.encode()) === undefined ? 1 : 0);
let sink = 0;
for (let i = 0; i < 5_000; i++) sink += call();
const cpu = process.cpuUsage();
const start = performance.now();
let n = 0;
while (performance.now() - start < seconds * 1000) {
  for (let i = 0; i < 100; i++) sink += call();
  n += 100;
}
const elapsed = (performance.now() - start) / 1000;
const used = process.cpuUsage(cpu);
process.stdout.write(`${codecArg} ${phase}: ${Math.round(n / elapsed).toLocaleString('en-US')} calls/s, ${((used.user + used.system) / n).toFixed(2)} µs CPU/call${sink < 0 ? '!' : ''}\n`);
c.cleanup();
