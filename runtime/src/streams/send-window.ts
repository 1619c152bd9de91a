/**
 * Bounds the sends an agent has in flight: handlers hand outputs to the producer without waiting
 * (so the producer can batch them), but once `limit` are unacknowledged the next one waits for room.
 */
export class SendWindow {
  private inFlight = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  /**
   * Waits for room, then starts the send. The send's promise comes back wrapped: an async function
   * returning it bare would make the caller wait for the send itself.
   */
  async admit<T>(send: () => Promise<T>): Promise<{ readonly sent: Promise<T> }> {
    for (;;) {
      const sent = this.tryAdmit(send);
      if (sent !== undefined) return { sent };
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Takes a slot when one is free; the caller must release() it once the send settled. */
  tryAcquire(): boolean {
    if (this.inFlight >= this.limit) return false;
    this.inFlight++;
    return true;
  }

  release(): void {
    this.inFlight--;
    this.waiters.shift()?.();
  }

  /** Like admit, but without a promise when there is room: the hot path allocates nothing extra. */
  tryAdmit<T>(send: () => Promise<T>): Promise<T> | undefined {
    if (!this.tryAcquire()) return undefined;
    const sent = send();
    const release = (): void => this.release();
    sent.then(release, release);
    return sent;
  }
}
