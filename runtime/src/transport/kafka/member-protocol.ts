import { AssignerProtocol } from 'kafkajs';
import { ASSIGNOR_VERSION } from '../../assignor/types.js';
import type { GroupAssignment, MemberAssignment, MemberMetadata } from '../../types/transport.js';
import {
  decodeAssignmentUserData as decodeUserData,
  decodeMemberUserData,
  encodeAssignmentUserData,
  encodeMemberUserData,
  kafkaAssignment,
  protocolError,
  type AssignmentUserData,
} from '../member-userdata.js';

export type { AssignmentUserData } from '../member-userdata.js';

/**
 * faustgen's userData (../member-userdata.ts, shared by the Kafka drivers) inside kafkajs's
 * subscription and assignment encoding.
 */
export function encodeSubscription(metadata: MemberMetadata): Buffer {
  return AssignerProtocol.MemberMetadata.encode({
    version: ASSIGNOR_VERSION,
    topics: [...metadata.topics],
    userData: encodeMemberUserData(metadata),
  });
}

export function decodeSubscription(memberId: string, buffer: Buffer): MemberMetadata {
  const decoded = AssignerProtocol.MemberMetadata.decode(buffer);
  if (decoded === null) throw protocolError(`member ${memberId} sent empty subscription metadata`, memberId);
  return decodeMemberUserData(memberId, decoded.userData);
}

export function encodeAssignment(assignment: MemberAssignment, distribution: GroupAssignment['distribution']): Buffer {
  return AssignerProtocol.MemberAssignment.encode({
    version: ASSIGNOR_VERSION,
    assignment: kafkaAssignment(assignment),
    userData: encodeAssignmentUserData(assignment, distribution),
  });
}

/** Reads the faustgen part of a SyncGroup answer; undefined when it carries none. */
export function decodeAssignmentUserData(memberAssignment: Buffer): AssignmentUserData | undefined {
  const decoded = AssignerProtocol.MemberAssignment.decode(memberAssignment);
  if (decoded === null) return undefined;
  return decodeUserData(decoded.userData);
}
