import { ASSIGNOR_VERSION } from '../assignor/types.js';
import { FaustgenError } from '../core/errors.js';
import type { GroupAssignment, MemberAssignment, MemberMetadata, TopicPartition } from '../types/transport.js';

/**
 * What faustgen puts into the userData fields of Kafka's consumer group protocol, for every Kafka
 * driver (the drivers only wrap it in their client's subscription/assignment encoding). Both
 * directions are JSON, each with a `version` so that a later format can be told apart:
 * - subscription (JoinGroup): the member's {@link MemberMetadata}, including its previous assignment;
 * - assignment (SyncGroup): `{ version, actives, standbys, distribution }`, while the Kafka-level
 *   assignment lists actives + standbys so the consumer fetches both.
 */
export interface AssignmentUserData {
  readonly version: number;
  readonly actives: readonly TopicPartition[];
  readonly standbys: readonly TopicPartition[];
  readonly distribution: GroupAssignment['distribution'];
}

export function encodeMemberUserData(metadata: MemberMetadata): Buffer {
  return Buffer.from(JSON.stringify(metadata));
}

export function decodeMemberUserData(memberId: string, userData: Buffer): MemberMetadata {
  const parsed = parseJson(userData, memberId);
  if (!isRecord(parsed) || typeof parsed['version'] !== 'number' || !Array.isArray(parsed['topics'])) {
    throw protocolError(`member ${memberId} sent subscription userData that is not faustgen MemberMetadata`, memberId);
  }
  const previous = isRecord(parsed['previous']) ? parsed['previous'] : {};
  return {
    version: parsed['version'],
    topics: stringList(parsed['topics']),
    changelogTopics: stringList(parsed['changelogTopics']),
    globalTopics: stringList(parsed['globalTopics']),
    standbyReplicas: typeof parsed['standbyReplicas'] === 'number' ? parsed['standbyReplicas'] : 0,
    url: typeof parsed['url'] === 'string' ? parsed['url'] : '',
    previous: { actives: partitionList(previous['actives']), standbys: partitionList(previous['standbys']) },
  };
}

/** The Kafka-level assignment (actives + standbys, sorted per topic): what the member fetches. */
export function kafkaAssignment(assignment: MemberAssignment): Record<string, number[]> {
  const byTopic: Record<string, number[]> = {};
  for (const tp of [...assignment.actives, ...assignment.standbys]) {
    const list = (byTopic[tp.topic] ??= []);
    if (!list.includes(tp.partition)) list.push(tp.partition);
  }
  for (const list of Object.values(byTopic)) list.sort((a, b) => a - b);
  return byTopic;
}

export function encodeAssignmentUserData(assignment: MemberAssignment, distribution: GroupAssignment['distribution']): Buffer {
  const userData: AssignmentUserData = { version: ASSIGNOR_VERSION, ...assignment, distribution };
  return Buffer.from(JSON.stringify(userData));
}

/** The faustgen part of an assignment; undefined when it carries none (or not ours). */
export function decodeAssignmentUserData(userData: Buffer): AssignmentUserData | undefined {
  if (userData.length === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(userData.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || typeof parsed['version'] !== 'number') return undefined;
  return {
    version: parsed['version'],
    actives: partitionList(parsed['actives']),
    standbys: partitionList(parsed['standbys']),
    distribution: isRecord(parsed['distribution']) ? (parsed['distribution'] as GroupAssignment['distribution']) : {},
  };
}

function parseJson(buffer: Buffer, memberId: string): unknown {
  try {
    return JSON.parse(buffer.toString('utf8'));
  } catch (error) {
    throw protocolError(`member ${memberId} sent subscription userData that is not JSON`, memberId, error);
  }
}

export function protocolError(message: string, memberId: string, cause?: unknown): FaustgenError {
  return new FaustgenError('FG_TRANSPORT', `faustgen assignor: ${message}`, {
    details: { memberId },
    ...(cause === undefined ? {} : { cause }),
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function partitionList(value: unknown): TopicPartition[] {
  if (!Array.isArray(value)) return [];
  const result: TopicPartition[] = [];
  for (const item of value) {
    if (isRecord(item) && typeof item['topic'] === 'string' && typeof item['partition'] === 'number') {
      result.push({ topic: item['topic'], partition: item['partition'] });
    }
  }
  return result;
}
