/** Progress lines on stderr (stdout carries only the table or the JSON). */
const started = performance.now();

export function progress(message: string): void {
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stderr.write(`[bench +${seconds}s] ${message}\n`);
}

/**
 * Reports a long count-based task at most every `everyMs`: `tick(done)` prints
 * "<label>: done/total (rate/s)" when enough time has passed.
 */
export function progressCounter(label: string, total: number, everyMs = 2000): (done: number) => void {
  const t0 = performance.now();
  let last = t0;
  return (done: number): void => {
    const now = performance.now();
    if (now - last < everyMs && done < total) return;
    last = now;
    const rate = done / Math.max((now - t0) / 1000, 0.001);
    progress(`${label}: ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} (${Math.round(rate).toLocaleString('en-US')}/s)`);
  };
}
