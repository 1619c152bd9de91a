/**
 * faustgen/codegen — the SPI that generated model modules import. Not for application code: its
 * shape follows the generator and may change with {@link GENERATED_ABI}.
 *
 * @example
 * // in a generated module
 * import * as $fg from 'faustgen/codegen';
 * $fg.requireAbi(1, 'com.acme.Order');
 */
export { GENERATED_ABI, requireAbi } from './abi.js';
export type * from './descriptors.js';
export { deref } from './descriptors.js';
export type { ValidationIssue } from './issues.js';
export { checkValue } from './check.js';
export { toJsonValue, fromJsonValue, FAUST_METADATA_KEY } from './json.js';
export { toAvroValue, fromAvroValue, avroBranchName } from './avro-convert.js';
export { modelLogicalTypes, buildAvroType } from './avro-logical-types.js';
export { defineRecord } from './record-model.js';
export type { RecordModel, RecordSpec } from './record-model.js';
export { jsonCodec, avroCodec } from './codecs.js';
export { AvroSchemaPart, avroSchemaPart, assembleAvroSchema } from './avro-schema.js';
export type { ModelCodec, AvroModelCodec } from './codecs.js';
export type { Codec } from '../types/codec.js';
export { issuesError } from './errors.js';
export * as logical from './logical.js';

/** Bytes from base64, for `bytes`/`fixed` defaults in generated constructors. */
export function bytesFromBase64(base64: string): Buffer {
  return Buffer.from(base64, 'base64');
}
