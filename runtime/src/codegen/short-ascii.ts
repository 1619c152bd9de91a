/**
 * Short ASCII strings decoded from bytes without a call into C++ (the Avro reader's commonest
 * strings: map keys, codes, short names). For up to a few dozen bytes, `String.fromCharCode` with
 * one argument per byte makes the flat string for a fraction of what `utf8Slice` costs to enter.
 */

/** Strings up to this many bytes are decoded in JavaScript when they are ASCII. */
export const SHORT_READ = 24;
const char = String.fromCharCode;

/** The string of `n` bytes at `p` when all are ASCII (n <= SHORT_READ); undefined otherwise (UTF-8 decoding decides then). */
export function shortAscii(b: Buffer, p: number, n: number): string | undefined {
  let high = 0;
  for (let i = p; i < p + n; i++) high |= b[i] as number;
  if (high > 0x7f) return undefined;
  // One call site per length: a fixed argument count is what makes fromCharCode cheap (a spread is not).
  switch (n) {
    case 0: return '';
    case 1: return char(b[p] as number);
    case 2: return char(b[p] as number, b[p + 1] as number);
    case 3: return char(b[p] as number, b[p + 1] as number, b[p + 2] as number);
    case 4: return char(b[p] as number, b[p + 1] as number, b[p + 2] as number, b[p + 3] as number);
    case 5: return char(b[p] as number, b[p + 1] as number, b[p + 2] as number, b[p + 3] as number, b[p + 4] as number);
    case 6: return char(b[p] as number, b[p + 1] as number, b[p + 2] as number, b[p + 3] as number, b[p + 4] as number, b[p + 5] as number);
    case 7: return char(b[p] as number, b[p + 1] as number, b[p + 2] as number, b[p + 3] as number, b[p + 4] as number, b[p + 5] as number, b[p + 6] as number);
    case 8: return char(b[p] as number, b[p + 1] as number, b[p + 2] as number, b[p + 3] as number, b[p + 4] as number, b[p + 5] as number, b[p + 6] as number, b[p + 7] as number);
    case 9: return char(b[p] as number, b[p + 1] as number, b[p + 2] as number, b[p + 3] as number, b[p + 4] as number, b[p + 5] as number, b[p + 6] as number, b[p + 7] as number, b[p + 8] as number);
    case 10: return char(b[p] as number, b[p + 1] as number, b[p + 2] as number, b[p + 3] as number, b[p + 4] as number, b[p + 5] as number, b[p + 6] as number, b[p + 7] as number, b[p + 8] as number, b[p + 9] as number);
    case 11: return char(b[p] as number, b[p + 1] as number, b[p + 2] as number, b[p + 3] as number, b[p + 4] as number, b[p + 5] as number, b[p + 6] as number, b[p + 7] as number, b[p + 8] as number, b[p + 9] as number, b[p + 10] as number);
    case 12: return char(b[p] as number, b[p + 1] as number, b[p + 2] as number, b[p + 3] as number, b[p + 4] as number, b[p + 5] as number, b[p + 6] as number, b[p + 7] as number, b[p + 8] as number, b[p + 9] as number, b[p + 10] as number, b[p + 11] as number);
    case 13: return char(b[p] as number, b[p + 1] as number, b[p + 2] as number, b[p + 3] as number, b[p + 4] as number, b[p + 5] as number, b[p + 6] as number, b[p + 7] as number, b[p + 8] as number, b[p + 9] as number, b[p + 10] as number, b[p + 11] as number, b[p + 12] as number);
    case 14: return char(b[p] as number, b[p + 1] as number, b[p + 2] as number, b[p + 3] as number, b[p + 4] as number, b[p + 5] as number, b[p + 6] as number, b[p + 7] as number, b[p + 8] as number, b[p + 9] as number, b[p + 10] as number, b[p + 11] as number, b[p + 12] as number, b[p + 13] as number);
    case 15: return char(b[p] as number, b[p + 1] as number, b[p + 2] as number, b[p + 3] as number, b[p + 4] as number, b[p + 5] as number, b[p + 6] as number, b[p + 7] as number, b[p + 8] as number, b[p + 9] as number, b[p + 10] as number, b[p + 11] as number, b[p + 12] as number, b[p + 13] as number, b[p + 14] as number);
    case 16: return char(b[p] as number, b[p + 1] as number, b[p + 2] as number, b[p + 3] as number, b[p + 4] as number, b[p + 5] as number, b[p + 6] as number, b[p + 7] as number, b[p + 8] as number, b[p + 9] as number, b[p + 10] as number, b[p + 11] as number, b[p + 12] as number, b[p + 13] as number, b[p + 14] as number, b[p + 15] as number);
    case 17: return char(b[p] as number, b[p + 1] as number, b[p + 2] as number, b[p + 3] as number, b[p + 4] as number, b[p + 5] as number, b[p + 6] as number, b[p + 7] as number, b[p + 8] as number, b[p + 9] as number, b[p + 10] as number, b[p + 11] as number, b[p + 12] as number, b[p + 13] as number, b[p + 14] as number, b[p + 15] as number, b[p + 16] as number);
    case 18: return char(b[p] as number, b[p + 1] as number, b[p + 2] as number, b[p + 3] as number, b[p + 4] as number, b[p + 5] as number, b[p + 6] as number, b[p + 7] as number, b[p + 8] as number, b[p + 9] as number, b[p + 10] as number, b[p + 11] as number, b[p + 12] as number, b[p + 13] as number, b[p + 14] as number, b[p + 15] as number, b[p + 16] as number, b[p + 17] as number);
    case 19: return char(b[p] as number, b[p + 1] as number, b[p + 2] as number, b[p + 3] as number, b[p + 4] as number, b[p + 5] as number, b[p + 6] as number, b[p + 7] as number, b[p + 8] as number, b[p + 9] as number, b[p + 10] as number, b[p + 11] as number, b[p + 12] as number, b[p + 13] as number, b[p + 14] as number, b[p + 15] as number, b[p + 16] as number, b[p + 17] as number, b[p + 18] as number);
    case 20: return char(b[p] as number, b[p + 1] as number, b[p + 2] as number, b[p + 3] as number, b[p + 4] as number, b[p + 5] as number, b[p + 6] as number, b[p + 7] as number, b[p + 8] as number, b[p + 9] as number, b[p + 10] as number, b[p + 11] as number, b[p + 12] as number, b[p + 13] as number, b[p + 14] as number, b[p + 15] as number, b[p + 16] as number, b[p + 17] as number, b[p + 18] as number, b[p + 19] as number);
    case 21: return char(b[p] as number, b[p + 1] as number, b[p + 2] as number, b[p + 3] as number, b[p + 4] as number, b[p + 5] as number, b[p + 6] as number, b[p + 7] as number, b[p + 8] as number, b[p + 9] as number, b[p + 10] as number, b[p + 11] as number, b[p + 12] as number, b[p + 13] as number, b[p + 14] as number, b[p + 15] as number, b[p + 16] as number, b[p + 17] as number, b[p + 18] as number, b[p + 19] as number, b[p + 20] as number);
    case 22: return char(b[p] as number, b[p + 1] as number, b[p + 2] as number, b[p + 3] as number, b[p + 4] as number, b[p + 5] as number, b[p + 6] as number, b[p + 7] as number, b[p + 8] as number, b[p + 9] as number, b[p + 10] as number, b[p + 11] as number, b[p + 12] as number, b[p + 13] as number, b[p + 14] as number, b[p + 15] as number, b[p + 16] as number, b[p + 17] as number, b[p + 18] as number, b[p + 19] as number, b[p + 20] as number, b[p + 21] as number);
    case 23: return char(b[p] as number, b[p + 1] as number, b[p + 2] as number, b[p + 3] as number, b[p + 4] as number, b[p + 5] as number, b[p + 6] as number, b[p + 7] as number, b[p + 8] as number, b[p + 9] as number, b[p + 10] as number, b[p + 11] as number, b[p + 12] as number, b[p + 13] as number, b[p + 14] as number, b[p + 15] as number, b[p + 16] as number, b[p + 17] as number, b[p + 18] as number, b[p + 19] as number, b[p + 20] as number, b[p + 21] as number, b[p + 22] as number);
    case 24: return char(b[p] as number, b[p + 1] as number, b[p + 2] as number, b[p + 3] as number, b[p + 4] as number, b[p + 5] as number, b[p + 6] as number, b[p + 7] as number, b[p + 8] as number, b[p + 9] as number, b[p + 10] as number, b[p + 11] as number, b[p + 12] as number, b[p + 13] as number, b[p + 14] as number, b[p + 15] as number, b[p + 16] as number, b[p + 17] as number, b[p + 18] as number, b[p + 19] as number, b[p + 20] as number, b[p + 21] as number, b[p + 22] as number, b[p + 23] as number);
    default: return undefined;
  }
}
