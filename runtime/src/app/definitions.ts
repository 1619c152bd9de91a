/**
 * What an app's declarations take: topic, agent and table options and the App's own options. Kept
 * apart from the App so that the declaration surface reads on one page.
 */
import type { Sink } from '../agents/agent.js';
import type { ErrorPolicy } from '../agents/error-policy.js';
import type { Clock } from '../core/clock.js';
import type { LogSink } from '../core/logger.js';
import type { CodecLike } from '../serde/codecs.js';
import type { RelativeTo, WindowCloseHandler } from '../tables/windowed-table.js';
import type { Channel } from '../topics/channel.js';
import type { Topic } from '../topics/topic.js';
import type { WindowSpec } from '../windows/window.js';

export interface TopicOptions<K, V> {
  readonly key?: CodecLike<K>;
  readonly value?: CodecLike<V>;
  /** Declares the partition count: the topic is created when missing and checked when present. */
  readonly partitions?: number;
  readonly replicationFactor?: number;
  readonly config?: Readonly<Record<string, string>>;
  readonly internal?: boolean;
}

export interface AgentDefinition<K, V, R> {
  /** Topic or channel to read; omitted → the agent's own topic `<app id>-<agent name>`. */
  readonly source?: Topic<K, V> | Channel<K, V>;
  /** Codecs of the agent's own topic (when `source` is omitted). */
  readonly key?: CodecLike<K>;
  readonly value?: CodecLike<V>;
  readonly partitions?: number;
  readonly concurrency?: number;
  readonly sinks?: readonly Sink<R>[];
  readonly onError?: ErrorPolicy;
  /** Tables the handler writes: their changelogs must be co-partitioned with the source. */
  readonly tables?: readonly { readonly name: string }[];
  /** Turns the JSON of a reply into the result type of ask(). */
  readonly replyDecode?: (value: unknown) => R;
}

export interface TableDefinitionOptions<K, V> {
  readonly key?: CodecLike<K>;
  readonly value?: CodecLike<V>;
  readonly partitions?: number;
  /** Writes outside stream processing go to the partition murmur2 gives for the key. */
  readonly usePartitioner?: boolean;
  readonly config?: Readonly<Record<string, string>>;
}

export interface WindowedTableDefinition<K, V> extends TableDefinitionOptions<K, V> {
  readonly window: WindowSpec;
  /** Event time (default), the app clock, or a time taken from the event (e.g. a field). */
  readonly relativeTo?: RelativeTo;
  readonly onWindowClose?: WindowCloseHandler<K, V>;
}

export interface AppOptions {
  readonly clock?: Clock;
  readonly logSink?: LogSink;
  /** Options passed to the Kafka driver (SSL, SASL, producer and consumer tuning). */
  readonly kafka?: Readonly<Record<string, unknown>>;
}
