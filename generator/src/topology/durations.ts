/** Durations in the topology are strings with a unit (`500ms`, `60s`, `5m`, `1h`, `1d`), in milliseconds once parsed. */

const unitMs: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export type DurationResult = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly reason: string };

export function parseDuration(value: unknown): DurationResult {
  if (typeof value === 'number') {
    return { ok: false, reason: `a bare number is ambiguous as a duration — write "${value}s" or "${value}ms"` };
  }
  if (typeof value !== 'string') return { ok: false, reason: 'a duration must be a string such as "60s", "5m" or "1h"' };
  const match = /^\s*(-?\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(value);
  if (match === null) return { ok: false, reason: `"${value}" is not a duration — use a number with a unit: ms, s, m, h or d` };
  const amount = Number(match[1]);
  const ms = Math.round(amount * (unitMs[match[2] ?? 's'] ?? 1000));
  if (ms <= 0) return { ok: false, reason: `duration "${value}" must be positive` };
  return { ok: true, ms };
}
