import { kGetApi, ProtocolError, type Consumer } from '@platformatic/kafka';

/**
 * The seam into @platformatic/kafka's classic group protocol. 2.12 sends one static assignment
 * userData for every member (1.35: none), skips the assignor when the group has one member, and
 * awaits nothing before it rejoins. Every group request goes through the client's
 * `[kGetApi](name)` (a public export), so this driver wraps the JoinGroup and SyncGroup APIs of its
 * own Consumer instance:
 * - JoinGroup: awaits `beforeJoin` first (the release point of docs/adr/0004, heartbeating the old
 *   generation meanwhile), and sends faustgen's subscription (its metadata with the latest
 *   assignment as `previous`) in place of the client's;
 * - its answer gives the leader every member's subscription;
 * - SyncGroup: the leader's assignments are replaced by faustgen's (actives + standbys with the
 *   userData the other members need), also in a group of one; every member's answer is captured raw;
 * - Heartbeat: when the member wants to rejoin (exactly-once starting its partitions over), the
 *   next heartbeat is answered REBALANCE_IN_PROGRESS without being sent, and the client rejoins as it
 *   does for a real one (the same request the kafkajs driver fails for the same reason).
 * If a later version stops routing requests through `kGetApi`, the hooks never fire: the group
 * consumer then sees no faustgen assignment and fails loudly (see group-consumer.ts) instead of
 * running with the client's round-robin plan.
 */
export interface GroupProtocolHooks {
  beforeJoin(heartbeat: () => Promise<void>): Promise<void>;
  subscription(): Buffer;
  joined(answer: JoinAnswer): void;
  assign(memberIds: readonly string[]): Promise<ReadonlyMap<string, Buffer>>;
  synced(answer: SyncAnswer): void;
  wantsRejoin(): boolean;
}

export interface JoinAnswer {
  readonly memberId: string;
  readonly generationId: number;
  readonly leader: string;
  readonly members: ReadonlyArray<{ readonly memberId: string; readonly metadata: Buffer }>;
}

export interface SyncAnswer {
  readonly memberId: string;
  readonly generationId: number;
  readonly assignment: Buffer;
}

type Callback = (error: Error | null, result?: unknown) => void;
type ApiFunction = (...args: unknown[]) => unknown;
type GetApi = (name: string, callback: (error: Error | null, api?: ApiFunction) => void) => void;

export function installGroupHooks(consumer: Consumer, protocolName: string, hooks: GroupProtocolHooks): void {
  const target = consumer as unknown as Record<symbol, unknown>;
  const original = target[kGetApi];
  if (typeof original !== 'function') return;
  const getApi = (original as GetApi).bind(consumer);
  target[kGetApi] = (name: string, callback: (error: Error | null, api?: ApiFunction) => void): void => {
    getApi(name, (error, api) => {
      if (error !== null || api === undefined) return callback(error, api);
      if (name === 'JoinGroup') return callback(null, wrapJoin(api, getApi, protocolName, hooks));
      if (name === 'SyncGroup') return callback(null, wrapSync(api, hooks));
      if (name === 'Heartbeat') return callback(null, wrapHeartbeat(api, hooks));
      callback(null, api);
    });
  };
}

function wrapJoin(api: ApiFunction, getApi: GetApi, protocolName: string, hooks: GroupProtocolHooks): ApiFunction {
  return (...args: unknown[]): void => {
    const callback = args[args.length - 1] as Callback;
    const connection = args[0];
    const groupId = args[1] as string;
    const groupInstanceId = (args[5] ?? null) as string | null;
    const heartbeat = (generationId: number, memberId: string) => (): Promise<void> =>
      new Promise<void>((resolve) =>
        getApi('Heartbeat', (error, heartbeatApi) => {
          if (error !== null || heartbeatApi === undefined) return resolve();
          heartbeatApi(connection, groupId, generationId, memberId, groupInstanceId, () => resolve());
        }),
      );
    const memberId = args[4] as string;
    hooks
      .beforeJoin(heartbeat(lastGeneration.get(groupId) ?? -1, memberId))
      .catch(() => undefined)
      .then(() => {
        const protocolsAt = args.findIndex((a) => Array.isArray(a));
        if (protocolsAt > 0) args[protocolsAt] = [{ name: protocolName, metadata: hooks.subscription() }];
        args[args.length - 1] = (error: Error | null, response?: unknown): void => {
          if (error === null && response !== undefined) {
            const answer = response as { memberId?: string | null; generationId?: number; leader?: string; members?: Array<{ memberId: string; metadata: Buffer | null }> };
            lastGeneration.set(groupId, answer.generationId ?? -1);
            hooks.joined({
              memberId: answer.memberId ?? '',
              generationId: answer.generationId ?? -1,
              leader: answer.leader ?? '',
              members: (answer.members ?? []).map((m) => ({ memberId: m.memberId, metadata: m.metadata ?? Buffer.alloc(0) })),
            });
          }
          callback(error, response);
        };
        api(...args);
      });
  };
}

function wrapHeartbeat(api: ApiFunction, hooks: GroupProtocolHooks): ApiFunction {
  return (...args: unknown[]): void => {
    if (!hooks.wantsRejoin()) return void api(...args);
    (args[args.length - 1] as Callback)(new ProtocolError('REBALANCE_IN_PROGRESS'));
  };
}

/** Generation of the latest join per group id, for heartbeats sent while the next join waits. */
const lastGeneration = new Map<string, number>();

function wrapSync(api: ApiFunction, hooks: GroupProtocolHooks): ApiFunction {
  return (...args: unknown[]): void => {
    const callback = args[args.length - 1] as Callback;
    const generationId = args[2] as number;
    const memberId = args[3] as string;
    const assignmentsAt = args.findIndex((a) => Array.isArray(a));
    const send = (): void => {
      args[args.length - 1] = (error: Error | null, response?: unknown): void => {
        const assignment = (response as { assignment?: unknown } | undefined)?.assignment;
        if (error === null && Buffer.isBuffer(assignment)) hooks.synced({ memberId, generationId, assignment });
        callback(error, response);
      };
      api(...args);
    };
    const leaderAssignments = assignmentsAt > 0 ? (args[assignmentsAt] as Array<{ memberId: string }>) : [];
    if (leaderAssignments.length === 0) return send();
    hooks.assign(leaderAssignments.map((a) => a.memberId)).then(
      (plan) => {
        args[assignmentsAt] = [...plan].map(([id, assignment]) => ({ memberId: id, assignment }));
        send();
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
    );
  };
}
