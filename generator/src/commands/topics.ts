import { FaustgenCommand } from '../cli/base-command.js';
import { formatTable, topicRows } from '../cli/listing.js';
import { loadProject } from '../cli/project.js';

export default class Topics extends FaustgenCommand {
  static override summary = 'List the topics of the topology with their key and value types.';
  static override examples = ['<%= config.bin %> topics', '<%= config.bin %> topics --json'];
  static override enableJsonFlag = true;

  async run(): Promise<{ topics: Record<string, unknown>[] }> {
    const { flags } = await this.parse(Topics);
    const project = await loadProject(flags.config);
    const rows = topicRows(project.topology);
    for (const line of formatTable(rows, ['name', 'key', 'value', 'partitions', 'replication'])) this.log(line);
    return { topics: rows };
  }
}
