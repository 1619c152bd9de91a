import type { Clock } from '../core/clock.js';
import { errorOrigin } from '../core/error-stack.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { CronSchedule } from './cron.js';

export interface ScheduledJob {
  readonly name: string;
  readonly kind: 'timer' | 'crontab' | 'task';
  readonly onLeader: boolean;
  readonly intervalMs?: number;
  readonly cron?: CronSchedule;
  readonly run: () => unknown;
}

/**
 * Runs timers, crontabs and one-shot tasks on the app clock. A failing run is logged and the job
 * keeps its schedule; leader-only jobs skip their turn on workers that are not the leader.
 */
export class Scheduler {
  private readonly jobs: ScheduledJob[] = [];
  private abort = new AbortController();
  private loops: Promise<void>[] = [];
  /** Completed runs per job, for tests and metrics. */
  readonly runs = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly isLeader: () => boolean,
  ) {}

  add(job: ScheduledJob): void {
    this.jobs.push(job);
  }

  list(): readonly ScheduledJob[] {
    return this.jobs;
  }

  start(): void {
    this.abort = new AbortController();
    this.loops = this.jobs.map((job) => this.loop(job, this.abort.signal));
  }

  async stop(): Promise<void> {
    this.abort.abort(new Error('scheduler stopped'));
    await Promise.allSettled(this.loops);
    this.loops = [];
  }

  private async loop(job: ScheduledJob, signal: AbortSignal): Promise<void> {
    if (job.kind === 'task') {
      // Once, after the app is ready (the first assignment decided the leader), as Faust's @app.task.
      if (job.onLeader && !this.isLeader()) {
        this.log.debug('task skipped: this worker is not the leader', { name: job.name });
        return;
      }
      await this.runOnce(job);
      return;
    }
    let due = this.clock.now();
    while (!signal.aborted) {
      due = job.cron !== undefined ? job.cron.next(this.clock.now()) : due + (job.intervalMs ?? 1000);
      try {
        await this.clock.sleep(Math.max(0, due - this.clock.now()), signal);
      } catch {
        return;
      }
      // A run that took longer than the interval must not make the next ones pile up.
      if (this.clock.now() - due > (job.intervalMs ?? 0)) due = this.clock.now();
      if (job.onLeader && !this.isLeader()) continue;
      await this.runOnce(job);
    }
  }

  private async runOnce(job: ScheduledJob): Promise<void> {
    try {
      await job.run();
      this.runs.set(job.name, (this.runs.get(job.name) ?? 0) + 1);
    } catch (error) {
      this.log.error(`${job.kind} failed`, { name: job.name, error: describeError(error), ...errorOrigin(error) });
    }
  }
}
