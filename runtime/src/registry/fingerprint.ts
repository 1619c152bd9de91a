/**
 * CRC-64-AVRO, the Rabin fingerprint the Avro specification defines for schema fingerprints (and
 * that single-object encoding carries), over the schema's Parsing Canonical Form.
 */
const EMPTY = 0xc15d213aa4d7a795n;
const MASK = 0xffffffffffffffffn;

let table: readonly bigint[] | undefined;

function fingerprintTable(): readonly bigint[] {
  if (table !== undefined) return table;
  const built: bigint[] = [];
  for (let i = 0n; i < 256n; i++) {
    let fp = i;
    for (let bit = 0; bit < 8; bit++) fp = (fp >> 1n) ^ ((fp & 1n) === 1n ? EMPTY : 0n);
    built.push(fp);
  }
  table = built;
  return built;
}

/** The unsigned 64-bit CRC-64-AVRO of `text`'s UTF-8 bytes. */
export function crc64Avro(text: string): bigint {
  const lookup = fingerprintTable();
  let fp = EMPTY;
  for (const byte of Buffer.from(text, 'utf8')) fp = ((fp >> 8n) ^ (lookup[Number((fp ^ BigInt(byte)) & 0xffn)] ?? 0n)) & MASK;
  return fp;
}

/** The 8 bytes single-object encoding carries: the fingerprint, little-endian. */
export function fingerprintBytes(fp: bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(fp);
  return bytes;
}
