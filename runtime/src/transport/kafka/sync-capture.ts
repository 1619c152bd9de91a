import type { Cluster } from 'kafkajs';

/**
 * kafkajs decodes the SyncGroup answer and keeps only the topic/partition lists: the assignment's
 * userData, where the leader put actives/standbys/distribution for each member, is dropped before any
 * public hook sees it. The only seam is the coordinator broker object, which kafkajs gets from
 * `cluster.findGroupCoordinator()` before every join; this wraps that broker's `syncGroup` to hand the
 * raw answer to `onSync`. The cluster object is private to one kafkajs consumer, so nothing else is
 * affected. If a later kafkajs changes these shapes, the wrap does nothing and the consumer falls back
 * to treating every assigned partition as active (see group-consumer.ts).
 */
export interface SyncAnswer {
  readonly memberId: string;
  readonly generationId: number;
  readonly memberAssignment: Buffer;
}

const wrapped = Symbol('faustgen.syncCapture');

interface SyncGroupRequest {
  readonly generationId?: unknown;
  readonly memberId?: unknown;
}
type SyncGroup = (request: SyncGroupRequest) => Promise<unknown>;
type Capturable = Record<string | symbol, unknown>;

export function captureSyncAnswers(cluster: Cluster, onSync: (answer: SyncAnswer) => void): void {
  const target = cluster as unknown as Capturable;
  if (target[wrapped] === true) return;
  const findGroupCoordinator = target['findGroupCoordinator'];
  if (typeof findGroupCoordinator !== 'function') return;
  target[wrapped] = true;
  target['findGroupCoordinator'] = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
    const broker: unknown = await (findGroupCoordinator as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    wrapSyncGroup(broker, onSync);
    return broker;
  };
}

function wrapSyncGroup(broker: unknown, onSync: (answer: SyncAnswer) => void): void {
  if (typeof broker !== 'object' || broker === null) return;
  const target = broker as Capturable;
  const original = target['syncGroup'];
  if (target[wrapped] === true || typeof original !== 'function') return;
  target[wrapped] = true;
  target['syncGroup'] = async function (this: unknown, request: SyncGroupRequest): Promise<unknown> {
    const answer: unknown = await (original as SyncGroup).call(this, request);
    const memberAssignment = (answer as { memberAssignment?: unknown } | null)?.memberAssignment;
    if (Buffer.isBuffer(memberAssignment) && typeof request.memberId === 'string' && typeof request.generationId === 'number') {
      onSync({ memberId: request.memberId, generationId: request.generationId, memberAssignment });
    }
    return answer;
  };
}
