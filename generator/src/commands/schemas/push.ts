import { Flags } from '@oclif/core';
import { FaustgenCommand } from '../../cli/base-command.js';
import { loadCatalog, loadProject } from '../../cli/project.js';
import { cliRegistry, subjectTargets } from '../../cli/registry-subjects.js';

export default class SchemasPush extends FaustgenCommand {
  static override summary = "Register every registry-framed topic's local schema under its subject.";
  static override description = 'The registry applies its compatibility rule: an incompatible schema is refused (exit 1, naming the change). Registering an already registered schema returns its id.';
  static override examples = ['<%= config.bin %> schemas push', '<%= config.bin %> schemas push --json'];
  static override enableJsonFlag = true;
  static override flags = {
    registry: Flags.string({ summary: 'Registry URL (default: FAUSTGEN_SCHEMA_REGISTRY_URL, then schemaRegistry.url).' }),
  };

  async run(): Promise<{ subjects: { subject: string; model: string; id: number }[] }> {
    const { flags } = await this.parse(SchemasPush);
    const project = await loadProject(flags.config);
    const { catalog } = await loadCatalog(flags.config);
    const client = cliRegistry(flags.registry, project.topology);
    const subjects = [];
    for (const target of await subjectTargets(project.topology, catalog, project.root)) {
      const { id } = await client.register(target.subject, target.schema, target.schemaType);
      subjects.push({ subject: target.subject, model: target.model, id });
      this.log(`${target.subject}: id ${id} (${target.model})`);
    }
    return { subjects };
  }
}
