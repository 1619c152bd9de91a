import { createApp, codecs, type App } from 'faustgen';
import { progress } from '../../lib/progress.js';
import { nowMs } from '../../lib/stats.js';

export interface TableAppOptions {
  readonly bootstrap: string;
  readonly appId: string;
  readonly store: 'memory://' | 'rocksdb://';
  readonly datadir: string;
  readonly partitions: number;
  readonly label: string;
}

export interface StartFigures {
  readonly app: App;
  /** createApp → app.start() resolved (start waits for whenReady: tables recovered). */
  readonly readyMs: number;
  readonly replayed: number;
  /** The table manager's own figure ("tables recovered" log line), when a recovery ran. */
  readonly recoverySeconds: number | undefined;
}

interface LogLine {
  readonly level?: string;
  readonly msg?: string;
  readonly seconds?: number;
  readonly percent?: number;
  readonly recordsPerSecond?: number;
}

/**
 * Starts an app with a table `kv` (string keys, JSON values) and an agent that declares it, on an
 * events topic co-partitioned with the changelog, and times start → ready. The app's JSON log is
 * read to get the replay time and to relay recovery progress and warnings to stderr.
 */
export async function startTableApp(options: TableAppOptions): Promise<StartFigures> {
  let recoverySeconds: number | undefined;
  const sink = {
    write(line: string): void {
      let parsed: LogLine;
      try {
        parsed = JSON.parse(line) as LogLine;
      } catch {
        return;
      }
      if (parsed.msg === 'tables recovered' && typeof parsed.seconds === 'number') recoverySeconds = parsed.seconds;
      else if (parsed.msg === 'recovery progress') progress(`${options.label}: recovery ${String(parsed.percent)}% (${String(parsed.recordsPerSecond)} records/s)`);
      else if (parsed.level === 'warn' || parsed.level === 'error') progress(`${options.label}: app ${parsed.level}: ${line}`);
    },
  };
  const started = nowMs();
  const app = createApp(
    {
      id: options.appId,
      broker: `kafka://${options.bootstrap}`,
      store: options.store,
      datadir: options.datadir,
      topicPartitions: options.partitions,
      standbyReplicas: 0,
      logLevel: 'info',
      logFormat: 'json',
    },
    { logSink: sink },
  );
  const kv = app.table('kv', { key: codecs.string, value: codecs.json<unknown>(), partitions: options.partitions });
  const events = app.topic(`${options.appId}-events`, { key: codecs.string, value: codecs.json<unknown>(), partitions: options.partitions });
  app.agent('touch', { source: events, tables: [kv] }, async (stream) => {
    for await (const event of stream.events()) kv.set(event.key, event.value);
  });
  await app.start();
  const readyMs = nowMs() - started;
  return { app, readyMs, replayed: app.recoveryReplayed.get('kv') ?? 0, recoverySeconds };
}
