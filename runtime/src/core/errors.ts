/**
 * One error taxonomy for the whole runtime and generator.
 *
 * Every error faustgen raises carries a stable `code` from {@link errorCodes} and a `kind` that tells
 * a user mistake apart from a transport fault or a bug in faustgen itself, so that the CLI can print
 * one readable line for user errors and a stack trace only for internal ones. Transport errors
 * (kafkajs, RocksDB) are wrapped at the edge with their original as `cause`.
 */

export const errorCodes = {
  // Settings and configuration (user errors).
  FG_SETTING_INVALID: 'A setting has an invalid value.',
  FG_BROKER_URL_INVALID: 'The broker URL cannot be parsed or names an unknown transport.',
  FG_STORE_URL_INVALID: 'The store URL cannot be parsed or names an unknown store.',
  FG_CODEC_UNKNOWN: 'A key or value serializer names a codec that is not registered.',
  FG_DUPLICATE_NAME: 'Two agents, tables, topics or timers share one name.',
  FG_APP_STATE: 'An operation was called in an application state that does not allow it.',
  // Data errors: bad bytes or values on the wire.
  FG_DECODE: 'A key or value could not be decoded with the topic codec.',
  FG_ENCODE: 'A key or value could not be encoded with the topic codec.',
  FG_VALIDATION: 'A record does not satisfy its schema.',
  // Processing.
  FG_AGENT_FAILED: 'An agent handler threw and its error policy stopped the worker.',
  FG_ASK_TIMEOUT: 'An ask() got no reply within its timeout.',
  FG_TABLE_CONTEXT: 'A table was written outside of stream processing without an explicit partition.',
  FG_TABLE_KEY_PARTITION: "A table was written, while processing an event, with a key that belongs on another partition than the event's (re-key the stream first).",
  FG_STREAM_STATE: 'A stream operator was used in a way it does not allow.',
  // Topics and transport.
  FG_TOPIC_PARTITIONS_MISMATCH: 'Co-partitioned topics have different partition counts.',
  FG_TOPIC_MISSING: 'A topic does not exist and is not one faustgen creates.',
  FG_BROKER_UNREACHABLE: 'The broker could not be reached within the configured time.',
  FG_BROKER_AUTH: 'The broker refused the configured credentials (SASL authentication failed).',
  FG_TRANSPORT: 'The Kafka transport reported an error.',
  FG_STALLED: 'Assigned partitions with lag made no progress for the configured time.',
  FG_PARTITION_REVOKED: 'An output of an event was dropped because its partition moved to another worker, which processes the event again.',
  FG_FENCED: 'Another worker took over the partitions of this worker\'s transactional producer (a zombie was fenced).',
  FG_TRANSACTION_ABORTED: 'An output of an event was dropped because its transaction failed; the worker processes the event again from the committed offset.',
  FG_OUTPUT_DROPPED: 'An output of an event was dropped while the event could still be committed here: the worker gives its partitions up rather than commit past it (a bug in faustgen: please report it with the log).',
  // Stores and tables.
  FG_STORE: 'The table store reported an error.',
  FG_STORE_LOCKED: 'Another worker holds the lock on this data directory.',
  FG_STORE_OFFSET_AHEAD: 'The persisted changelog offset is beyond the end of the changelog topic.',
  FG_RECOVERY: 'Table recovery from the changelog failed.',
  // Schema Registry (runtime/src/registry/).
  FG_SCHEMA_REGISTRY_UNREACHABLE: 'The schema registry could not be reached (connection refused, timeout).',
  FG_SCHEMA_REGISTRY: 'The schema registry answered with an unexpected error.',
  FG_SCHEMA_UNKNOWN_ID: 'A registry-framed record names a schema id the registry does not know.',
  FG_SCHEMA_NOT_REGISTERED: "A producer's schema is not registered under its subject and auto-registration is off.",
  FG_SCHEMA_INCOMPATIBLE: "A writer schema cannot be resolved into the reader's (generated) schema.",
  FG_SCHEMA_FRAMING: 'A key or value is not in the registry wire format (magic byte 0, 4-byte schema id).',
  // Generator.
  FG_SCHEMA_INVALID: 'A schema or topology file is invalid.',
  FG_CODEGEN_STALE: 'Generated files are out of date with their inputs.',
  FG_TYPECHECK: 'The project does not type-check (faustgen worker checks before it starts).',
  FG_CODEGEN_ABI: 'Generated code was made for another runtime ABI version.',
  // Bugs.
  FG_INTERNAL: 'A bug in faustgen: please report it with the stack trace.',
} as const;

export type ErrorCode = keyof typeof errorCodes;

/** user: fix your input or config. data: a bad message or value. transport: broker/store I/O. internal: a bug. */
export type ErrorKind = 'user' | 'data' | 'transport' | 'internal';

export interface FaustgenErrorOptions {
  readonly kind?: ErrorKind;
  readonly retriable?: boolean;
  readonly cause?: unknown;
  /** Where the problem is: setting name, topic/partition/offset, file/line, JSON pointer. */
  readonly details?: Readonly<Record<string, unknown>>;
}

const brand = Symbol.for('faustgen.error');

const defaultKind: Partial<Record<ErrorCode, ErrorKind>> = {
  FG_DECODE: 'data',
  FG_ENCODE: 'data',
  FG_VALIDATION: 'data',
  FG_TRANSPORT: 'transport',
  FG_PARTITION_REVOKED: 'transport',
  FG_FENCED: 'transport',
  FG_TRANSACTION_ABORTED: 'transport',
  FG_BROKER_UNREACHABLE: 'transport',
  FG_STORE: 'transport',
  FG_STALLED: 'transport',
  FG_ASK_TIMEOUT: 'transport',
  FG_RECOVERY: 'transport',
  FG_SCHEMA_REGISTRY_UNREACHABLE: 'transport',
  FG_SCHEMA_REGISTRY: 'transport',
  FG_SCHEMA_UNKNOWN_ID: 'data',
  FG_SCHEMA_INCOMPATIBLE: 'data',
  FG_SCHEMA_FRAMING: 'data',
  FG_INTERNAL: 'internal',
  FG_AGENT_FAILED: 'data',
};

export class FaustgenError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly retriable: boolean;
  readonly details: Readonly<Record<string, unknown>>;
  readonly [brand] = true;

  constructor(code: ErrorCode, message: string, options: FaustgenErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FaustgenError';
    this.code = code;
    this.kind = options.kind ?? defaultKind[code] ?? 'user';
    this.retriable = options.retriable ?? false;
    this.details = options.details ?? {};
  }

  /** True for any FaustgenError, also one created by another copy of the package. */
  static is(value: unknown): value is FaustgenError {
    return typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true;
  }

  static hasCode(value: unknown, code: ErrorCode): value is FaustgenError {
    return FaustgenError.is(value) && value.code === code;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, kind: this.kind, message: this.message, details: this.details };
  }
}

/** For states the code believes impossible; always a bug in faustgen. */
export function internalError(message: string, details?: Record<string, unknown>): FaustgenError {
  return new FaustgenError('FG_INTERNAL', message, details === undefined ? { kind: 'internal' } : { kind: 'internal', details });
}

export function assertNever(value: never, what: string): never {
  throw internalError(`unexpected ${what}: ${String(value)}`);
}

/** Turns anything thrown into a message fit for a log line. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** True when `error` or one of its causes has `code`. */
/**
 * True for an output dropped because its event will be processed again, here or by the partition's
 * new owner (the partition moved, or the event's transaction failed): not a failure of the event.
 */
export function isAbandonedOutput(error: unknown): boolean {
  return hasErrorCode(error, 'FG_PARTITION_REVOKED') || hasErrorCode(error, 'FG_TRANSACTION_ABORTED');
}

export function hasErrorCode(error: unknown, code: ErrorCode): boolean {
  for (let current: unknown = error, depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    if (FaustgenError.is(current) && current.code === code) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
