export { KafkaTransport, createKafkaTransport } from './transport.js';
export { parseKafkaUrl, DEFAULT_KAFKA_PORT } from './url.js';
export {
  resolveKafkaOptions,
  defaultConsumerOptions,
  defaultProducerOptions,
  type KafkaDriverOptions,
  type KafkaDriverSettings,
  type KafkaConsumerOptions,
  type KafkaProducerOptions,
  type KafkaSaslOptions,
  type KafkaSaslMechanism,
  type KafkaLogLevel,
} from './config.js';
