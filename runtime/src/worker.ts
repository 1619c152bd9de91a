import { FaustgenError, describeError } from './core/errors.js';
import type { App } from './app/app.js';

export interface WorkerOptions {
  /** Install SIGINT/SIGTERM handlers (default true). */
  readonly handleSignals?: boolean;
  /** Called with the exit code instead of process.exit (tests). */
  readonly exit?: (code: number) => void;
}

/** Exit codes of `faustgen worker`. */
export const EXIT = { ok: 0, crashed: 1, userError: 2, forced: 130 } as const;

export function exitCodeFor(error: unknown): number {
  if (FaustgenError.is(error) && (error.kind === 'user')) return EXIT.userError;
  return EXIT.crashed;
}

/**
 * Runs an app as a worker process: starts it, and on SIGINT/SIGTERM stops gracefully (stop fetching,
 * finish in-flight events, flush, commit). A second signal exits at once. Resolves with the exit code.
 */
export async function runWorker(app: App, options: WorkerOptions = {}): Promise<number> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  // Handler errors are logged with the user's file:line (core/error-stack.ts): a project compiled
  // with source maps then names its TypeScript lines too (tsx, under `faustgen worker`, does this already).
  process.setSourceMapsEnabled(true);
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.stderr.write(`\n${signal} again: exiting now without a final commit\n`);
      exit(EXIT.forced);
      return;
    }
    stopping = true;
    app.logger.info('signal received: stopping gracefully (send it again to exit at once)', { signal });
    void app.stop();
  };
  if (options.handleSignals ?? true) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  let code: number = EXIT.ok;
  // A worker serves its web pages (health, metrics, tables) unless the settings turn them off.
  app.serveWebByDefault();
  try {
    await app.start();
    const crashed = await app.whenStopped();
    if (crashed !== undefined) code = exitCodeFor(crashed);
  } catch (error) {
    app.logger.error('worker failed to start', { error: describeError(error), ...(FaustgenError.is(error) ? { code: error.code } : {}) });
    await app.stop().catch(() => undefined);
    code = exitCodeFor(error);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  exit(code);
  return code;
}
