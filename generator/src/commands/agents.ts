import { FaustgenCommand } from '../cli/base-command.js';
import { formatTable, agentRows } from '../cli/listing.js';
import { loadProject } from '../cli/project.js';

export default class Agents extends FaustgenCommand {
  static override summary = 'List the agents of the topology: source, types, sinks, concurrency.';
  static override examples = ['<%= config.bin %> agents', '<%= config.bin %> agents --json'];
  static override enableJsonFlag = true;

  async run(): Promise<{ agents: Record<string, unknown>[] }> {
    const { flags } = await this.parse(Agents);
    const project = await loadProject(flags.config);
    const rows = agentRows(project.topology);
    for (const line of formatTable(rows, ['name', 'source', 'key', 'value', 'yields', 'sinks', 'concurrency'])) this.log(line);
    return { agents: rows };
  }
}
