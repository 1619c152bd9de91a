import { Flags } from '@oclif/core';
import { resolve } from 'node:path';
import { resetLocalState } from '../../../runtime/src/stores/index.js';
import { FaustgenCommand } from '../cli/base-command.js';
import { loadProject } from '../cli/project.js';

export default class Reset extends FaustgenCommand {
  static override summary = "Delete the app's local table state so the next start rebuilds every table from its changelog.";
  static override description =
    'Use it when a worker refuses to start with FG_STORE_OFFSET_AHEAD (a changelog topic was deleted or recreated) or after changing ' +
    'the store. Refuses while a worker holds the state (FG_STORE_LOCKED). Changelog topics are not touched.';
  static override examples = ['<%= config.bin %> reset', '<%= config.bin %> reset --datadir /var/lib/orders'];
  static override enableJsonFlag = true;
  static override flags = {
    datadir: Flags.string({ summary: 'Data directory of the worker (default: the topology datadir, or <app id>-data).', env: 'FAUSTGEN_DATADIR' }),
  };

  async run(): Promise<{ path: string; databases: number }> {
    const { flags } = await this.parse(Reset);
    const project = await loadProject(flags.config);
    const { id, datadir } = project.topology.settings;
    const dir = resolve(project.root, flags.datadir ?? datadir ?? `${id}-data`);
    const result = await resetLocalState(dir, id);
    this.log(result.databases === 0 ? `no local table state under ${result.path}` : `deleted ${result.databases} table partition database(s) under ${result.path}`);
    return { path: result.path, databases: result.databases };
  }
}
