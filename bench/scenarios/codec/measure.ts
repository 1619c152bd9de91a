/**
 * Encode / decode / round-trip rates of codecs in memory: contenders take turns phase by phase
 * (round 1: A encode, B encode, A decode, B decode, ...), so machine drift hits them alike, and
 * each figure is the median of its rounds.
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
  readonly rounds: readonly number[];
}

/** Phase length: long enough for a few thousand calls on a slow, shared machine. */
const PHASE_MS = 600;
const WARMUP_CALLS = 2_000;

function rate(call: () => void): number {
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < PHASE_MS) {
    for (let i = 0; i < 50; i++) call();
    calls += 50;
    now = performance.now();
  }
  return calls / ((now - start) / 1000);
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
      for (const c of contenders) {
        const encoded = bytes.get(c.row) ?? Buffer.alloc(0);
        const call =
          phase === 'encode'
            ? () => { sink += c.encode().length; }
            : phase === 'decode'
              ? () => { sink += c.decode(encoded) === undefined ? 1 : 0; }
              : () => { sink += c.decode(c.encode()) === undefined ? 1 : 0; };
        samples.get(c.row)?.[phase].push(rate(call));
      }
    }
    progress(`round ${r}/${rounds}: ${contenders.map((c) => `${c.row} ${Math.round(samples.get(c.row)?.roundTrip.at(-1) ?? 0).toLocaleString('en-US')} round-trips/s`).join(', ')}`);
  }
  if (sink < 0) progress('unreachable');
  return new Map(
    contenders.map((c) => {
      const s = samples.get(c.row) ?? { encode: [], decode: [], roundTrip: [] };
      return [c.row, { encode: median(s.encode), decode: median(s.decode), roundTrip: median(s.roundTrip), bytes: bytes.get(c.row)?.length ?? 0, rounds: s.roundTrip }] as const;
    }),
  );
}

/** The two rows of a comparison: the generated codec (ratio = round-trips / the baseline's) and its baseline. */
export function codecRows(generated: string, baseline: string, figures: ReadonlyMap<string, CodecFigures>, details: { generated: string; baseline: string }): ScenarioResult[] {
  const g = figures.get(generated);
  const b = figures.get(baseline);
  if (g === undefined || b === undefined) throw new Error(`missing figures for ${generated} or ${baseline}`);
  const row = (name: string, f: CodecFigures, what: string, base: CodecFigures | undefined): ScenarioResult => ({
    name,
    recordsPerSec: round(f.roundTrip),
    baseline: base === undefined ? null : baseline,
    ratio: base === undefined ? null : ratioOf(f.roundTrip, base.roundTrip),
    encodePerSec: round(f.encode),
    decodePerSec: round(f.decode),
    roundTripPerSec: round(f.roundTrip),
    ...(base === undefined ? {} : { ratioEncode: ratioOf(f.encode, base.encode), ratioDecode: ratioOf(f.decode, base.decode) }),
    recordBytes: f.bytes,
    roundsRoundTripPerSec: f.rounds.map((x) => Math.round(x)).join(' '),
    note: what,
  });
  return [row(generated, g, details.generated, b), row(baseline, b, details.baseline, undefined)];
}
