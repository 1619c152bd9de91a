/** A codec turns typed values into bytes and back; every topic has one for keys and one for values. */
export interface Codec<T> {
  /** Name used in settings and logs, e.g. `json`, `raw`, `string`, `avro:com.acme.Order`. */
  readonly name: string;
  encode(value: T): Buffer;
  decode(bytes: Buffer): T;
}
