/**
 * How long an actor waits before its next life after a failure. A life that took an event made
 * progress (the failing event was skipped, dead-lettered or acked for a restart): the next life
 * starts at once, however many failures came before. Only lives that fail without taking any event
 * (a handler that throws on start) back off: 10 ms, 20 ms, … capped at 1 s, until one takes an event.
 * (Before issue 13 the count never reset: after an actor's 100th failure, every failure cost 1 s.)
 */
export class RestartBackoff {
  private idleFailures = 0;

  /** The delay after a failed life; `tookEvent`: whether that life took at least one event. */
  next(tookEvent: boolean): number {
    if (tookEvent) {
      this.idleFailures = 0;
      return 0;
    }
    this.idleFailures++;
    return Math.min(1000, 10 * this.idleFailures);
  }
}
