import { FaustgenError } from '../core/errors.js';
import type { Codec } from '../types/codec.js';

/**
 * Codecs that write and read keys and values exactly as Python Faust's default serializers do
 * (docs/faust-interop.md has the rules and the wire formats):
 * - topic keys use Faust's `raw` key serializer: a str key is its UTF-8 bytes (faustgen's `string`);
 * - topic values and table keys and values use Faust's `json` serializer: a str is a JSON string,
 *   `"hello"` with the quotes; records are JSON with `"__faust": {"ns": ...}` (generated models'
 *   JSON codecs write that already).
 * Text is written as Python's stdlib `json.dumps` writes it (`ensure_ascii`: every character outside
 * printable ASCII as a lowercase `\uXXXX` escape), the serializer a plain `pip install faust`
 * uses; anything a JSON parser accepts is read, orjson's raw UTF-8 included.
 */

const nonAscii = /[\u007f-\uffff]/g;

/** JSON text with Python's `ensure_ascii` escapes; JSON.stringify already escapes controls and lone surrogates as Python does. */
export function faustJsonText(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new FaustgenError('FG_ENCODE', `value of type ${typeof value} cannot be encoded as JSON`);
  return text.replace(nonAscii, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function parseJson(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new FaustgenError('FG_DECODE', `${what}: invalid JSON (${(error as Error).message}); Faust's json serializer writes a str as "text" with quotes`, {
      cause: error,
      details: { length: bytes.length },
    });
  }
}

function decodeString(bytes: Buffer): string {
  const parsed = parseJson(bytes, 'faust-json:string');
  if (typeof parsed !== 'string') throw new FaustgenError('FG_DECODE', `faust-json:string: expected a JSON string, got ${parsed === null ? 'null' : typeof parsed}`);
  return parsed;
}

function encodeString(value: string): Buffer {
  if (typeof value !== 'string') throw new FaustgenError('FG_ENCODE', `faust-json:string: expected a string, got ${typeof value}`);
  return Buffer.from(faustJsonText(value), 'utf8');
}

/** The canonical spelling of `bytes` under `codec` (decode, then encode); undecodable bytes stay as they are. */
function canonicalOf<T>(codec: Codec<T>, bytes: Buffer): Buffer {
  let decoded: T;
  try {
    decoded = codec.decode(bytes);
  } catch {
    return bytes;
  }
  const encoded = codec.encode(decoded);
  return encoded.equals(bytes) ? bytes : encoded;
}

/** A str as Faust's `json` serializer writes it (topic values, table keys and values): `"hello"`. */
export const faustJsonString: Codec<string> = {
  name: 'faust-json:string',
  encode: encodeString,
  decode: decodeString,
  canonical: (bytes) => canonicalOf(faustJsonString, bytes),
  // The topic carries the same key raw (Faust's default key serializer): `"k"` in the table is `k` there.
  placementKey: (encoded) => {
    try {
      return Buffer.from(decodeString(encoded), 'utf8');
    } catch {
      return encoded;
    }
  },
};

/**
 * A table key codec for a Faust changelog: keys read from the changelog are re-spelled canonically
 * (a record key Faust wrote with `", "` separators or `\u00e9` escapes is the key faustgen encodes).
 */
export function faustTableKey<T>(codec: Codec<T>): Codec<T> {
  if (codec.canonical !== undefined) return codec;
  const wrapped: Codec<T> = {
    name: `faust-key:${codec.name}`,
    encode: (value) => codec.encode(value),
    decode: (bytes) => codec.decode(bytes),
    canonical: (bytes) => canonicalOf(wrapped, bytes),
    ...(codec.placementKey === undefined ? {} : { placementKey: codec.placementKey.bind(codec) }),
  };
  return wrapped;
}

/** The codecs generated code uses under `faustCompat` (see docs/faust-interop.md). */
export const faustCodecs = {
  string: faustJsonString,
  tableKey: faustTableKey,
} as const;
