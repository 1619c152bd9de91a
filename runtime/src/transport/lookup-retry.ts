/**
 * Admin look-ups (topic offsets, committed offsets) must ride out a leader move or a broker restart:
 * a table recovery during a leader's SIGKILL otherwise crashed workers with ECONNREFUSED. Each driver
 * says which of its errors are worth another try.
 */
const LOOKUP_RETRY_MS = 60_000;

/** Runs a look-up again while it fails for a retriable reason, with a doubling pause, for up to a minute. */
export async function retryThroughOutage<T>(lookup: () => Promise<T>, retriable: (error: unknown) => boolean): Promise<T> {
  const deadline = Date.now() + LOOKUP_RETRY_MS;
  let backoffMs = 250;
  for (;;) {
    try {
      return await lookup();
    } catch (error) {
      if (Date.now() + backoffMs > deadline || !retriable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
      backoffMs = Math.min(backoffMs * 2, 2_000);
    }
  }
}
