import { FaustgenError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Topic } from '../topics/topic.js';
import type { Admin } from '../types/transport.js';

export interface TopicSetup {
  readonly topics: readonly Topic<unknown, unknown>[];
  readonly leaderTopic: string;
  readonly driver: string;
  readonly defaults: { readonly partitions: number; readonly replicationFactor: number };
  /** Topics agents read: they must exist before the consumer subscribes. */
  readonly subscribed: ReadonlySet<string>;
  readonly copartitioned: readonly { readonly agent: string; readonly topics: readonly string[] }[];
  readonly log: Logger;
}

/**
 * Creates the topics faustgen owns (internal ones, and user topics that declare a partition count)
 * and checks the rest exist. Existing topics keep their partition count; a count that differs from
 * the declared one, or that breaks co-partitioning, stops the worker with the topics and counts named.
 */
export async function ensureTopics(admin: Admin, setup: TopicSetup): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const problems: string[] = [];
  const leader = await admin.ensureTopic({ name: setup.leaderTopic, partitions: 1, replicationFactor: setup.defaults.replicationFactor });
  counts.set(setup.leaderTopic, leader.partitions);
  for (const topic of setup.topics) {
    const declared = topic.partitions;
    // On the embedded broker every topic is created, so a quick start needs no topic admin.
    if (declared !== undefined || topic.internal || setup.driver === 'memory') {
      const description = await admin.ensureTopic({
        name: topic.name,
        partitions: declared ?? setup.defaults.partitions,
        replicationFactor: topic.replicationFactor ?? setup.defaults.replicationFactor,
        config: topic.config,
      });
      counts.set(topic.name, description.partitions);
      if (declared !== undefined && description.partitions !== declared) {
        problems.push(`topic "${topic.name}" has ${description.partitions} partitions but is declared with ${declared}`);
      }
      continue;
    }
    const description = await admin.describeTopic(topic.name);
    if (description === undefined) {
      if (setup.subscribed.has(topic.name)) {
        problems.push(`topic "${topic.name}" does not exist: create it, or declare its partitions so faustgen creates it`);
      }
      continue;
    }
    counts.set(topic.name, description.partitions);
  }
  for (const group of setup.copartitioned) {
    const sizes = group.topics.map((name) => [name, counts.get(name)] as const);
    const distinct = new Set(sizes.map(([, n]) => n));
    if (distinct.size > 1) {
      problems.push(`agent "${group.agent}" reads and writes topics that must have equal partition counts: ${sizes.map(([n, c]) => `${n}=${c === undefined ? '(missing)' : String(c)}`).join(', ')}`);
    }
  }
  if (problems.length > 0) {
    const mismatch = problems.some((p) => p.includes('partitions') || p.includes('partition counts'));
    throw new FaustgenError(mismatch ? 'FG_TOPIC_PARTITIONS_MISMATCH' : 'FG_TOPIC_MISSING', problems.join('; '), { details: { problems } });
  }
  setup.log.debug('topics ready', { topics: counts.size });
  return counts;
}
