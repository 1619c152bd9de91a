/**
 * The topology IR: what `faustgen.yaml` declares, after shape checks and name normalisation.
 * Every entity keeps the JSON pointer of its declaration so later checks (type references against the
 * model catalog, emitters) can report where a problem is.
 */

export const primitiveTypes = ['string', 'bytes', 'int', 'long', 'float', 'double', 'boolean', 'json'] as const;
export type PrimitiveType = (typeof primitiveTypes)[number];

export type TypeRef =
  | { readonly kind: 'primitive'; readonly name: PrimitiveType }
  | { readonly kind: 'model'; readonly name: string }
  | { readonly kind: 'array'; readonly of: TypeRef };

/** A type as written in the topology, with the place it was written. */
export interface TypeUse {
  readonly ref: TypeRef;
  readonly text: string;
  readonly pointer: string;
}

/** A reference by name to another entity of the topology. */
export interface NameRef {
  readonly name: string;
  readonly pointer: string;
}

export interface SecuritySettings {
  readonly protocol?: 'plaintext' | 'ssl' | 'sasl_plaintext' | 'sasl_ssl';
  readonly ssl?: { readonly ca?: string; readonly cert?: string; readonly key?: string; readonly rejectUnauthorized?: boolean };
  readonly sasl?: { readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512' | 'oauthbearer'; readonly username?: string };
}

export interface Settings {
  readonly id: string;
  readonly broker: string;
  readonly store: string;
  readonly datadir?: string;
  readonly topicPartitions?: number;
  readonly topicReplicationFactor?: number;
  readonly commitIntervalMs?: number;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly rebalanceTimeoutMs?: number;
  /** At-least-once: most unacknowledged records in the producer before events wait. */
  readonly maxOutputsInFlight?: number;
  /** Unsent changelog writes kept per table partition until the commit (0: none). */
  readonly changelogBufferSize?: number;
  readonly webPort?: number;
  readonly webEnabled?: boolean;
  /** Address the worker's web server binds (default 127.0.0.1). */
  readonly webHost?: string;
  /** TLS and SASL for kafka:// (secrets come from FAUSTGEN_KAFKA_* variables). */
  readonly security?: SecuritySettings;
  readonly logLevel?: string;
  readonly processingGuarantee?: 'at_least_once' | 'exactly_once';
  /** `schemaRegistry.url`; credentials are never in the topology (environment only). */
  readonly schemaRegistryUrl?: string;
  readonly schemaRegistryAutoRegister?: boolean;
  /** Keys and values as Python Faust's default serializers write them (docs/faust-interop.md). */
  readonly faustCompat?: boolean;
}

export interface Paths {
  /** Globs or directories, relative to the topology file. */
  readonly schemas: readonly string[];
  /** Folder of always-regenerated files, relative to the project root. */
  readonly output: string;
  /** Folder of user-owned handler modules, relative to the project root. */
  readonly handlers: string;
  /** Folder of user-owned test stubs, relative to the project root. */
  readonly tests: string;
}

interface Named {
  /** The name as written (topic name, agent name...). */
  readonly name: string;
  /** camelCase TypeScript identifier derived from the name. */
  readonly id: string;
  readonly pointer: string;
}

/** Which parts of a topic's records carry Schema Registry framing, and how their subjects are named. */
export interface TopicRegistrySpec {
  readonly key: boolean;
  readonly value: boolean;
  readonly subjectStrategy: 'topic' | 'record' | 'topic-record';
  readonly pointer: string;
}

/**
 * Evolution without a registry: values in Avro single-object encoding, read from the current schema
 * or any of the older versions kept in files (`avro: { history: [files] }`).
 */
export interface TopicAvroSpec {
  readonly framing: 'single-object';
  /** Older writer schema files as written, relative to the topology file, each with its pointer. */
  readonly history: readonly { readonly path: string; readonly pointer: string }[];
  /** The history schemas as compact JSON, once codegen has read and checked the files. */
  readonly writers?: readonly string[];
  readonly pointer: string;
}

export interface TopicSpec extends Named {
  readonly key: TypeUse;
  readonly value: TypeUse;
  /** Registry framing (`registry: true` frames values; `{ key, value, subjectStrategy }` for more). */
  readonly registry?: TopicRegistrySpec;
  /** Avro single-object encoding of the value with older writer schemas from files. */
  readonly avro?: TopicAvroSpec;
  readonly partitions?: number;
  readonly replication?: number;
  readonly configs: Readonly<Record<string, string>>;
  /** Explicit `faustCompat:` of the topic; absent: the app-wide setting. */
  readonly faustCompat?: boolean;
}

export interface ChannelSpec extends Named {
  readonly key: TypeUse;
  readonly value: TypeUse;
}

export type ErrorPolicy = 'crash' | 'restart' | 'skip' | { readonly deadLetter: NameRef };

export interface GroupBySpec {
  readonly field: string;
  /** Name of the repartition, defaults to the field name. */
  readonly name: string;
  readonly pointer: string;
}

/** What a handler may reach through its context, beyond its own source. */
export interface Uses {
  readonly topics: readonly NameRef[];
  readonly tables: readonly NameRef[];
  readonly agents: readonly NameRef[];
}

export interface AgentSpec extends Named, Uses {
  /** PascalCase stem of the generated handler and context types. */
  readonly typeName: string;
  readonly source?: { readonly kind: 'topic' | 'channel' } & NameRef;
  /** Key and value types of the agent's own topic when it has no source. */
  readonly key?: TypeUse;
  readonly value?: TypeUse;
  readonly concurrency?: number;
  readonly sinks: readonly (NameRef & { readonly kind?: 'topic' | 'agent' })[];
  readonly groupBy?: GroupBySpec;
  readonly yields?: TypeUse;
  readonly onError?: ErrorPolicy;
}

export type TableDefault =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'emptyArray' }
  | { readonly kind: 'emptyObject' }
  | { readonly kind: 'null' };

export type WindowSpec =
  | { readonly type: 'tumbling'; readonly sizeMs: number; readonly expiresMs?: number; readonly pointer: string }
  | {
      readonly type: 'hopping';
      readonly sizeMs: number;
      readonly stepMs: number;
      readonly expiresMs?: number;
      readonly pointer: string;
    }
  | {
      readonly type: 'sliding';
      readonly beforeMs: number;
      readonly afterMs: number;
      readonly expiresMs: number;
      readonly pointer: string;
    };

/** A user handler called once per closed window and key; it may send to `topics`. */
export interface WindowCloseSpec extends Named {
  readonly typeName: string;
  readonly topics: readonly NameRef[];
}

export interface TableSpec extends Named {
  /** For `set`, `value` is the member type. */
  readonly kind: 'table' | 'global' | 'set';
  readonly key: TypeUse;
  readonly value: TypeUse;
  readonly default?: TableDefault & { readonly pointer: string };
  readonly partitions?: number;
  readonly window?: WindowSpec;
  readonly onWindowClose?: WindowCloseSpec;
  /** Explicit `faustCompat:` of the table; absent: the app-wide setting (plain and global tables only). */
  readonly faustCompat?: boolean;
}

export interface TimerSpec extends Named, Uses {
  readonly typeName: string;
  readonly intervalMs: number;
  readonly onLeader: boolean;
}

export interface CrontabSpec extends Named, Uses {
  readonly typeName: string;
  readonly cron: string;
  readonly timezone?: string;
  readonly onLeader: boolean;
}

/** Faust's `@app.task`: run once at worker start, after the app is ready. */
export interface TaskSpec extends Named, Uses {
  readonly typeName: string;
  readonly onLeader: boolean;
}

export interface PageSpec extends Named, Uses {
  readonly typeName: string;
  readonly path: string;
  /** A table the page serves; added to its context tables. */
  readonly table?: NameRef;
  /** HTTP methods the page answers (default GET and POST); others get 405. */
  readonly methods?: readonly string[];
}

export interface Topology {
  /** Absolute path of the topology file. */
  readonly file: string;
  /** Path shown in diagnostics (relative to the project root). */
  readonly displayPath: string;
  /** sha256 of the file's bytes, stamped into generated headers. */
  readonly sha256: string;
  readonly settings: Settings;
  readonly paths: Paths;
  readonly topics: readonly TopicSpec[];
  readonly channels: readonly ChannelSpec[];
  readonly agents: readonly AgentSpec[];
  readonly tables: readonly TableSpec[];
  readonly timers: readonly TimerSpec[];
  readonly crontabs: readonly CrontabSpec[];
  readonly tasks: readonly TaskSpec[];
  readonly pages: readonly PageSpec[];
}
