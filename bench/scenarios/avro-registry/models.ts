/**
 * The stateless workload's records as Avro models, generated at bench start from
 * `bench/schemas/avro-registry/*.avsc` by the real generator, so the benchmark measures the code a
 * generated app runs (and never a hand-written copy of it).
 */
import type { AvroModelCodec } from 'faustgen/codegen';
import { benchSchema, generateBenchModels, type GeneratedModels } from '../../lib/generated-models.js';
import type { EnrichedPayment, Payment } from '../stateless/records.js';

export interface PaymentCodecs {
  readonly payment: AvroModelCodec<Payment>;
  readonly enriched: AvroModelCodec<EnrichedPayment>;
  /** Removes the generated folder. */
  readonly cleanup: GeneratedModels['cleanup'];
}

export async function generatePaymentCodecs(): Promise<PaymentCodecs> {
  const models = await generateBenchModels([benchSchema('avro-registry/payment.avsc'), benchSchema('avro-registry/enriched-payment.avsc')]);
  try {
    const payment = await models.load(models.modulePath('bench.Payment'));
    const enriched = await models.load(models.modulePath('bench.EnrichedPayment'));
    return {
      // The generated classes' fields are exactly these interfaces (same names and types).
      payment: payment['PaymentAvroCodec'] as AvroModelCodec<Payment>,
      enriched: enriched['EnrichedPaymentAvroCodec'] as AvroModelCodec<EnrichedPayment>,
      cleanup: models.cleanup,
    };
  } catch (error) {
    models.cleanup();
    throw error;
  }
}
