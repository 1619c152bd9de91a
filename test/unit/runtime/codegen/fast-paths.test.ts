/**
 * The compiled Avro codec's number-only fast paths and its writer against the exact paths and
 * avsc: wherever a fast path answers, it must answer what the exact one does.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import avro from 'avsc';
import { formatDecimal, formatInstant, isUuid, parseDecimal, parseInstant } from '../../../../runtime/src/codegen/logical.js';
import { formatDecimalFast, formatMillisFast, parseDecimalFast, parseMillisFast, twosComplementLength } from '../../../../runtime/src/codegen/fast-logical.js';
import { bigIntToBytes } from '../../../../runtime/src/codegen/logical.js';
import { AvroReader, AvroWriter } from '../../../../runtime/src/codegen/avro-wire.js';

/** Deterministic pseudo-random numbers (the cases must be the same on every run). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

describe('timestamp fast paths', () => {
  test('parseMillisFast agrees with parseInstant wherever it answers, and answers the canonical forms', () => {
    const next = random(1);
    const texts = ['1970-01-01T00:00:00Z', '0000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '2024-02-29T12:00:00.5Z', '2023-02-29T12:00:00Z',
      '2024-01-02t03:04:05.123z', '2024-01-02T03:04:05.123', '2024-01-02T03:04:05.1234Z', '2024-01-02T03:04:05+01:00', '2024-13-01T00:00:00Z',
      '2024-01-02T24:00:00Z', '+012345-01-01T00:00:00Z', '1900-02-29T00:00:00Z', '2000-02-29T00:00:00Z'];
    for (let i = 0; i < 3000; i++) texts.push(new Date(Math.floor((next() - 0.5) * 2 * 253_402_300_799_999)).toISOString().replace(/^\+0*/, ''));
    let answered = 0;
    for (const text of texts) {
      for (const local of [false, true]) {
        const candidate = local ? text.replace(/[Zz]$/, '') : text;
        const fast = parseMillisFast(candidate, local);
        if (fast === undefined) continue;
        answered++;
        assert.equal(BigInt(fast), parseInstant(candidate, 3, local), candidate);
      }
    }
    assert.ok(answered > 2000, `answered ${answered}`);
    assert.equal(parseMillisFast('2023-02-29T12:00:00Z', false), undefined);
  });

  test('formatMillisFast agrees with formatInstant over years 0000-9999', () => {
    const next = random(2);
    const values = [0, -1, 1, -62_167_219_200_000, 253_402_300_799_999, 951_782_400_000, -2_203_891_200_001];
    // Around the era boundary (0000-03-01), where the day arithmetic goes negative, and the ends of a day.
    for (const text of ['0000-02-29T23:59:59.999Z', '0000-03-01T00:00:00.000Z', '0000-01-31T12:00:00.001Z', '1969-12-31T23:59:59.999Z', '2000-02-29T00:00:00.000Z', '9999-12-31T00:00:00.000Z']) values.push(Date.parse(text));
    for (let i = 0; i < 5000; i++) values.push(Math.floor(-62_167_219_200_000 + next() * (253_402_300_799_999 + 62_167_219_200_000)));
    for (const ms of values) {
      for (const local of [false, true]) assert.equal(formatMillisFast(ms, local), formatInstant(BigInt(ms), 3, local), String(ms));
    }
    assert.equal(formatMillisFast(253_402_300_800_000, false), undefined);
  });
});

describe('decimal fast paths', () => {
  test('parseDecimalFast agrees with parseDecimal wherever it answers', () => {
    const next = random(3);
    const texts = ['0', '-0', '-0.00', '0.5', '00012.30', '1.', '.5', '-', '', '12.345', '999999999999.99', '9999999999999.99', '-1e3', '1_0', ' 1'];
    for (let i = 0; i < 5000; i++) {
      const int = String(Math.floor(next() * 10 ** Math.floor(next() * 14)));
      const frac = next() < 0.3 ? '' : `.${String(Math.floor(next() * 1000)).padStart(1 + Math.floor(next() * 3), '0')}`;
      texts.push(`${next() < 0.5 ? '-' : ''}${int}${frac}`);
    }
    let answered = 0;
    for (const text of texts) {
      for (const [precision, scale] of [[12, 2], [14, 2], [4, 0], [20, 3], [15, 3], [1, 0]] as const) {
        const fast = parseDecimalFast(text, precision, scale);
        if (fast === undefined) continue;
        answered++;
        assert.equal(BigInt(fast), parseDecimal(text, precision, scale), `${text} (${precision},${scale})`);
      }
    }
    assert.ok(answered > 5000, `answered ${answered}`);
  });

  test('formatDecimalFast and the fast two-complement length agree with the exact ones', () => {
    const next = random(4);
    const values = [0, 1, -1, 127, 128, -128, -129, 32_767, 32_768, -32_768, -32_769, 2 ** 47 - 1, -(2 ** 47)];
    for (let i = 0; i < 5000; i++) values.push(Math.round((next() - 0.5) * 2 * 2 ** (1 + Math.floor(next() * 47))));
    const wide = [2 ** 53 - 1, -(2 ** 53) + 1, 999_999_999_999_999, 1_000_000_000_000_000, 100, 99, 5, -5, -100_000];
    for (const n of wide) for (const scale of [0, 1, 2, 5, 15, 16, 20]) assert.equal(formatDecimalFast(n, scale), formatDecimal(BigInt(n), scale), `${n} scale ${scale}`);
    for (const n of values) {
      for (const scale of [0, 1, 2, 5, 15, 16, 20]) assert.equal(formatDecimalFast(n, scale), formatDecimal(BigInt(n), scale), `${n} scale ${scale}`);
      assert.equal(twosComplementLength(n), bigIntToBytes(BigInt(n)).length, String(n));
    }
  });
});

test('isUuid: 8-4-4-4-12 hex digits of either case, nothing else', () => {
  assert.equal(isUuid('3f0c8f5e-2b7a-4c1d-9e8f-0a1b2c3d4e5f'), true);
  assert.equal(isUuid('3F0C8F5E-2B7A-4C1D-9E8F-0A1B2C3D4E5F'), true);
  for (const bad of ['3f0c8f5e-2b7a-4c1d-9e8f-0a1b2c3d4e5', '3f0c8f5e-2b7a-4c1d-9e8f-0a1b2c3d4e5g', '3f0c8f5e2b7a-4c1d-9e8f-0a1b2c3d4e5f0', '3f0c8f5e-2b7a-4c1d-9e8f_0a1b2c3d4e5f', '']) {
    assert.equal(isUuid(bad), false, bad);
  }
});

describe('Avro writer and reader', () => {
  const stringType = avro.Type.forSchema('string');
  const longType = avro.Type.forSchema('long');

  test('strings: the same bytes as avsc at every length boundary, multi-byte and lone surrogates included', () => {
    const units = ['a', 'é', '€', '😀', '\ud800', '\udc00'];
    const cases: string[] = [];
    for (const length of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 20, 21, 22, 23, 31, 32, 33, 63, 64, 65, 66, 127, 128, 129, 200]) {
      for (const unit of units) cases.push(unit.repeat(Math.ceil(length / unit.length)).slice(0, length), `${'a'.repeat(Math.max(0, length - 1))}${unit}`);
    }
    for (const text of cases) {
      const w = new AvroWriter(8);
      w.writeString(text);
      const bytes = w.finish();
      assert.deepEqual(bytes, stringType.toBuffer(text), JSON.stringify(text));
      const r = new AvroReader(bytes);
      assert.equal(r.readString(), stringType.fromBuffer(stringType.toBuffer(text)));
    }
  });

  test('longs: the same varints as avsc up to 2^52, read back exactly', () => {
    const values = [0, -1, 1, 63, 64, -64, -65, 2 ** 30 - 1, 2 ** 30, -(2 ** 30), -(2 ** 30) - 1, 2 ** 31, 2 ** 40 + 3, -(2 ** 45) - 7, 2 ** 52 - 1, -(2 ** 52) + 1];
    for (const n of values) {
      const w = new AvroWriter(1);
      w.writeLong(n);
      const bytes = w.finish();
      assert.deepEqual(bytes, longType.toBuffer(n), String(n));
      assert.equal(new AvroReader(bytes).readSafeLong(), n);
      const big = new AvroWriter(1);
      big.writeBigLong(BigInt(n));
      assert.deepEqual(big.finish(), longType.toBuffer(n), `bigint ${n}`);
    }
  });

  test('longs beyond 2^52: the exact varint (avsc rounds the zig-zag value and writes -2^52 - 1 as 2^52)', () => {
    const zigzag = (n: bigint): Buffer => {
      let z = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
      const bytes: number[] = [];
      for (; z > 0x7fn; z >>= 7n) bytes.push(Number(z & 0x7fn) | 0x80);
      bytes.push(Number(z));
      return Buffer.from(bytes);
    };
    for (const n of [-(2 ** 52) - 1, 2 ** 52 + 1, -9_007_199_254_740_990, 9_007_199_254_740_990, -(2 ** 53) + 3]) {
      const w = new AvroWriter(1);
      w.writeLong(n);
      const bytes = w.finish();
      assert.deepEqual(bytes, zigzag(BigInt(n)), String(n));
      assert.equal(new AvroReader(bytes).readSafeLong(), n, `read ${n}`);
    }
    assert.notEqual(longType.fromBuffer(longType.toBuffer(-(2 ** 52) - 1)), -(2 ** 52) - 1, 'avsc still rounds: this test documents why the writer does not use it');
  });

  test('short strings read without utf8Slice only when ASCII: other bytes decode as avsc decodes them', () => {
    for (const bytes of [[0x61, 0xff, 0x62], [0xc3, 0xa9], [0xe2, 0x82], [0x7f, 0x00, 0x80], [0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0xf0]]) {
      const encoded = Buffer.concat([longType.toBuffer(bytes.length), Buffer.from(bytes)]);
      assert.equal(new AvroReader(encoded).readString(), stringType.fromBuffer(encoded), JSON.stringify(bytes));
    }
  });

  test('the reader refuses truncated input', () => {
    assert.throws(() => new AvroReader(Buffer.from([0x0a, 0x61])).readString());
    assert.throws(() => new AvroReader(Buffer.from([0x80])).readLong());
  });
});
