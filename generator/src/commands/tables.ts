import { FaustgenCommand } from '../cli/base-command.js';
import { formatTable, tableRows } from '../cli/listing.js';
import { loadProject } from '../cli/project.js';

export default class Tables extends FaustgenCommand {
  static override summary = 'List the tables of the topology: kind, types, window and changelog topic.';
  static override examples = ['<%= config.bin %> tables', '<%= config.bin %> tables --json'];
  static override enableJsonFlag = true;

  async run(): Promise<{ tables: Record<string, unknown>[] }> {
    const { flags } = await this.parse(Tables);
    const project = await loadProject(flags.config);
    const rows = tableRows(project.topology);
    for (const line of formatTable(rows, ['name', 'kind', 'key', 'value', 'window', 'changelog'])) this.log(line);
    return { tables: rows };
  }
}
