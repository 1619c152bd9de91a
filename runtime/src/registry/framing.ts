import { FaustgenError } from '../core/errors.js';

/** Byte 0 of every registry-framed key or value. */
export const MAGIC_BYTE = 0;
export const HEADER_LENGTH = 5;

/** `0x00`, the schema id as a big-endian int32, then the payload (Avro binary or UTF-8 JSON). */
export function frame(schemaId: number, payload: Buffer): Buffer {
  const framed = Buffer.allocUnsafe(HEADER_LENGTH + payload.length);
  framed[0] = MAGIC_BYTE;
  framed.writeInt32BE(schemaId, 1);
  payload.copy(framed, HEADER_LENGTH);
  return framed;
}

/** The schema id of framed bytes; FG_SCHEMA_FRAMING when they are too short or the magic byte is wrong. */
export function schemaIdOf(bytes: Buffer): number {
  if (bytes.length < HEADER_LENGTH || bytes[0] !== MAGIC_BYTE) {
    throw new FaustgenError('FG_SCHEMA_FRAMING', `not in the schema registry wire format: ${bytes.length < HEADER_LENGTH ? `only ${bytes.length} bytes` : `magic byte is ${String(bytes[0])}, expected 0`}`, {
      details: { length: bytes.length },
    });
  }
  return bytes.readInt32BE(1);
}

/** The payload after the 5-byte header (a view, no copy). */
export function payloadOf(bytes: Buffer): Buffer {
  return bytes.subarray(HEADER_LENGTH);
}
