/**
 * A worker child process for integration tests (`node --import tsx <script>`): stdout is the
 * fixture's JSON lines, stderr the runtime's logs (kept, tail shown on failures; echoed with
 * FAUSTGEN_TEST_LOGS=1). `killAll()` in `after` makes sure none outlives a test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

import { sleep, waitFor } from './wait.js';

export interface WorkerLine {
  readonly event: string;
  readonly t: number;
  readonly [field: string]: unknown;
}

/**
 * A worker child process (`node --import tsx <script>`): stdout is the fixture's JSON lines, stderr
 * the runtime's logs (kept, tail shown on failures; echoed with FAUSTGEN_TEST_LOGS=1).
 */
export class WorkerProcess {
  private static readonly running = new Set<WorkerProcess>();
  readonly lines: WorkerLine[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
  readonly startedAt = Date.now();
  private readonly child: ChildProcess;

  /** `FG_WORKER` defaults to the name so a fixture can tag its reports; `env` may override it. */
  constructor(readonly name: string, script: string, env: Readonly<Record<string, string>>) {
    this.child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FG_WORKER: name, ...env } });
    WorkerProcess.running.add(this);
    const echo = process.env['FAUSTGEN_TEST_LOGS'] === '1';
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
      if (this.stderr.length > 2_000_000) this.stderr = this.stderr.slice(-1_000_000);
      if (echo) process.stderr.write(`[${name}] ${chunk.toString()}`);
    });
    if (this.child.stdout !== null) {
      createInterface({ input: this.child.stdout }).on('line', (line) => {
        try {
          this.lines.push(JSON.parse(line) as WorkerLine);
        } catch {
          this.lines.push({ event: 'text', t: Date.now(), text: line });
        }
      });
    }
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        WorkerProcess.running.delete(this);
        resolve({ code, signal, atMs: Date.now() });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.alive) this.child.kill(signal);
  }

  linesOf(event: string): WorkerLine[] {
    return this.lines.filter((l) => l.event === event);
  }

  lastOf(event: string): WorkerLine | undefined {
    return this.linesOf(event).at(-1);
  }

  async waitForLine(predicate: (line: WorkerLine) => boolean, what: string, timeoutMs = 90_000): Promise<WorkerLine> {
    let found: WorkerLine | undefined;
    await waitFor(() => (found = this.lines.find(predicate)) !== undefined || !this.alive, `${this.name}: ${what}`, timeoutMs);
    if (found === undefined) {
      // stdout lines may still be in the pipe when the exit is seen.
      await sleep(200);
      found = this.lines.find(predicate);
    }
    if (found === undefined) throw new Error(`${this.name} exited before ${what}; stderr tail:\n${this.stderr.slice(-4000)}`);
    return found;
  }

  /** SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
  async stop(graceMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    try {
      const exit = await this.exited;
      await sleep(100);
      return exit;
    } finally {
      clearTimeout(timer);
    }
  }

  static async killAll(): Promise<void> {
    const all = [...WorkerProcess.running];
    for (const worker of all) worker.signal('SIGKILL');
    await Promise.all(all.map((w) => w.exited));
  }
}
