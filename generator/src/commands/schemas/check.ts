import { Flags } from '@oclif/core';
import { FaustgenError } from '../../../../runtime/src/core/errors.js';
import { FaustgenCommand } from '../../cli/base-command.js';
import { loadCatalog, loadProject } from '../../cli/project.js';
import { cliRegistry, explainAvroIncompatibility, subjectTargets } from '../../cli/registry-subjects.js';

export default class SchemasCheck extends FaustgenCommand {
  static override summary = "Check every registry-framed topic's local schema against its subject, through the registry's compatibility API.";
  static override description =
    'Asks the schema registry whether each local schema is compatible with the latest version of its subject under the rule set for that subject (BACKWARD, FORWARD, FULL...). Exits non-zero naming the incompatible change. A subject with no version yet passes.';
  static override examples = ['<%= config.bin %> schemas check', '<%= config.bin %> schemas check --registry http://localhost:8081 --json'];
  static override enableJsonFlag = true;
  static override flags = {
    registry: Flags.string({ summary: 'Registry URL (default: FAUSTGEN_SCHEMA_REGISTRY_URL, then schemaRegistry.url).' }),
  };

  async run(): Promise<{ subjects: { subject: string; topic: string; part: string; model: string; compatible: boolean; messages: readonly string[] }[] }> {
    const { flags } = await this.parse(SchemasCheck);
    const project = await loadProject(flags.config);
    const { catalog } = await loadCatalog(flags.config);
    const client = cliRegistry(flags.registry, project.topology);
    const subjects = [];
    for (const target of await subjectTargets(project.topology, catalog, project.root)) {
      const checked = await client.checkCompatibility(target.subject, target.schema, target.schemaType);
      // Registries that answer only true/false (Apicurio): say which field, from the latest version.
      const result = checked.compatible || checked.messages.length > 0 || target.schemaType !== 'AVRO' ? checked : { ...checked, messages: explainAvroIncompatibility((await client.subjectVersion(target.subject, 'latest')).schema, target.schema) };
      subjects.push({ subject: target.subject, topic: target.topic, part: target.part, model: target.model, compatible: result.compatible, messages: result.messages });
      this.log(`${result.compatible ? 'ok  ' : 'FAIL'} ${target.subject} (${target.model} from ${target.file})`);
      if (!result.compatible) for (const message of result.messages) this.log(`     ${message}`);
    }
    const failed = subjects.filter((s) => !s.compatible);
    if (failed.length > 0) {
      const first = failed[0];
      throw new FaustgenError('FG_SCHEMA_INCOMPATIBLE', `${failed.length} schema${failed.length === 1 ? ' is' : 's are'} incompatible with the registry: ${failed.map((f) => f.subject).join(', ')}${first?.messages[0] === undefined ? '' : ` (${first.messages[0]})`}`, {
        kind: 'user',
        details: { subjects: failed },
      });
    }
    if (subjects.length === 0) this.log('no registry-framed topics in the topology');
    return { subjects };
  }
}
