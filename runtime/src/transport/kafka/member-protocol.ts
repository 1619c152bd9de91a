import { AssignerProtocol } from 'kafkajs';
import { ASSIGNOR_VERSION } from '../../assignor/types.js';
import { FaustgenError } from '../../core/errors.js';
import type { GroupAssignment, MemberAssignment, MemberMetadata, TopicPartition } from '../../types/transport.js';

/**
 * What faustgen puts into Kafka's group protocol. Both directions are JSON inside the kafkajs
 * `userData` buffer, each with a `version` so that a later format can be told apart:
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

export function encodeSubscription(metadata: MemberMetadata): Buffer {
  return AssignerProtocol.MemberMetadata.encode({
    version: ASSIGNOR_VERSION,
    topics: [...metadata.topics],
    userData: Buffer.from(JSON.stringify(metadata)),
  });
}

export function decodeSubscription(memberId: string, buffer: Buffer): MemberMetadata {
  const decoded = AssignerProtocol.MemberMetadata.decode(buffer);
  if (decoded === null) throw protocolError(`member ${memberId} sent empty subscription metadata`, memberId);
  const parsed = parseJson(decoded.userData, memberId);
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

export function encodeAssignment(assignment: MemberAssignment, distribution: GroupAssignment['distribution']): Buffer {
  const byTopic: Record<string, number[]> = {};
  for (const tp of [...assignment.actives, ...assignment.standbys]) {
    const list = (byTopic[tp.topic] ??= []);
    if (!list.includes(tp.partition)) list.push(tp.partition);
  }
  for (const list of Object.values(byTopic)) list.sort((a, b) => a - b);
  const userData: AssignmentUserData = { version: ASSIGNOR_VERSION, ...assignment, distribution };
  return AssignerProtocol.MemberAssignment.encode({
    version: ASSIGNOR_VERSION,
    assignment: byTopic,
    userData: Buffer.from(JSON.stringify(userData)),
  });
}

/** Reads the faustgen part of a SyncGroup answer; undefined when it carries none. */
export function decodeAssignmentUserData(memberAssignment: Buffer): AssignmentUserData | undefined {
  const decoded = AssignerProtocol.MemberAssignment.decode(memberAssignment);
  if (decoded === null || decoded.userData.length === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded.userData.toString('utf8'));
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

function protocolError(message: string, memberId: string, cause?: unknown): FaustgenError {
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
