import type { MemberAssignment, MemberMetadata } from '../types/transport.js';

export interface AssignorMember {
  readonly memberId: string;
  readonly metadata: MemberMetadata;
}

export interface AssignorResult {
  readonly assignments: ReadonlyMap<string, MemberAssignment>;
  /** url -> topic -> active partitions. */
  readonly distribution: Readonly<Record<string, Readonly<Record<string, readonly number[]>>>>;
}

/**
 * A partition assignor is a pure function of the members and the partition counts of the topics they
 * subscribe; the memory broker's coordinator and the Kafka driver's kafkajs assigner both call it.
 */
export type PartitionAssignor = (
  members: readonly AssignorMember[],
  partitionCounts: Readonly<Record<string, number>>,
) => AssignorResult;

export const ASSIGNOR_NAME = 'faustgen';
export const ASSIGNOR_VERSION = 1;
