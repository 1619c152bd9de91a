import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { progress } from '../../lib/progress.js';
import type { Pipeline, PipelineTopics } from '../stateless/pipeline.js';

const START_TIMEOUT_MS = 90_000;
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'pipeline.py');

/** The stateless pipeline as a Python Faust worker process (see pipeline.py). */
export class FaustPythonPipeline implements Pipeline {
  readonly name = 'faust';
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private first: number | undefined;
  private stderrTail = '';
  private datadir: string | undefined;

  constructor(
    private readonly topics: PipelineTopics,
    private readonly python: string,
  ) {}

  firstConsumedAt(): number | undefined {
    return this.first;
  }

  async start(): Promise<void> {
    // Faust writes table/offset state under its datadir: keep it out of the repository.
    const datadir = (this.datadir = mkdtempSync(join(tmpdir(), 'faustgen-bench-faust-')));
    const child = spawn(this.python, [SCRIPT, 'worker', '-l', 'warn', '--without-web'], {
      cwd: dirname(SCRIPT),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        BENCH_BOOTSTRAP: this.topics.bootstrap,
        BENCH_APP_ID: this.topics.groupId,
        BENCH_IN: this.topics.inTopic,
        BENCH_OUT: this.topics.outTopic,
        BENCH_DATADIR: datadir,
      },
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.on('close', () => resolve()));
    let ready: () => void = () => undefined;
    let failed: (error: Error) => void = () => undefined;
    const started = new Promise<void>((resolve, reject) => {
      ready = resolve;
      failed = reject;
    });
    // Faust's worker redirects stdout into its logger (stderr): look for the markers in both.
    const scan = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      this.stderrTail = (this.stderrTail + text).slice(-4000);
      if (text.includes('READY')) ready();
      const match = /FIRST (\d+)/.exec(text);
      // Epoch ms from Python → this process's performance.now() time base.
      if (match?.[1] !== undefined && this.first === undefined) this.first = Number(match[1]) - performance.timeOrigin;
    };
    child.stdout?.on('data', scan);
    child.stderr?.on('data', scan);
    child.on('close', (code, signal) => {
      if (this.child !== child) return;
      const message = `faust worker exited early (${String(code ?? signal)}): ${this.stderrTail.slice(-1500)}`;
      progress(message);
      failed(new Error(message));
    });
    // Bounded, and a ref'd timer: the wait must neither hang nor let the event loop drain.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`faust worker did not start within ${START_TIMEOUT_MS} ms: ${this.stderrTail.slice(-1500)}`)), START_TIMEOUT_MS);
    });
    try {
      await Promise.race([started, timeout]);
    } catch (error) {
      await this.stop();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await this.exited;
      clearTimeout(timer);
    }
    if (this.datadir !== undefined) rmSync(this.datadir, { recursive: true, force: true });
    this.datadir = undefined;
  }
}
