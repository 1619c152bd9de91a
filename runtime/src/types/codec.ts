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
}
