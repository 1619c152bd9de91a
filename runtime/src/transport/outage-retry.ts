/**
 * Calls that must ride out a leader move or a broker restart rather than fail at once: admin look-ups
 * (topic offsets, committed offsets: a table recovery during a leader's SIGKILL otherwise crashed
 * workers with ECONNREFUSED) and a producer's connect (kafkajs asks the transaction coordinator for a
 * producer id once and gives up on a refused connection). Each driver says which of its errors are
 * worth another try.
 */
const OUTAGE_RETRY_MS = 60_000;

/** Runs `call` again while it fails for a retriable reason, with a doubling pause, for up to a minute. */
export async function retryThroughOutage<T>(call: () => Promise<T>, retriable: (error: unknown) => boolean): Promise<T> {
  const deadline = Date.now() + OUTAGE_RETRY_MS;
  let backoffMs = 250;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (Date.now() + backoffMs > deadline || !retriable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
      backoffMs = Math.min(backoffMs * 2, 2_000);
    }
  }
}
