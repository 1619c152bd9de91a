/**
 * Encode / decode / round-trip rates of codecs in memory. Contenders take turns in 20 ms slices
 * within each phase (A, B, A, B, ... for 1.2 s of encode, then decode, then round-trip), so that
 * load from other processes on a shared machine hits them alike; each figure is the median of its
 * rounds.
 */
import { progress } from '../../lib/progress.js';
import { ratioOf, round, type ScenarioResult } from '../../lib/result.js';

/** One side of a comparison: how to encode the record and decode its bytes. */
export interface CodecContender {
  readonly row: string;
  readonly encode: () => Buffer;
  readonly decode: (bytes: Buffer) => unknown;
}

export interface CodecFigures {
  readonly encode: number;
  readonly decode: number;
  readonly roundTrip: number;
  readonly bytes: number;
  /** Per-round rates, for ratios paired round by round. */
  readonly rounds: { readonly encode: readonly number[]; readonly decode: readonly number[]; readonly roundTrip: readonly number[] };
}

/** Time each contender gets per phase, in slices. */
const PHASE_MS = 1_200;
const SLICE_MS = 20;
const WARMUP_CALLS = 2_000;

/** Calls per second of each function, measured in alternating slices. */
function rates(calls: readonly (() => void)[]): number[] {
  const counts = calls.map(() => 0);
  const spent = calls.map(() => 0);
  while ((spent[0] ?? 0) < PHASE_MS) {
    calls.forEach((call, k) => {
      const start = performance.now();
      let now = start;
      let n = 0;
      while (now - start < SLICE_MS) {
        for (let i = 0; i < 10; i++) call();
        n += 10;
        now = performance.now();
      }
      counts[k] = (counts[k] ?? 0) + n;
      spent[k] = (spent[k] ?? 0) + (now - start);
    });
  }
  return counts.map((n, k) => n / ((spent[k] ?? 1) / 1000));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

export function measureCodecs(contenders: readonly CodecContender[], rounds: number): Map<string, CodecFigures> {
  const samples = new Map(contenders.map((c) => [c.row, { encode: [] as number[], decode: [] as number[], roundTrip: [] as number[] }] as const));
  const bytes = new Map(contenders.map((c) => [c.row, c.encode()] as const));
  // A result that is never read could let the optimiser drop the call; keep one observable.
  let sink = 0;
  for (const c of contenders) {
    const encoded = bytes.get(c.row) ?? Buffer.alloc(0);
    for (let i = 0; i < WARMUP_CALLS; i++) sink += c.encode().length + (c.decode(encoded) === undefined ? 1 : 0);
  }
  for (let r = 1; r <= rounds; r++) {
    for (const phase of ['encode', 'decode', 'roundTrip'] as const) {
      const calls = contenders.map((c) => {
        const encoded = bytes.get(c.row) ?? Buffer.alloc(0);
        return phase === 'encode'
          ? () => { sink += c.encode().length; }
          : phase === 'decode'
            ? () => { sink += c.decode(encoded) === undefined ? 1 : 0; }
            : () => { sink += c.decode(c.encode()) === undefined ? 1 : 0; };
      });
      rates(calls).forEach((r, k) => samples.get(contenders[k]?.row ?? '')?.[phase].push(r));
    }
    progress(`round ${r}/${rounds}: ${contenders.map((c) => `${c.row} ${Math.round(samples.get(c.row)?.roundTrip.at(-1) ?? 0).toLocaleString('en-US')} round-trips/s`).join(', ')}`);
  }
  if (sink < 0) progress('unreachable');
  return new Map(
    contenders.map((c) => {
      const s = samples.get(c.row) ?? { encode: [], decode: [], roundTrip: [] };
      return [c.row, { encode: median(s.encode), decode: median(s.decode), roundTrip: median(s.roundTrip), bytes: bytes.get(c.row)?.length ?? 0, rounds: s }] as const;
    }),
  );
}

/** The two rows of a comparison: the generated codec (ratio = its round-trips / the baseline's, median of the rounds' ratios) and its baseline. */
export function codecRows(generated: string, baseline: string, figures: ReadonlyMap<string, CodecFigures>, details: { generated: string; baseline: string }): ScenarioResult[] {
  const g = figures.get(generated);
  const b = figures.get(baseline);
  if (g === undefined || b === undefined) throw new Error(`missing figures for ${generated} or ${baseline}`);
  // Each round's slices alternate the two codecs, so a round's ratio is a paired comparison; the median of those is the figure.
  const paired = (phase: keyof CodecFigures['rounds'], f: CodecFigures, base: CodecFigures): number | null =>
    ratioOf(median(f.rounds[phase].map((x, i) => x / (base.rounds[phase][i] ?? Number.NaN))), 1);
  const row = (name: string, f: CodecFigures, what: string, base: CodecFigures | undefined): ScenarioResult => ({
    name,
    recordsPerSec: round(f.roundTrip),
    baseline: base === undefined ? null : baseline,
    ratio: base === undefined ? null : paired('roundTrip', f, base),
    encodePerSec: round(f.encode),
    decodePerSec: round(f.decode),
    roundTripPerSec: round(f.roundTrip),
    ...(base === undefined ? {} : { ratioEncode: paired('encode', f, base), ratioDecode: paired('decode', f, base) }),
    recordBytes: f.bytes,
    roundsRoundTripPerSec: f.rounds.roundTrip.map((x) => Math.round(x)).join(' '),
    note: what,
  });
  return [row(generated, g, details.generated, b), row(baseline, b, details.baseline, undefined)];
}
