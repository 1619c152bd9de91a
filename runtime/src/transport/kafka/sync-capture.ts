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

/**
 * What the consumer learns through the coordinator seam: each SyncGroup answer, and a hook awaited
 * before each JoinGroup request is sent. kafkajs awaits nothing of ours before it rejoins (REBALANCING
 * is emitted, not awaited), yet the group cannot finish the rebalance before this member's JoinGroup
 * arrives: awaiting `beforeJoin` there is the pre-revoke point that the Java client has in
 * onPartitionsRevoked (docs/adr/0004-safe-handoff.md).
 */
export interface CoordinatorHooks {
  onSync(answer: SyncAnswer): void;
  beforeJoin?(coordinator: CoordinatorHeartbeat): Promise<void>;
  /**
   * Asked before each of kafkajs's own heartbeats: true makes that heartbeat fail as
   * REBALANCE_IN_PROGRESS, which is kafkajs's only way into a rejoin that no broker asked for
   * (Kafka's enforceRebalance). kafkajs heartbeats from its fetch loop, records or not.
   */
  wantsRejoin?(): boolean;
}

/** Lets `beforeJoin` keep the member's session alive while it waits: heartbeats with the old generation. */
export interface CoordinatorHeartbeat {
  heartbeat(request: { groupId: string; groupGenerationId: number; memberId: string }): Promise<unknown>;
}

export function captureCoordinator(cluster: Cluster, hooks: CoordinatorHooks): void {
  const target = cluster as unknown as Capturable;
  if (target[wrapped] === true) return;
  const findGroupCoordinator = target['findGroupCoordinator'];
  if (typeof findGroupCoordinator !== 'function') return;
  target[wrapped] = true;
  target['findGroupCoordinator'] = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
    const broker: unknown = await (findGroupCoordinator as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    wrapSyncGroup(broker, (answer) => hooks.onSync(answer));
    if (hooks.beforeJoin !== undefined) wrapJoinGroup(broker, hooks.beforeJoin);
    if (hooks.wantsRejoin !== undefined) wrapHeartbeat(broker, hooks.wantsRejoin);
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

const joinWrapped = Symbol('faustgen.joinHook');

function wrapJoinGroup(broker: unknown, beforeJoin: (coordinator: CoordinatorHeartbeat) => Promise<void>): void {
  if (typeof broker !== 'object' || broker === null) return;
  const target = broker as Capturable;
  const original = target['joinGroup'];
  const heartbeat = target['heartbeat'];
  if (target[joinWrapped] === true || typeof original !== 'function' || typeof heartbeat !== 'function') return;
  target[joinWrapped] = true;
  const coordinator: CoordinatorHeartbeat = {
    heartbeat: (request) => (heartbeat as (r: typeof request) => Promise<unknown>).call(broker, request),
  };
  target['joinGroup'] = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
    await beforeJoin(coordinator);
    return (original as (...a: unknown[]) => Promise<unknown>).apply(this, args);
  };
}

const heartbeatWrapped = Symbol('faustgen.rejoinHook');

function wrapHeartbeat(broker: unknown, wantsRejoin: () => boolean): void {
  if (typeof broker !== 'object' || broker === null) return;
  const target = broker as Capturable;
  const original = target['heartbeat'];
  if (target[heartbeatWrapped] === true || typeof original !== 'function') return;
  target[heartbeatWrapped] = true;
  target['heartbeat'] = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
    if (wantsRejoin()) throw Object.assign(new Error('faustgen asked to rejoin the group (every partition starts over)'), { type: 'REBALANCE_IN_PROGRESS', retriable: true });
    return (original as (...a: unknown[]) => Promise<unknown>).apply(this, args);
  };
}
