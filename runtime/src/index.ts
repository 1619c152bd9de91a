/**
 * faustgen runtime: Faust's stream processing for TypeScript.
 * @example
 * const app = createApp({ id: 'greetings' });
 * const greetings = app.topic('greetings', { key: codecs.string, value: codecs.json<{ name: string }>() });
 * app.agent('greet', { source: greetings }, async (stream) => {
 *   for await (const greeting of stream) console.log(`hello ${greeting.name}`);
 * });
 * await runWorker(app);
 */
export { App, createApp, type AgentDefinition, type AppOptions, type TableDefinitionOptions, type TopicOptions, type WindowedTableDefinition } from './app/app.js';
export { BROKER_URL_SCHEMES, KAFKA_URL_SCHEMES, isBrokerUrlScheme, type KafkaClientChoice, type KafkaClientName } from './app/broker-schemes.js';
export { parseBrokerUrl, parseStoreUrl, settingsFromEnv, resolveSettings, type AppSettings, type AppSettingsInput, type BrokerUrl, type ProcessingGuarantee, type StoreUrl } from './app/settings.js';
export { parseCron, type CronSchedule } from './app/cron.js';
export type { PageHandler, PageRequest, PageResponse, PageOptions, PageMethod } from './web/server.js';
export { SensorSet, type Sensor, type TableOperation } from './sensors/sensor.js';
export { PrometheusMonitor } from './sensors/prometheus.js';
export { Agent, type AgentHandler, type Sink } from './agents/agent.js';
export type { ErrorPolicy } from './agents/error-policy.js';
export { REPLY_TO_HEADER, CORRELATION_HEADER } from './agents/rpc.js';
export { Stream } from './streams/stream.js';
export { Event } from './streams/event.js';
export { currentEvent } from './streams/current.js';
export { Topic, type TopicMessage } from './topics/topic.js';
export { Channel } from './topics/channel.js';
export { Table } from './tables/table.js';
export { SetTable } from './tables/set-table.js';
export { WindowedTable, type RelativeTo, type WindowCloseHandler } from './tables/windowed-table.js';
export { tumbling, hopping, sliding, rangesFor, type WindowSpec, type WindowRange } from './windows/window.js';
export { codecs, jsonCodec, rawCodec, stringCodec, type CodecLike } from './serde/codecs.js';
export { faustCodecs, faustJsonString, faustTableKey, faustJsonText } from './serde/faust.js';
export type { Codec } from './types/codec.js';
export { FaustgenError, errorCodes, type ErrorCode, type ErrorKind } from './core/errors.js';
export { createLogger, type Logger, type LogLevel } from './core/logger.js';
export { ManualClock, systemClock, type Clock } from './core/clock.js';
export { murmur2, partitionForKey } from './transport/partitioner.js';
export { runWorker, EXIT, type WorkerOptions } from './worker.js';
export type { ConsumedRecord, Headers, RecordMetadata, TopicPartition, Transport } from './types/transport.js';
export type { StalledPartition } from './app/stall-watcher.js';
export {
  SchemaRegistryClient,
  registryAuthFromEnv,
  registryAvro,
  registryAvroCodec,
  registryJsonSchema,
  registryJsonSchemaCodec,
  schemaRegistryOf,
  singleObjectAvroCodec,
  crc64Avro,
  subjectName,
  frame as registryFrame,
  schemaIdOf,
  type RegistryAuth,
  type RegistryCodecOptions,
  type RegistryHost,
  type RegistryTarget,
  type SubjectNameStrategy,
  type SchemaType,
} from './registry/index.js';
