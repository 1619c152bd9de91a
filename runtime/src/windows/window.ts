import { FaustgenError } from '../core/errors.js';

/**
 * Window specs, in milliseconds of event time. A window covers [start, end): end is exclusive
 * (Faust subtracts 0.1 s instead; exclusive ends need no such fudge with integer milliseconds).
 *
 * - tumbling(size): back-to-back windows; each timestamp is in exactly one.
 * - hopping(size, step): windows of `size` starting every `step`; a timestamp is in size/step of them.
 * - sliding(before, after): each event's own window [ts - before, ts + after), as Faust defines it.
 *
 * `expiresMs`: how long after its end a window is kept; then it is closed (the close callback fires)
 * and removed from the store, and the changelog's retention lets Kafka drop it too.
 */
export type WindowSpec =
  | { readonly kind: 'tumbling'; readonly sizeMs: number; readonly expiresMs: number }
  | { readonly kind: 'hopping'; readonly sizeMs: number; readonly stepMs: number; readonly expiresMs: number }
  | { readonly kind: 'sliding'; readonly beforeMs: number; readonly afterMs: number; readonly expiresMs: number };

export interface WindowRange {
  readonly start: number;
  readonly end: number;
}

const DEFAULT_EXPIRES_MS = 24 * 3_600_000;

function nonNegative(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new FaustgenError('FG_SETTING_INVALID', `window ${name} must be a whole number of milliseconds ≥ 0, got ${String(value)}`, { details: { setting: name, value } });
  }
  return value;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0 || !Number.isInteger(value)) {
    throw new FaustgenError('FG_SETTING_INVALID', `window ${name} must be a whole number of milliseconds > 0, got ${String(value)}`, { details: { setting: name, value } });
  }
  return value;
}

export function tumbling(sizeMs: number, options: { readonly expiresMs?: number } = {}): WindowSpec {
  return { kind: 'tumbling', sizeMs: positive('size', sizeMs), expiresMs: nonNegative('expires', options.expiresMs ?? DEFAULT_EXPIRES_MS) };
}

export function hopping(sizeMs: number, stepMs: number, options: { readonly expiresMs?: number } = {}): WindowSpec {
  positive('size', sizeMs);
  positive('step', stepMs);
  if (stepMs > sizeMs) {
    throw new FaustgenError('FG_SETTING_INVALID', `hopping window step (${stepMs} ms) must not exceed its size (${sizeMs} ms): events between windows would be lost`, { details: { setting: 'step' } });
  }
  return { kind: 'hopping', sizeMs, stepMs, expiresMs: nonNegative('expires', options.expiresMs ?? DEFAULT_EXPIRES_MS) };
}

export function sliding(beforeMs: number, afterMs: number, options: { readonly expiresMs: number }): WindowSpec {
  if (!Number.isInteger(beforeMs) || beforeMs < 0 || !Number.isInteger(afterMs) || afterMs < 0 || beforeMs + afterMs === 0) {
    throw new FaustgenError('FG_SETTING_INVALID', `sliding window needs before ≥ 0 and after ≥ 0 ms with a positive sum, got ${beforeMs}/${afterMs}`, { details: { setting: 'window' } });
  }
  return { kind: 'sliding', beforeMs, afterMs, expiresMs: nonNegative('expires', options.expiresMs) };
}

/** Length of every window of the spec. */
export function windowLength(spec: WindowSpec): number {
  return spec.kind === 'sliding' ? spec.beforeMs + spec.afterMs : spec.sizeMs;
}

/** The windows an event at `timestamp` belongs to, oldest first. */
export function rangesFor(spec: WindowSpec, timestamp: number): WindowRange[] {
  switch (spec.kind) {
    case 'tumbling': {
      const start = Math.floor(timestamp / spec.sizeMs) * spec.sizeMs;
      return [{ start, end: start + spec.sizeMs }];
    }
    case 'hopping': {
      const last = Math.floor(timestamp / spec.stepMs) * spec.stepMs;
      const ranges: WindowRange[] = [];
      for (let start = last - spec.sizeMs + spec.stepMs; start <= last; start += spec.stepMs) {
        if (start + spec.sizeMs > timestamp) ranges.push({ start, end: start + spec.sizeMs });
      }
      return ranges;
    }
    case 'sliding':
      return [{ start: timestamp - spec.beforeMs, end: timestamp + spec.afterMs }];
  }
}

/** The most recent window containing `timestamp` (Faust's `current`). */
export function currentRange(spec: WindowSpec, timestamp: number): WindowRange {
  const ranges = rangesFor(spec, timestamp);
  return ranges[ranges.length - 1] as WindowRange;
}

/** Changelog configs of a windowed table: compacted, and deleted once every window in it expired. */
export function windowChangelogConfig(spec: WindowSpec): Record<string, string> {
  return { 'cleanup.policy': 'compact,delete', 'retention.ms': String(windowLength(spec) + spec.expiresMs) };
}
