/**
 * One contender of the stateful benchmark as a child process (a Node worker or the Kafka Streams
 * JVM), speaking the probe's stdout protocol (probe.ts): READY, FIRST/LAST <epoch ms>, COUNT <n>,
 * STATS <json>. Its peak RSS (VmHWM) and CPU time are read from /proc, so each figure is that
 * process's own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { progress } from '../../lib/progress.js';
import type { ProbeStats } from './probe.js';

const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 90_000;
/** Linux clock ticks per second (USER_HZ), the unit of utime/stime in /proc/<pid>/stat. */
const CLOCK_TICKS = 100;

export interface WorkerCommand {
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

/** CPU seconds (user + system) a process used so far, or NaN off Linux. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at ") ".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** Peak resident set size in MB (VmHWM), or NaN off Linux. */
export function peakRssMb(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? Number.NaN : Math.round(Number(match[1]) / 1024);
  } catch {
    return Number.NaN;
  }
}

export class WorkerProcess {
  /** performance.now() times of the first and the expected-th table update, once said. */
  first: number | undefined;
  last: number | undefined;
  /** CPU seconds at READY and at LAST. */
  cpuAtReady = Number.NaN;
  cpuAtLast = Number.NaN;
  count = 0;
  stats: ProbeStats | undefined;
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;
  private tail = '';
  private readyWaiters: Array<() => void> = [];
  private lastWaiters: Array<() => void> = [];
  private failure: Error | undefined;
  private ready = false;

  constructor(private readonly spec: WorkerCommand) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const child = spawn(this.spec.command, [...this.spec.args], {
      cwd: this.spec.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...this.spec.env },
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        this.onLine(buffered.slice(0, newline).trim());
        buffered = buffered.slice(newline + 1);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.tail = (this.tail + chunk.toString('utf8')).slice(-4000);
    });
    child.on('close', (code, signal) => {
      if (this.child !== child) return;
      this.fail(new Error(`${this.spec.label} exited early (${String(code ?? signal)}): ${this.tail.slice(-1500)}`));
    });
    await this.waitFor(() => this.ready, this.readyWaiters, START_TIMEOUT_MS, 'start');
  }

  /** Resolves once the worker said LAST; false when `timeoutMs` passed first. */
  async waitForLast(timeoutMs: number): Promise<boolean> {
    try {
      await this.waitFor(() => this.last !== undefined, this.lastWaiters, timeoutMs, 'process the input');
      return true;
    } catch (error) {
      if (this.failure !== undefined) throw error;
      return false;
    }
  }

  /** Stops it gracefully (SIGTERM: the app commits and closes); returns how long that took, in ms. */
  async stop(): Promise<number> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return 0;
    const started = performance.now();
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      progress(`${this.spec.label}: no exit ${STOP_TIMEOUT_MS / 1000} s after SIGTERM, killing it`);
      child.kill('SIGKILL');
    }, STOP_TIMEOUT_MS);
    const code = await this.exited;
    clearTimeout(timer);
    // A JVM ends with 143 (128 + SIGTERM) after its shutdown hooks ran: that is a clean stop.
    if (code !== 0 && code !== 143) progress(`${this.spec.label}: exited ${String(code)} on stop: ${this.tail.slice(-1500)}`);
    return performance.now() - started;
  }

  private onLine(line: string): void {
    const [word, rest] = [line.split(' ', 1)[0], line.slice(line.indexOf(' ') + 1)];
    const at = (): number => Number(rest) - performance.timeOrigin;
    switch (word) {
      case 'READY':
        this.ready = true;
        if (this.child?.pid !== undefined) this.cpuAtReady = cpuSeconds(this.child.pid);
        this.wake(this.readyWaiters);
        break;
      case 'FIRST':
        this.first = at();
        break;
      case 'LAST':
        this.last = at();
        if (this.child?.pid !== undefined) this.cpuAtLast = cpuSeconds(this.child.pid);
        this.wake(this.lastWaiters);
        break;
      case 'COUNT':
        this.count = Number(rest);
        break;
      case 'STATS':
        this.stats = JSON.parse(rest) as ProbeStats;
        break;
      default:
        if (line.length > 0) this.tail = (this.tail + line + '\n').slice(-4000);
    }
  }

  private fail(error: Error): void {
    this.failure = error;
    this.wake(this.readyWaiters);
    this.wake(this.lastWaiters);
  }

  private wake(waiters: Array<() => void>): void {
    for (const wake of waiters.splice(0)) wake();
  }

  private async waitFor(done: () => boolean, waiters: Array<() => void>, timeoutMs: number, what: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (this.failure !== undefined) reject(this.failure);
          else if (done()) resolve();
          else waiters.push(check);
        };
        timer = setTimeout(() => reject(new Error(`${this.spec.label} did not ${what} within ${timeoutMs} ms: ${this.tail.slice(-1500)}`)), timeoutMs);
        check();
      });
    } finally {
      clearTimeout(timer);
    }
  }
}
