import { FaustgenCommand } from '../cli/base-command.js';
import { loadProject, type Project } from '../cli/project.js';
import { callWorker, workerFlag, workerUrl } from '../cli/worker-client.js';

interface Stats {
  readonly app?: string;
  readonly state?: string;
  readonly leader?: boolean;
  readonly generation?: number | null;
  readonly partitions?: readonly unknown[];
  readonly stalled?: readonly { topic: string; partition: number; lag: number }[];
  readonly agents?: Readonly<Record<string, { buffered: number }>>;
  readonly tables?: Readonly<Record<string, { partitions: readonly number[] }>>;
}

export default class Status extends FaustgenCommand {
  static override summary = 'Show a running worker\'s state: ready or why not, partitions, agents, tables.';
  static override description = 'Reads the worker\'s /ready and /stats pages. Exits with 1 when the worker is not ready, so scripts can wait on it.';
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --worker http://127.0.0.1:6067 --json'];
  static override enableJsonFlag = true;
  static override flags = { worker: workerFlag };

  async run(): Promise<{ url: string; ready: boolean; reasons: readonly string[]; stats: unknown }> {
    const { flags } = await this.parse(Status);
    const project: Project | undefined = flags.worker === undefined ? await loadProject(flags.config).catch(() => undefined) : undefined;
    const base = workerUrl(flags.worker, project);
    const ready = (await callWorker(base, '/ready')).body as { ready?: boolean; reasons?: readonly string[] };
    const stats = (await callWorker(base, '/stats')).body as Stats;
    const isReady = ready.ready === true;
    const reasons = ready.reasons ?? [];
    this.log(`${stats.app ?? '?'} at ${base}: ${stats.state ?? '?'}, ${isReady ? 'ready' : `not ready (${reasons.join('; ')})`}${stats.leader === true ? ', leader' : ''}`);
    this.log(`  generation ${stats.generation ?? '-'}, ${stats.partitions?.length ?? 0} partitions assigned${(stats.stalled?.length ?? 0) > 0 ? `, stalled: ${(stats.stalled ?? []).map((s) => `${s.topic}[${s.partition}] lag ${s.lag}`).join(', ')}` : ''}`);
    for (const [name, agent] of Object.entries(stats.agents ?? {})) this.log(`  agent ${name}: ${agent.buffered} buffered`);
    for (const [name, table] of Object.entries(stats.tables ?? {})) this.log(`  table ${name}: partitions ${table.partitions.join(',') || '-'}`);
    if (!isReady && !this.jsonEnabled()) this.exit(1);
    return { url: base, ready: isReady, reasons, stats };
  }
}
