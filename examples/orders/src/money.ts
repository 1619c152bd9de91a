import type { DecimalString } from 'faustgen/codegen';

/** Money as whole cents: decimals with scale 2 are added exactly, never through a binary float. */
export function toCents(amount: DecimalString): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(amount);
  if (match === null) throw new RangeError(`not an amount with at most 2 decimals: "${amount}"`);
  const [, sign, units = '0', fraction = ''] = match;
  const cents = BigInt(units) * 100n + BigInt(fraction.padEnd(2, '0'));
  return sign === '-' ? -cents : cents;
}

export function fromCents(cents: bigint): DecimalString {
  const sign = cents < 0n ? '-' : '';
  const magnitude = cents < 0n ? -cents : cents;
  return `${sign}${magnitude / 100n}.${(magnitude % 100n).toString().padStart(2, '0')}`;
}

export function addMoney(a: DecimalString, b: DecimalString): DecimalString {
  return fromCents(toCents(a) + toCents(b));
}
