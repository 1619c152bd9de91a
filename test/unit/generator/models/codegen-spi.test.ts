import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fg from '../../../../runtime/src/codegen/index.js';
import type { TypeDesc, ValidationIssue } from '../../../../runtime/src/codegen/index.js';
import { FaustgenError } from '../../../../runtime/src/core/errors.js';

const { logical } = fg;

function issuesOf(desc: TypeDesc, value: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  fg.checkValue(desc, value, '$', issues);
  return issues;
}

// A hand-written record in the shape the generator emits, to test the SPI without the generator.
interface PointFields {
  readonly x: number;
  readonly label?: string;
  readonly 'tag name'?: string;
}
class Point {
  static readonly model: fg.RecordModel<Point> = fg.defineRecord<Point>({
    name: 'geo.Point',
    ctor: () => Point,
    fields: [
      { name: 'x', type: { k: 'int' }, aliases: ['xCoord'] },
      { name: 'label', type: { k: 'string' }, hasDefault: true },
      { name: 'tag name', type: { k: 'union', mode: 'avro', branches: [{ k: 'null' }, { k: 'string' }] }, hasDefault: true },
    ],
  });
  readonly x: number;
  readonly label: string;
  readonly 'tag name': string | null;
  constructor(fields: PointFields) {
    this.x = fields.x;
    this.label = fields.label !== undefined ? fields.label : 'origin';
    this['tag name'] = fields['tag name'] !== undefined ? fields['tag name'] : null;
  }
}

describe('codegen SPI: logical conversions', () => {
  test('dates are days since 1970-01-01, both ways, with calendar checks', () => {
    assert.equal(logical.formatIsoDate(0), '1970-01-01');
    assert.equal(logical.formatIsoDate(-1), '1969-12-31');
    assert.equal(logical.formatIsoDate(19723), '2024-01-01');
    assert.equal(logical.parseIsoDate('2024-02-29'), 19782);
    assert.equal(logical.parseIsoDate('0001-01-01'), -719162);
    assert.equal(logical.parseIsoDate('2023-02-29'), undefined);
    assert.equal(logical.parseIsoDate('2024-1-01'), undefined);
    assert.throws(() => logical.formatIsoDate(3_000_000), RangeError);
  });

  test('times of day keep their precision', () => {
    assert.equal(logical.formatIsoTime(0, false), '00:00:00.000');
    assert.equal(logical.formatIsoTime(86_399_999, false), '23:59:59.999');
    assert.equal(logical.formatIsoTime(3_723_000_004, true), '01:02:03.000004');
    assert.equal(logical.parseIsoTime('01:02:03.000004', true), 3_723_000_004);
    assert.equal(logical.parseIsoTime('01:02:03', false), 3_723_000);
    assert.equal(logical.parseIsoTime('01:02:03.0001', false), undefined, 'finer than millis is not silently truncated');
    assert.equal(logical.parseIsoTime('24:00:00', false), undefined);
    assert.throws(() => logical.formatIsoTime(-1, false), RangeError);
  });

  test('timestamps over the whole 64-bit range: expanded years, nanos, exact reasons', () => {
    const max = 2n ** 63n - 1n;
    const min = -(2n ** 63n);
    assert.equal(logical.formatInstant(max, 9, false), '2262-04-11T23:47:16.854775807Z');
    assert.equal(logical.formatInstant(min, 9, false), '1677-09-21T00:12:43.145224192Z');
    assert.equal(logical.formatInstant(max, 6, false), '+294247-01-10T04:00:54.775807Z');
    assert.equal(logical.formatInstant(min, 6, true), '-290308-12-21T19:59:05.224192');
    assert.equal(logical.formatInstant(-62_167_219_200_001n, 3, false), '-000001-12-31T23:59:59.999Z');
    for (const [units, digits] of [[max, 9], [min, 9], [max, 6], [min, 3], [0n, 3], [-1n, 6], [951_782_400_000n, 3]] as const) {
      assert.equal(logical.parseInstant(logical.formatInstant(units, digits, false), digits, false), units);
    }
    assert.equal(logical.parseInstant('2000-02-29T00:00:00Z', 3, false), 951_782_400_000n);
    assert.equal(logical.parseInstant('2262-04-11T23:47:16.854775808Z', 9, false), 'is outside the range of a nanosecond timestamp (1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z)');
    assert.equal(logical.parseInstant('1900-02-29T00:00:00Z', 3, false), 'is not a calendar date');
    assert.equal(logical.parseInstant('2024-01-02T03:04:05.1234567Z', 6, false), 'has 7 fraction digits; this type keeps 6');
    assert.equal(logical.parseInstant('2024-01-02T03:04:05', 9, false), 'has no offset (Z or ±HH:MM)');
    const micros: TypeDesc = { k: 'logical', logical: 'timestamp-micros', base: { k: 'long' } };
    assert.deepEqual(issuesOf(micros, '+294247-01-10T04:00:54.775807Z'), []);
    assert.deepEqual(issuesOf(micros, '+294247-01-10T04:00:54.775808Z'), [
      { path: '$', message: 'timestamp-micros "+294247-01-10T04:00:54.775808Z" is outside the range of a microsecond timestamp (-290308-12-21T19:59:05.224192Z to +294247-01-10T04:00:54.775807Z)' },
    ]);
  });

  test('timestamps: micros survive, offsets are applied, local ones have none', () => {
    const micros = { micros: true, local: false };
    assert.equal(logical.formatIsoInstant(1_704_164_645_123_456, micros), '2024-01-02T03:04:05.123456Z');
    assert.equal(logical.parseIsoInstant('2024-01-02T03:04:05.123456Z', micros), 1_704_164_645_123_456);
    assert.equal(logical.parseIsoInstant('2024-01-02T04:04:05.123456+01:00', micros), 1_704_164_645_123_456);
    assert.equal(logical.formatIsoInstant(-1, micros), '1969-12-31T23:59:59.999999Z');
    assert.equal(logical.formatIsoInstant(-1, { micros: false, local: false }), '1969-12-31T23:59:59.999Z');
    assert.equal(logical.parseIsoInstant('2024-01-02T03:04:05.1234Z', { micros: false, local: false }), undefined);
    assert.equal(logical.parseIsoInstant('2024-01-02T03:04:05', { micros: false, local: false }), undefined);
    assert.equal(logical.parseIsoInstant('2024-01-02T03:04:05Z', { micros: false, local: true }), undefined);
    assert.equal(logical.formatIsoInstant(1_000, { micros: false, local: true }), '1970-01-01T00:00:01.000');
    assert.equal(logical.isRfc3339DateTime('2024-01-02T03:04:05.123456789-07:30'), true);
    assert.equal(logical.isRfc3339DateTime('2024-13-02T03:04:05Z'), false);
  });

  test('format date-time (asserted in draft-07): RFC 3339 with leap seconds, valid offsets, any fraction', () => {
    // Written from RFC 3339 §5.6 (the date-time grammar: "T"/"Z" in either case, time-secfrac is
    // "." 1*DIGIT, time-numoffset is ±time-hour:time-minute, so at most 23:59) and §5.7 (time-second
    // 60 only for a leap second, which happens at 23:59:60 UTC; 2016-12-31 had one). Draft-07
    // validation §7.3.1 names this production for `format: date-time`.
    const valid = [
      '2016-12-31T23:59:60Z', '2016-12-31T18:59:60-05:00', '2017-01-01T09:29:60.5+09:30', '2024-03-15T10:42:07.123456789012Z',
      '2024-03-15t10:42:07z', '2024-03-15T10:42:07+05:45', '2024-02-29T12:00:00Z', '2024-03-15T10:42:07-00:00',
    ];
    const invalid = [
      '2016-12-31T23:59:61Z', '2016-12-31T23:58:60Z', '2016-12-31T22:59:60Z', '2016-12-31T23:59:60+01:00', '2024-03-15T24:00:00Z',
      '2024-03-15T10:42:07+05:60', '2024-03-15T10:42:07-24:00', '2024-03-15T10:42:07+05', '2024-03-15T10:42:07.5+01:00Z', '2024-03-15T10:42:07Z\n',
      '2023-02-29T12:00:00Z', '2024-04-31T10:42:07Z', '2024-03-15T10:42:07', '2024-03-15 10:42:07Z', '2024-03-15T10:42:07.Z',
    ];
    for (const text of valid) assert.equal(logical.isRfc3339DateTime(text), true, text);
    for (const text of invalid) assert.equal(logical.isRfc3339DateTime(text), false, text);
  });

  test('decimals: exact two\'s complement bytes and plain-notation strings', () => {
    const cases: [bigint, string][] = [[0n, '00'], [1n, '01'], [-1n, 'ff'], [127n, '7f'], [128n, '0080'], [-128n, '80'], [-129n, 'ff7f'], [2n ** 70n, '400000000000000000']];
    for (const [value, hex] of cases) {
      assert.equal(logical.bigIntToBytes(value).toString('hex'), hex, String(value));
      assert.equal(logical.bytesToBigInt(Buffer.from(hex, 'hex')), value, hex);
    }
    assert.equal(logical.bigIntToBytes(-2n, 4).toString('hex'), 'fffffffe');
    assert.throws(() => logical.bigIntToBytes(2n ** 40n, 4), RangeError);
    assert.equal(logical.formatDecimal(-1230n, 2), '-12.30');
    assert.equal(logical.formatDecimal(5n, 3), '0.005');
    assert.equal(logical.formatDecimal(-5n, 0), '-5');
    assert.equal(logical.parseDecimal('-12.3', 5, 2), -1230n);
    assert.equal(logical.parseDecimal('12345678901234567890.123456789', 38, 9), 12345678901234567890123456789n);
    assert.match(String(logical.parseDecimal('1.234', 5, 2)), /3 fraction digits, scale is 2/);
    assert.match(String(logical.parseDecimal('1234.5', 5, 2)), /6 significant digits, precision is 5/);
    assert.match(String(logical.parseDecimal('1e5', 5, 2)), /plain notation/);
    assert.equal(logical.maxDecimalPrecision(8), 18);
  });

  test('durations are three little-endian uint32', () => {
    const bytes = logical.durationToBytes({ months: 1, days: 2, millis: 0xffff_ffff });
    assert.equal(bytes.toString('hex'), '0100000002000000ffffffff');
    assert.deepEqual(logical.bytesToDuration(bytes), { months: 1, days: 2, millis: 0xffff_ffff });
  });
});

describe('codegen SPI: validation', () => {
  test('paths name the exact place, quoting keys that are not identifiers', () => {
    const desc: TypeDesc = { k: 'map', values: { k: 'array', items: { k: 'ref', get: () => Point.model } } };
    const issues = issuesOf(desc, { 'a b': [new Point({ x: 1 }), { x: 2.5, label: 'l', 'tag name': 3 }], ok: [] });
    assert.deepEqual(issues, [
      { path: '$["a b"][1].x', message: 'expected a 32-bit integer, got 2.5' },
      { path: '$["a b"][1]["tag name"]', message: 'expected null | string, got 3' },
    ]);
  });

  test('int, long and float ranges follow Avro/avsc', () => {
    assert.equal(issuesOf({ k: 'int' }, 2 ** 31).length, 1);
    assert.equal(issuesOf({ k: 'int' }, -(2 ** 31)).length, 0);
    assert.equal(issuesOf({ k: 'long' }, 9_007_199_254_740_990).length, 0);
    assert.equal(issuesOf({ k: 'long' }, Number.MAX_SAFE_INTEGER).length, 1);
    assert.equal(issuesOf({ k: 'double' }, Number.NaN).length, 0);
  });

  test('an Avro union writes the first branch that fits; a record instance picks its own branch', () => {
    const desc: TypeDesc = { k: 'union', mode: 'avro', branches: [{ k: 'string' }, { k: 'enum', name: 'E', symbols: ['A'] }] };
    assert.deepEqual(fg.toAvroValue(desc, 'A'), { string: 'A' });
    const enumFirst: TypeDesc = { k: 'union', mode: 'avro', branches: [{ k: 'enum', name: 'E', symbols: ['A'] }, { k: 'string' }] };
    assert.deepEqual(fg.toAvroValue(enumFirst, 'A'), { E: 'A' });
    assert.deepEqual(fg.toAvroValue(enumFirst, 'B'), { string: 'B' });
    const records: TypeDesc = { k: 'union', mode: 'avro', branches: [{ k: 'null' }, { k: 'ref', get: () => Point.model }] };
    assert.deepEqual(issuesOf(records, new Point({ x: 0.5 })), [{ path: '$.x', message: 'expected a 32-bit integer, got 0.5' }]);
  });

  test('tagged Avro branches: { branch, value } picks the branch; JSON carries the plain value; issues point inside', () => {
    const ts: TypeDesc = { k: 'logical', logical: 'timestamp-millis', base: { k: 'long' } };
    const desc: TypeDesc = { k: 'union', mode: 'avro', branches: [{ k: 'null' }, { k: 'string' }, ts], tagged: [1, 2] };
    const instant = { branch: 'long', value: '2024-01-02T03:04:05.123Z' };
    assert.deepEqual(fg.toAvroValue(desc, instant), { long: '2024-01-02T03:04:05.123Z' });
    assert.deepEqual(fg.toAvroValue(desc, { branch: 'string', value: '2024-01-02T03:04:05.123Z' }), { string: '2024-01-02T03:04:05.123Z' });
    assert.equal(fg.toAvroValue(desc, null), null);
    assert.deepEqual(fg.fromAvroValue(desc, { long: '2024-01-02T03:04:05.123Z' }), instant);
    assert.deepEqual(fg.toJsonValue(desc, instant), '2024-01-02T03:04:05.123Z');
    const issues: ValidationIssue[] = [];
    assert.deepEqual(fg.fromJsonValue(desc, 'x', '$', issues), { branch: 'string', value: 'x' }, 'JSON: the first branch that fits, tagged');
    assert.deepEqual(issues, []);
    assert.deepEqual(issuesOf(desc, instant), []);
    assert.deepEqual(issuesOf(desc, { branch: 'long', value: 'yesterday' }).map((i) => i.path), ['$.value']);
    assert.deepEqual(issuesOf(desc, { branch: 'int', value: 1 }), [{ path: '$.branch', message: 'expected one of "string", "long", got "int"' }]);
    assert.deepEqual(issuesOf(desc, 'plain'), [{ path: '$', message: 'expected null, or { branch, value } with branch one of "string", "long", got "plain"' }]);
  });

  test('oneOf needs exactly one match; a discriminator reports the bad tag', () => {
    const oneOf: TypeDesc = { k: 'union', mode: 'oneOf', branches: [{ k: 'number', rules: { minimum: 0 } }, { k: 'number', rules: { maximum: 10 } }] };
    assert.match(issuesOf(oneOf, 5)[0]?.message ?? '', /matches 2 branches of oneOf/);
    assert.deepEqual(issuesOf(oneOf, 20), []);
    const tagged: TypeDesc = {
      k: 'union',
      mode: 'oneOf',
      branches: [{ k: 'ref', get: () => Point.model }, { k: 'null' }],
      discriminator: { property: 'label', values: ['origin', null] },
    };
    assert.deepEqual(issuesOf(tagged, { x: 1, label: 'other' }), [{ path: '$.label', message: 'expected one of "origin", got "other"' }]);
  });
});

describe('codegen SPI: codecs', () => {
  test('record JSON: Faust format out, aliases/defaults/extra keys/missing __faust in', () => {
    const codec = fg.jsonCodec<Point>(Point.model, 'geo.Point');
    assert.equal(codec.name, 'json:geo.Point');
    const text = codec.encode(new Point({ x: 3, 'tag name': 't' })).toString('utf8');
    assert.equal(text, '{"x":3,"label":"origin","tag name":"t","__faust":{"ns":"geo.Point"}}');
    const decoded = codec.decode(Buffer.from('{"xCoord": 4, "unknown": true}'));
    assert.ok(decoded instanceof Point);
    assert.deepEqual({ ...decoded }, { x: 4, label: 'origin', 'tag name': null });
  });

  test('decode errors: FG_DECODE for bad JSON, FG_VALIDATION with every issue; encode: FG_ENCODE', () => {
    const codec = fg.jsonCodec<Point>(Point.model, 'geo.Point');
    assert.throws(() => codec.decode(Buffer.from('{')), (e: unknown) => FaustgenError.hasCode(e, 'FG_DECODE'));
    assert.throws(
      () => codec.decode(Buffer.from('{"label": 1}')),
      (e: unknown) => FaustgenError.hasCode(e, 'FG_VALIDATION') && (e.details['issues'] as unknown[]).length === 2 && e.details['path'] === '$.x',
    );
    assert.throws(() => codec.encode(new Point({ x: Number.NaN })), (e: unknown) => FaustgenError.hasCode(e, 'FG_ENCODE') && e.details['path'] === '$.x');
  });

  test('non-finite doubles travel as strings in JSON; bytes as base64', () => {
    const codec = fg.jsonCodec<unknown>({ k: 'array', items: { k: 'double' } }, 'doubles');
    const encoded = codec.encode([Number.NaN, Infinity, -Infinity, 1.5]);
    assert.equal(encoded.toString('utf8'), '["NaN","Infinity","-Infinity",1.5]');
    assert.deepEqual(codec.decode(encoded), [Number.NaN, Infinity, -Infinity, 1.5]);
    const bytes = fg.jsonCodec<Buffer>({ k: 'bytes' }, 'bytes');
    assert.equal(bytes.encode(Buffer.from([0, 255])).toString('utf8'), '"AP8="');
    assert.throws(() => bytes.decode(Buffer.from('"not base64!"')), (e: unknown) => FaustgenError.hasCode(e, 'FG_VALIDATION'));
  });

  test('Avro codec: avsc binary, records rebuilt, decoded bytes do not alias the input buffer', () => {
    const schema = {
      type: 'record',
      name: 'geo.Point',
      fields: [
        { name: 'x', type: 'int' },
        { name: 'label', type: 'string', default: 'origin' },
        { name: 'tag_name', type: ['null', 'bytes'], default: null },
      ],
    };
    // A minimal hand-written record mirroring the schema.
    class Raw {
      static readonly model: fg.RecordModel<Raw> = fg.defineRecord<Raw>({
        name: 'geo.Point',
        ctor: () => Raw,
        fields: [
          { name: 'x', type: { k: 'int' } },
          { name: 'label', type: { k: 'string' } },
          { name: 'tag_name', type: { k: 'union', mode: 'avro', branches: [{ k: 'null' }, { k: 'bytes' }] } },
        ],
      });
      constructor(readonly fields: Readonly<Record<string, unknown>>) {
        Object.assign(this, fields);
      }
    }
    const codec = fg.avroCodec<Raw>(Raw.model, schema, 'geo.Point');
    const value = new Raw({ x: 1, label: 'l', tag_name: Buffer.from('abc') });
    const encoded = codec.encode(value);
    assert.equal(encoded.toString('hex'), codec.avroType.toBuffer({ x: 1, label: 'l', tag_name: { bytes: Buffer.from('abc') } }).toString('hex'));
    const decoded = codec.decode(encoded) as unknown as Record<string, Buffer>;
    encoded.fill(0);
    assert.equal(decoded['tag_name']?.toString(), 'abc');
  });

  test('requireAbi accepts this ABI and rejects others with FG_CODEGEN_ABI', () => {
    assert.equal(fg.GENERATED_ABI, 1);
    fg.requireAbi(1, 'x.Y');
    assert.throws(() => fg.requireAbi(2, 'x.Y'), (e: unknown) => FaustgenError.hasCode(e, 'FG_CODEGEN_ABI') && /x\.Y was generated for codegen ABI 2/.test(e.message));
  });
});

describe('codegen SPI: keys that are prototype names', () => {
  test('JSON maps keep __proto__ and constructor as own keys both ways', () => {
    const codec = fg.jsonCodec<Record<string, number>>({ k: 'map', values: { k: 'int' } }, 'map');
    const decoded = codec.decode(Buffer.from('{"__proto__": 1, "constructor": 2}'));
    assert.deepEqual(Object.keys(decoded), ['__proto__', 'constructor']);
    assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
    assert.equal(codec.encode(decoded).toString('utf8'), '{"__proto__":1,"constructor":2}');
  });

  test('the Avro codec refuses a __proto__ map key instead of losing it', () => {
    const codec = fg.avroCodec<Record<string, number>>({ k: 'map', values: { k: 'int' } }, { type: 'map', values: 'int' }, 'map');
    const value = JSON.parse('{"__proto__": 1, "constructor": 2}') as Record<string, number>;
    assert.throws(() => codec.encode(value), (e: unknown) => FaustgenError.hasCode(e, 'FG_ENCODE') && /__proto__/.test(e.message));
    assert.deepEqual(codec.decode(codec.encode({ constructor: 2 })), { constructor: 2 });
  });
});
