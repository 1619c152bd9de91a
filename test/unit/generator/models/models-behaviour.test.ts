import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Codec } from '../../../../runtime/src/types/codec.js';
import { generateModels } from '../../../../generator/src/models/index.js';
import { fixtureFiles, generateProject, outDir, repoRoot } from './harness.js';
import type { GeneratedProject } from './harness.js';

type Ctor = new (fields: Record<string, unknown>) => Record<string, unknown>;
const allFixtures = [...fixtureFiles('avro', /\.avsc$/), ...fixtureFiles('jsonschema', /\.schema\.json$/)];
let project: GeneratedProject;

before(async () => {
  project = await generateProject(allFixtures);
  assert.deepEqual(project.result.diagnostics, []);
});
after(() => project.cleanup());

const injected = 'quote " backtick ` dollar ${x} close */ line\nsep \u2028 end';

describe('Avro defaults', () => {
  test('the constructor fills every default in model form', async () => {
    const { Defaults } = await project.load<{ Defaults: Ctor }>('models/com/acme/defaults/defaults.ts');
    const { Inner } = await project.load<{ Inner: Ctor }>('models/com/acme/defaults/inner.ts');
    const { Plain } = await project.load<{ Plain: Ctor }>('models/plain.ts');
    const d = new Defaults({});
    assert.equal(d['count'], 7);
    assert.equal(d['big'], 9007199254740990);
    assert.equal(d['ratio'], 0.5);
    assert.equal(d['label'], injected);
    assert.equal(d['flag'], true);
    assert.deepEqual(d['raw'], Buffer.from([0, 255, 16]));
    assert.deepEqual(d['tags'], ['a', 'b']);
    assert.ok(Object.hasOwn(d['weights'] as object, 'constructor'));
    assert.equal((d['weights'] as Record<string, number>)['x'], 1.5);
    assert.equal(d['level'], 'HIGH');
    assert.ok(d['inner'] instanceof Inner);
    assert.deepEqual({ ...(d['inner'] as object) }, { a: 1, b: 'bee' });
    assert.equal(d['maybe'], null);
    assert.equal(d['preferInt'], 3);
    assert.equal(d['day'], '2024-01-01');
    assert.equal(d['at'], '2024-01-02T03:04:05.123456Z');
    assert.equal(d['price'], '12.34');
    assert.deepEqual(d['code'], Buffer.from('AB'));
    assert.deepEqual(d['window'], { months: 1, days: 2, millis: 3 });
    assert.ok(d['noNamespace'] instanceof Plain);
    assert.notEqual(new Defaults({})['tags'], d['tags'], 'each instance gets its own default array');
  });

  test('JSON decode fills absent fields with defaults; both codecs round-trip them', async () => {
    const m = await project.load<{ Defaults: Ctor; DefaultsJsonCodec: Codec<unknown>; DefaultsAvroCodec: Codec<unknown> }>('models/com/acme/defaults/defaults.ts');
    const fromEmpty = m.DefaultsJsonCodec.decode(Buffer.from('{}'));
    assert.deepEqual(fromEmpty, new m.Defaults({}));
    assert.deepEqual(m.DefaultsAvroCodec.decode(m.DefaultsAvroCodec.encode(fromEmpty)), fromEmpty);
  });
});

describe('unions of records in JSON', () => {
  test('__faust.ns picks the record branch, even when the payload would also fit another', async () => {
    const { Order, OrderJsonCodec } = await project.load<{ Order: Ctor; OrderJsonCodec: Codec<Record<string, unknown>> }>('models/com/acme/order.ts');
    const { BankPayment } = await project.load<{ BankPayment: Ctor }>('models/com/acme/bank-payment.ts');
    const { CardPayment } = await project.load<{ CardPayment: Ctor }>('models/com/acme/card-payment.ts');
    const { Customer } = await project.load<{ Customer: Ctor }>('models/com/acme/customer.ts');
    const order = new Order({
      id: '123e4567-e89b-12d3-a456-426614174000',
      customer: new Customer({ id: 1, name: 'c' }),
      items: [],
      total: '10.00',
      placedAt: '2024-01-02T03:04:05.123Z',
      checksum: Buffer.alloc(16),
      payload: Buffer.from('hi'),
      weight: 1,
      score: 2,
      payment: new BankPayment({ reference: 'r', iban: 'NL00' }),
    });
    const json = JSON.parse(OrderJsonCodec.encode(order).toString('utf8')) as Record<string, Record<string, unknown>>;
    assert.deepEqual(json['payment'], { reference: 'r', iban: 'NL00', __faust: { ns: 'com.acme.BankPayment' } });
    assert.deepEqual(json['customer']?.['__faust'], { ns: 'com.acme.Customer' });
    // A payload that has the fields of both records: the namespace decides.
    json['payment'] = { reference: 'r', iban: 'NL00', last4: '1234', __faust: { ns: 'com.acme.BankPayment' } };
    assert.ok(OrderJsonCodec.decode(Buffer.from(JSON.stringify(json)))['payment'] instanceof BankPayment);
    json['payment'] = { reference: 'r', iban: 'NL00', last4: '1234' };
    assert.ok(OrderJsonCodec.decode(Buffer.from(JSON.stringify(json)))['payment'] instanceof CardPayment, 'without a namespace the first branch that fits wins');
  });
});

describe('injection fixtures', () => {
  test('docs cannot close comments, strings stay strings, names are quoted', () => {
    const avro = [...project.result.files.values()].find((f) => f.path.endsWith('inject/tricky.ts'))?.content ?? '';
    assert.doesNotMatch(avro, /\*\/ export const pwned/);
    assert.match(avro, /Ends early\? \*\\\/ export const pwned = true;/);
    assert.match(avro, / \* \\@deprecated not really/);
    assert.match(avro, /"\*\/ pwned\(\); \/\*"/, 'a default containing */ stays inside a string literal');
    const json = [...project.result.files.values()].find((f) => f.path.endsWith('models/evil-name-x.ts'))?.content ?? '';
    assert.match(json, /export class EvilNameX \{/);
    for (const key of ['"it\'s"', '"back`tick"', '"${dollar}"', '"*/ comment"', '"with space"', '"kebab-case"', '"123start"']) {
      assert.ok(json.includes(`readonly ${key}`), `missing quoted property ${key}`);
    }
    assert.match(json, /readonly class: /);
    assert.match(json, /readonly delete\?: number;/);
  });

  test('loading the modules runs nothing from the schemas', async () => {
    const { Tricky, TrickyJsonCodec } = await project.load<{ Tricky: Ctor; TrickyJsonCodec: Codec<unknown> }>('models/com/acme/inject/tricky.ts');
    await project.load('models/evil-name-x.ts');
    assert.equal((globalThis as Record<string, unknown>)['pwned'], undefined);
    const t = new Tricky({ class: 'c', default: 'in' });
    assert.equal(t['model'], '*/ pwned(); /*');
    assert.equal(t['validate'], '${globalThis.pwned = 1}');
    assert.deepEqual(TrickyJsonCodec.decode(TrickyJsonCodec.encode(t)), t);
  });
});

describe('model catalog', () => {
  test('entries carry names, modules, codecs, kinds, fields and source locations', () => {
    const { catalog } = project.result;
    const order = catalog.lookup('com.acme.Order');
    assert.equal(order?.className, 'Order');
    assert.equal(order?.modulePath, 'models/com/acme/order.js');
    assert.deepEqual(order?.codecs, { json: 'OrderJsonCodec', avro: 'OrderAvroCodec' });
    assert.equal(order?.kind, 'record');
    assert.deepEqual(order?.location, { file: 'test/fixtures/schemas/avro/order.avsc', line: 1, column: 1, pointer: '' });
    assert.deepEqual(order?.fields.find((f) => f.name === 'payment'), { name: 'payment', tsType: 'null | CardPayment | BankPayment', optional: false });
    assert.equal(catalog.lookup('Order'), order, 'short name when unambiguous');
    assert.equal(catalog.lookup('com.acme.Client')?.fullName, 'com.acme.Customer', 'Avro alias');
    assert.equal(catalog.lookup('com.acme.OrderStatus')?.kind, 'enum');
    assert.equal(catalog.lookup('com.acme.Md5')?.kind, 'fixed');
    assert.equal(catalog.lookup('Shape')?.kind, 'union');
    assert.equal(catalog.lookup('Shape.Point')?.kind, 'alias');
    assert.equal(catalog.lookup('com.acme.people.Person')?.fields.find((f) => f.name === 'email')?.optional, true);
    assert.equal(catalog.lookup('com.acme.people.Person')?.doc, 'A person (draft-07).');
    assert.equal(catalog.lookup('Person.Phone'), undefined);
    assert.equal(catalog.lookup('com.acme.people.Person.Phone')?.location.line, 35);
    assert.equal(catalog.lookup('nope'), undefined);
    assert.equal(catalog.lookup('Item'), undefined, 'a short name two models share is ambiguous');
    assert.equal(catalog.lookup('com.acme.a.Item')?.modulePath, 'models/com/acme/a/item.js');
  });

  test('progress is reported once per schema file', async () => {
    const seen: [number, number][] = [];
    await generateModels({ schemaFiles: allFixtures, projectRoot: repoRoot, outDir }, (done, total) => seen.push([done, total]));
    assert.deepEqual(seen, allFixtures.map((_, i) => [i + 1, allFixtures.length]));
  });
});
