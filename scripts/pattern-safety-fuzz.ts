/**
 * A check of the pattern classifier's claim (runtime/src/codegen/pattern-safety.ts, ADR 0007
 * amendment): random patterns built from nested and overlapping quantifiers and alternations; each
 * one the classifier sends to RegExp is timed on adversarial inputs of 20k and 80k characters, and
 * any that grows faster than linearly (more than 8x for 4x the input) is printed. Timing is noisy on
 * a shared machine, so this is a script to run, not a unit test.
 * Usage: node --import tsx scripts/pattern-safety-fuzz.ts [count] [seed]
 */
import { isLinearOnBacktracking } from '../runtime/src/codegen/pattern-safety.js';

const count = Number(process.argv[2] ?? 3000);
let seed = Number(process.argv[3] ?? 42);
const random = (n: number): number => {
  seed = (seed * 1_103_515_245 + 12_345) & 0x7fff_ffff;
  return seed % n;
};
const pick = <T>(items: readonly T[]): T => items[random(items.length)] as T;

const PIECES = ['a', 'b', '[ab]', '.', 'a?', 'b*', '[ab]+', '(a|b)', '(ab)*', '(a|ab)', '(?:a+b)*', '(a*)', '(b|)', '(a+)+', 'a{2,3}', '(ab|ba)+', '(?:a|b)?', '\\w', '\\s?', '[^a]*'];
const inputs = (n: number): string[] => ['a'.repeat(n) + '!', 'ab'.repeat(n / 2) + '!', 'b'.repeat(n) + 'c', 'aab'.repeat(n / 3) + 'c', ' a'.repeat(n / 2) + '!'];

let accepted = 0;
let suspicious = 0;
for (let k = 0; k < count; k++) {
  let source = Array.from({ length: 1 + random(4) }, () => pick(PIECES)).join('');
  if (random(3) === 0) source = `(?:${source})${pick(['*', '+', '?', ''])}`;
  source = (random(4) > 0 ? '^' : '') + source + (random(2) > 0 ? '$' : '');
  try {
    new RegExp(source, 'u');
  } catch {
    continue;
  }
  if (!isLinearOnBacktracking(source)) continue;
  accepted++;
  const re = new RegExp(source, 'u');
  const time = (n: number): number => {
    const start = performance.now();
    for (const text of inputs(n)) re.test(text);
    return performance.now() - start;
  };
  time(2000);
  const small = time(20_000);
  const large = time(80_000);
  if (large > 20 && large > small * 8) {
    suspicious++;
    console.log(`grows faster than linearly? ${source}: ${small.toFixed(2)} ms at 20k, ${large.toFixed(2)} ms at 80k`);
  }
}
console.log(`${count} generated, ${accepted} sent to RegExp, ${suspicious} growing faster than linearly`);
