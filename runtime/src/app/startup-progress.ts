import type { Logger } from '../core/logger.js';

export interface StartupProgress {
  readonly log: Logger;
  /** `Kafka brokers localhost:9092` */
  readonly what: string;
  /** The setting that bounds the wait, and its value, named in every line. */
  readonly setting: string;
  readonly timeoutMs: number;
}

/**
 * Says, while `work` is pending, that the worker is still waiting and for how long it will: an
 * unreachable broker used to mean 30 s of silence. Lines come every 5 s (every quarter of the
 * timeout when that is shorter), on the wall clock: they are for the person watching.
 */
export async function reportWhileWaiting<T>(work: Promise<T>, progress: StartupProgress): Promise<T> {
  const started = Date.now();
  const everyMs = Math.max(250, Math.min(5_000, Math.floor(progress.timeoutMs / 4)));
  const timer = setInterval(() => {
    const waited = Date.now() - started;
    progress.log.warn(`still waiting for ${progress.what}: no answer after ${(waited / 1000).toFixed(0)} s; retrying until ${progress.setting} (${progress.timeoutMs} ms)`, {
      waitedMs: waited,
      [progress.setting]: progress.timeoutMs,
    });
  }, everyMs);
  timer.unref();
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}
