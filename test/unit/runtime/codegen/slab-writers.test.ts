/**
 * The compiled encoders' output slab and the JSON writer: outputs handed out as views of one slab
 * must never be written again, move intact when they outgrow it, and the JSON writer must write
 * exactly the UTF-8 of what JSON.stringify writes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Slab } from '../../../../runtime/src/codegen/slab.js';
import { JsonWriter, releaseJsonWriter, takeJsonWriter } from '../../../../runtime/src/codegen/json-writer.js';

class ByteSlab extends Slab {
  write(bytes: readonly number[]): void {
    this.ensure(bytes.length);
    for (const b of bytes) this.buf[this.pos++] = b;
  }
}

describe('output slab', () => {
  test('outputs are 8-byte aligned views that later outputs never overwrite, also across a slab change', () => {
    const slab = new ByteSlab(64);
    const outputs: { out: Buffer; expected: Buffer }[] = [];
    for (let i = 0; i < 40; i++) {
      const bytes = Array.from({ length: 1 + ((i * 7) % 23) }, (_, k) => (i * 31 + k) & 0xff);
      slab.begin();
      // Written in two parts so that some outputs move to a new slab halfway.
      slab.write(bytes.slice(0, 5));
      slab.write(bytes.slice(5));
      const out = slab.finish();
      assert.equal(out.byteOffset % 8, 0, `output ${i} aligned`);
      outputs.push({ out, expected: Buffer.from(bytes) });
    }
    for (const [i, { out, expected }] of outputs.entries()) assert.deepEqual(out, expected, `output ${i} intact`);
  });

  test('an output larger than the slab is written whole, and the grown slab is not reused', () => {
    const slab = new ByteSlab(16);
    slab.begin();
    const big = Array.from({ length: 100 }, (_, k) => k);
    slab.write(big);
    const out = slab.finish();
    assert.deepEqual(out, Buffer.from(big));
    assert.ok(slab.buf.length >= 100);
    slab.begin();
    assert.equal(slab.buf.length, 16, 'a small output after a large one gets a slab of the normal size');
    slab.write([1, 2, 3]);
    assert.deepEqual(slab.finish(), Buffer.from([1, 2, 3]));
    assert.deepEqual(out, Buffer.from(big));
  });

  test('an abandoned output (begin without finish) leaves earlier outputs alone', () => {
    const slab = new ByteSlab(64);
    slab.begin();
    slab.write([9, 9, 9]);
    const kept = slab.finish();
    slab.begin();
    slab.write([1, 1, 1, 1]);
    slab.begin();
    slab.write([2]);
    assert.deepEqual(slab.finish(), Buffer.from([2]));
    assert.deepEqual(kept, Buffer.from([9, 9, 9]));
  });
});

describe('JSON writer', () => {
  const written = (write: (w: JsonWriter) => void): string => {
    const w = new JsonWriter(8);
    w.begin();
    write(w);
    return w.finish().toString('utf8');
  };

  test('strings: the UTF-8 of JSON.stringify for escapes, non-ASCII, surrogate pairs and lone surrogates', () => {
    const texts = ['', 'a', 'plain ascii text with spaces', 'quote " inside', 'back\\slash', 'tab\tnew\nline', '\u0000\u001f\u007f', 'é', 'naïve café', '€100', '😀', 'x\ud800', '\udc00y', '\ud83d\ude00\ud800', 'a'.repeat(300)];
    // The same past the length where JSON.stringify takes over from the scan.
    for (const text of texts.slice(1, -1)) texts.push(`${'long text '.repeat(5)}${text}`);
    for (const text of texts) {
      assert.deepEqual(written((w) => w.string(text)), JSON.stringify(text), JSON.stringify(text));
      const w = new JsonWriter(8);
      w.begin();
      w.string(text);
      assert.deepEqual(w.finish(), Buffer.from(JSON.stringify(text), 'utf8'), `bytes of ${JSON.stringify(text)}`);
    }
  });

  test('integers: what JSON.stringify writes, on both sides of the digit-by-digit range', () => {
    for (const n of [0, -0, 1, 9, 10, 99, 100, 12345, 999_999_999, 1_000_000_000, 1_073_741_823, 1_073_741_824, 4_711_000_042, -1, -123, 2 ** 53 - 2, -(2 ** 53) + 2]) {
      assert.equal(written((w) => w.integer(n)), JSON.stringify(n), String(n));
    }
  });

  test('fixed bytes, ASCII and any text land in order', () => {
    assert.equal(
      written((w) => {
        w.byte(0x5b);
        w.bytes(Uint8Array.from(Buffer.from('"ü":', 'utf8')));
        w.ascii('1.5');
        w.byte(0x2c);
        w.text('"€"');
        w.byte(0x5d);
      }),
      '["ü":1.5,"€"]',
    );
  });

  test('a nested take while the shared writer is in use gets a writer of its own', () => {
    const outer = takeJsonWriter();
    outer.ascii('outer');
    const inner = takeJsonWriter();
    assert.notEqual(inner, outer);
    inner.ascii('inner');
    const innerOut = inner.finish();
    releaseJsonWriter(inner);
    const outerOut = outer.finish();
    releaseJsonWriter(outer);
    assert.equal(innerOut.toString(), 'inner');
    assert.equal(outerOut.toString(), 'outer');
    const again = takeJsonWriter();
    assert.equal(again, outer, 'the shared writer is free again');
    releaseJsonWriter(again);
  });
});
