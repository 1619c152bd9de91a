import { FaustgenCommand } from '../cli/base-command.js';
import { formatTable } from '../cli/listing.js';
import { loadCatalog } from '../cli/project.js';

export default class Models extends FaustgenCommand {
  static override summary = 'List the models generated from the schemas, with their fields.';
  static override examples = ['<%= config.bin %> models', '<%= config.bin %> models --json'];
  static override enableJsonFlag = true;

  async run(): Promise<{ models: Record<string, unknown>[] }> {
    const { flags } = await this.parse(Models);
    const { catalog } = await loadCatalog(flags.config);
    const rows = catalog.entries.map((entry) => ({
      name: entry.fullName,
      className: entry.className,
      kind: entry.kind,
      format: entry.format,
      file: entry.location.file,
      module: entry.modulePath,
      aliases: entry.aliases,
      fields: entry.fields.map((field) => ({ name: field.name, type: field.tsType, optional: field.optional })),
    }));
    const table = rows.map((row) => ({ ...row, fields: row.fields.map((field) => `${field.name}${field.optional ? '?' : ''}: ${field.type}`).join('; ') }));
    for (const line of formatTable(table, ['name', 'kind', 'format', 'file', 'fields'])) this.log(line);
    return { models: rows };
  }
}
