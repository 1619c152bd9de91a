/**
 * The stateless workload's records as Avro models, written as `faustgen codegen` writes them for
 * these schemas (class + `defineRecord`, `avroSchemaPart`, `avroCodec`), so the benchmark measures
 * the runtime a generated app runs.
 */
import * as $fg from 'faustgen/codegen';
import type { EnrichedPayment, Payment } from '../stateless/records.js';

export class AvroPayment implements Payment {
  static readonly model: $fg.RecordModel<AvroPayment> = $fg.defineRecord<AvroPayment>({
    name: 'bench.Payment',
    aliases: [],
    extra: 'allow',
    metadata: true,
    ctor: () => AvroPayment,
    fields: [
      { name: 'id', type: { k: 'long' } },
      { name: 'user', type: { k: 'string' } },
      { name: 'amount', type: { k: 'double' } },
      { name: 'currency', type: { k: 'string' } },
      { name: 'ts', type: { k: 'long' } },
      { name: 'sentAt', type: { k: 'long' } },
      { name: 'note', type: { k: 'string' } },
    ],
  });

  readonly id: number;
  readonly user: string;
  readonly amount: number;
  readonly currency: string;
  readonly ts: number;
  readonly sentAt: number;
  readonly note: string;

  constructor(fields: Payment) {
    this.id = fields.id;
    this.user = fields.user;
    this.amount = fields.amount;
    this.currency = fields.currency;
    this.ts = fields.ts;
    this.sentAt = fields.sentAt;
    this.note = fields.note;
  }
}

const paymentFields = [
  { name: 'id', type: 'long' },
  { name: 'user', type: 'string' },
  { name: 'amount', type: 'double' },
  { name: 'currency', type: 'string' },
  { name: 'ts', type: 'long' },
  { name: 'sentAt', type: 'long' },
  { name: 'note', type: 'string' },
];

export const PaymentAvroSchema: $fg.AvroSchemaPart = $fg.avroSchemaPart('bench.Payment', { type: 'record', name: 'bench.Payment', fields: paymentFields }, () => []);
export const PaymentAvroCodec: $fg.AvroModelCodec<AvroPayment> = $fg.avroCodec<AvroPayment>(AvroPayment.model, PaymentAvroSchema, 'bench.Payment');

export class AvroEnrichedPayment implements EnrichedPayment {
  static readonly model: $fg.RecordModel<AvroEnrichedPayment> = $fg.defineRecord<AvroEnrichedPayment>({
    name: 'bench.EnrichedPayment',
    aliases: [],
    extra: 'allow',
    metadata: true,
    ctor: () => AvroEnrichedPayment,
    fields: [
      { name: 'id', type: { k: 'long' } },
      { name: 'user', type: { k: 'string' } },
      { name: 'amount', type: { k: 'double' } },
      { name: 'currency', type: { k: 'string' } },
      { name: 'ts', type: { k: 'long' } },
      { name: 'sentAt', type: { k: 'long' } },
      { name: 'note', type: { k: 'string' } },
      { name: 'amountCents', type: { k: 'long' } },
      { name: 'large', type: { k: 'boolean' } },
    ],
  });

  readonly id: number;
  readonly user: string;
  readonly amount: number;
  readonly currency: string;
  readonly ts: number;
  readonly sentAt: number;
  readonly note: string;
  readonly amountCents: number;
  readonly large: boolean;

  constructor(fields: EnrichedPayment) {
    this.id = fields.id;
    this.user = fields.user;
    this.amount = fields.amount;
    this.currency = fields.currency;
    this.ts = fields.ts;
    this.sentAt = fields.sentAt;
    this.note = fields.note;
    this.amountCents = fields.amountCents;
    this.large = fields.large;
  }
}

export const EnrichedPaymentAvroSchema: $fg.AvroSchemaPart = $fg.avroSchemaPart(
  'bench.EnrichedPayment',
  { type: 'record', name: 'bench.EnrichedPayment', fields: [...paymentFields, { name: 'amountCents', type: 'long' }, { name: 'large', type: 'boolean' }] },
  () => [],
);
export const EnrichedPaymentAvroCodec: $fg.AvroModelCodec<AvroEnrichedPayment> = $fg.avroCodec<AvroEnrichedPayment>(AvroEnrichedPayment.model, EnrichedPaymentAvroSchema, 'bench.EnrichedPayment');
