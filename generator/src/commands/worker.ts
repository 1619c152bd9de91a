import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Flags } from '@oclif/core';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import { FaustgenCommand } from '../cli/base-command.js';
import { generateTarget, loadProject } from '../cli/project.js';

/** Environment variables the generated settings module reads (see templates/app/settings.ts.hbs). */
const overrides = { broker: 'FAUSTGEN_BROKER', store: 'FAUSTGEN_STORE', datadir: 'FAUSTGEN_DATADIR', 'web-port': 'FAUSTGEN_WEB_PORT', 'web-bind': 'FAUSTGEN_WEB_BIND', loglevel: 'FAUSTGEN_LOG_LEVEL' } as const;

type RunWorker = (app: unknown) => Promise<unknown>;

/** The runtime the project's own code imports, so the app and runWorker share one module instance. */
async function loadRunWorker(projectRoot: string): Promise<RunWorker> {
  let entry: string;
  try {
    entry = pathToFileURL(createRequire(join(projectRoot, 'package.json')).resolve('faustgen')).href;
  } catch {
    entry = new URL('../../../runtime/src/index.js', import.meta.url).href;
  }
  const runtime = (await import(entry)) as { runWorker?: unknown };
  if (typeof runtime.runWorker !== 'function') throw new FaustgenError('FG_INTERNAL', `the faustgen runtime at ${entry} has no runWorker export`, { kind: 'internal' });
  return runtime.runWorker as RunWorker;
}

export default class Worker extends FaustgenCommand {
  static override summary = 'Run the app: consume topics, run agents, timers and pages until stopped.';
  static override description = `Loads the generated ${'`main.ts`'} of the project straight from TypeScript (no build needed) and runs it with the faustgen runtime. Flags override the settings in faustgen.yaml through the FAUSTGEN_* environment variables the generated settings read. Stop it with Ctrl-C (SIGINT) or SIGTERM; it commits and leaves the group cleanly.`;
  static override examples = ['<%= config.bin %> worker', '<%= config.bin %> worker --broker kafka://localhost:9092 --store rocksdb:// --web-port 6067', '<%= config.bin %> worker --without-web', '<%= config.bin %> worker --loglevel debug'];
  static override flags = {
    broker: Flags.string({ summary: 'Broker URL: memory:// or kafka://host:port;host:port.', env: 'FAUSTGEN_BROKER' }),
    store: Flags.string({ summary: 'Table store URL: memory:// or rocksdb://[/dir].', env: 'FAUSTGEN_STORE' }),
    datadir: Flags.string({ summary: 'Folder for table data and the worker lock.', env: 'FAUSTGEN_DATADIR' }),
    'web-port': Flags.integer({ summary: 'Port of the web server: health, readiness, metrics, stats, tables and your pages (default 6066; 0 = any free port).', min: 0, max: 65535, env: 'FAUSTGEN_WEB_PORT' }),
    'web-bind': Flags.string({ summary: 'Address the web server binds (default 127.0.0.1; 0.0.0.0 for every interface).', env: 'FAUSTGEN_WEB_BIND' }),
    'without-web': Flags.boolean({ summary: 'Run without the web server.' }),
    loglevel: Flags.option({ options: ['debug', 'info', 'warn', 'error'] as const, summary: 'Log level.', env: 'FAUSTGEN_LOG_LEVEL' })(),
    check: Flags.boolean({ summary: 'Before starting, check that the generated code is current and the project type-checks (--no-check skips both).', default: true, allowNo: true, env: 'FAUSTGEN_WORKER_CHECK' }),
  };

  /** The README's exit codes of `worker`: 2 for a configuration error (a user mistake found before or at start), as runWorker does. */
  protected override failureExitCode(error: Error): number {
    return FaustgenError.is(error) && error.kind === 'user' ? 2 : 1;
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Worker);
    const project = await loadProject(flags.config);
    const main = join(project.root, project.topology.paths.output, 'main.ts');
    if (!existsSync(main)) {
      throw new FaustgenError('FG_CODEGEN_STALE', `${main} does not exist; run \`faustgen codegen\` first`, { kind: 'user', details: { file: main } });
    }
    if (flags.check) {
      const { preflight } = await import('../cli/preflight.js');
      await preflight(generateTarget(flags.config));
    }
    for (const [flag, variable] of Object.entries(overrides)) {
      const value = flags[flag as keyof typeof overrides];
      if (value !== undefined) process.env[variable] = String(value);
    }
    if (flags['without-web']) process.env['FAUSTGEN_WEB_ENABLED'] = 'false';
    // tsx's loader hooks make the project's TypeScript importable; registered globally (not namespaced)
    // so that `faustgen` resolves to the same module instance for the app and for runWorker.
    const { register } = await import('tsx/esm/api');
    register();
    const module = (await import(pathToFileURL(main).href)) as { app?: unknown };
    if (module.app === undefined) throw new FaustgenError('FG_CODEGEN_STALE', `${main} exports no app; run \`faustgen codegen\``, { kind: 'user' });
    const runWorker = await loadRunWorker(project.root);
    await runWorker(module.app);
  }
}
