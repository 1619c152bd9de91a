/** A codec turns typed values into bytes and back; every topic has one for keys and one for values. */
export interface Codec<T> {
  /** Name used in settings and logs, e.g. `json`, `raw`, `string`, `avro:com.acme.Order`. */
  readonly name: string;
  encode(value: T): Buffer;
  decode(bytes: Buffer): T;
  /**
   * Codecs that need something asynchronous before `encode` can run (a schema registry id) return
   * a promise until it is ready, then undefined. Topics wait for it before encoding.
   */
  prepareEncode?(): Promise<void> | undefined;
  /**
   * Codecs that need something asynchronous before `decode(bytes)` can run (the writer schema of a
   * registry-framed record) return a promise until it is ready, then undefined. Agents wait for it
   * (keeping the partition's order); a rejection goes through the agent's error policy.
   */
  prepareDecode?(bytes: Buffer): Promise<void> | undefined;
  /**
   * The one encoding of the value `bytes` hold, for codecs whose format admits several spellings of
   * one value (JSON written by Python's stdlib escapes non-ASCII, orjson does not). Tables apply it
   * to keys read from a changelog, so a key another writer spelled differently is still found.
   * Bytes it cannot decode are returned as they are.
   */
  canonical?(bytes: Buffer): Buffer;
  /**
   * The message-key bytes a producer of the same logical key sends, when a table stores keys in
   * another form than topics carry them (Faust's JSON `"k"` table keys of raw `k` topic keys).
   * Tables place and route keys by it; undefined: the encoded key itself.
   */
  placementKey?(encoded: Buffer): Buffer;
}
