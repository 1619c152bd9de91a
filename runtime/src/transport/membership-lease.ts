/**
 * Whether this group member may still write on behalf of its partitions (docs/adr/0004-safe-handoff.md).
 *
 * The coordinator expels a member whose last heartbeat it saw a session timeout ago; the member only
 * knows when its own last heartbeat was answered, which is later. So writing stops at half the session
 * (the lease lapses), well before the coordinator can act, and past the whole session plus one interval
 * the membership counts as lost.
 */
export interface LeaseEvents {
  lapsed(): void;
  renewed(): void;
  lost(): void;
}

export class MembershipLease {
  private lastAnswer = Date.now();
  private lapsed = false;
  private lostNow = false;
  /** The generation of the last join this member took part in. */
  private generation: number | undefined;

  constructor(
    private readonly sessionTimeoutMs: number,
    private readonly heartbeatIntervalMs: number,
    private readonly events: LeaseEvents,
  ) {}

  /** True once the membership counted as lost, until the next join. */
  get lost(): boolean {
    return this.lostNow;
  }

  /** The coordinator answered a heartbeat or commit: the session is alive. */
  answered(): void {
    this.lastAnswer = Date.now();
    if (!this.lapsed) return;
    this.lapsed = false;
    this.events.renewed();
  }

  /**
   * A new generation was joined: everything starts afresh. Returns whether the membership had been
   * lost, or a generation went by without this member: the coordinator counts generations one by
   * one, so joining N + 2 after N means the group rebalanced once without it (it was expelled while
   * its JoinGroup waited on a paused coordinator, say — its lease is not checked while it joins), and
   * a partition it held in N may have been processed elsewhere in N + 1 even if it comes back now.
   */
  joined(generation?: number): boolean {
    const skipped = generation !== undefined && this.generation !== undefined && generation !== this.generation + 1;
    if (generation !== undefined) this.generation = generation;
    const wasLost = this.lostNow || skipped;
    this.lostNow = false;
    this.lapsed = false;
    this.lastAnswer = Date.now();
    return wasLost;
  }

  /** The member gives its membership up itself (to rejoin with every partition as new): counts as lost. */
  forfeit(): void {
    this.lostNow = true;
  }

  /** Called every heartbeat interval while the member holds partitions and is not joining. */
  check(): void {
    if (this.lostNow) return;
    const silent = Date.now() - this.lastAnswer;
    if (silent > this.sessionTimeoutMs / 2 && !this.lapsed) {
      this.lapsed = true;
      this.events.lapsed();
    }
    if (silent <= this.sessionTimeoutMs + this.heartbeatIntervalMs) return;
    this.lostNow = true;
    this.events.lost();
  }
}
