import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { FaustgenCommand } from '../../cli/base-command.js';
import { loadProject } from '../../cli/project.js';
import { cliRegistry } from '../../cli/registry-subjects.js';

export default class SchemasPull extends FaustgenCommand {
  static override summary = 'Write the latest schema of registry subjects into schema files, so that codegen works from the registry.';
  static override description =
    'Avro subjects become <subject>.avsc, JSON Schema subjects <subject>.schema.json, in --out (default: the first schemas folder of faustgen.yaml, under registry/). Without subject arguments every subject of the registry is pulled.';
  static override examples = ['<%= config.bin %> schemas pull', '<%= config.bin %> schemas pull orders-value --out schemas/registry'];
  static override enableJsonFlag = true;
  static override strict = false;
  static override args = { subject: Args.string({ description: 'Subjects to pull (default: all).' }) };
  static override flags = {
    registry: Flags.string({ summary: 'Registry URL (default: FAUSTGEN_SCHEMA_REGISTRY_URL, then schemaRegistry.url).' }),
    out: Flags.string({ summary: 'Folder for the schema files.', helpValue: 'schemas/registry' }),
  };

  async run(): Promise<{ files: { subject: string; version: number; id: number; file: string }[] }> {
    const { argv, flags } = await this.parse(SchemasPull);
    const project = await loadProject(flags.config);
    const client = cliRegistry(flags.registry, project.topology);
    const out = flags.out ?? join(project.topology.paths.schemas[0] ?? 'schemas', 'registry');
    const folder = join(project.root, out);
    const subjects = argv.length > 0 ? argv.map(String) : await client.subjects();
    await mkdir(folder, { recursive: true });
    const files = [];
    for (const subject of subjects) {
      const latest = await client.subjectVersion(subject, 'latest');
      if (latest.schemaType === 'PROTOBUF') {
        this.warn(`${subject}: Protobuf schemas are not supported; skipped`);
        continue;
      }
      const name = `${subject.replace(/[^A-Za-z0-9._-]/g, '_')}${latest.schemaType === 'AVRO' ? '.avsc' : '.schema.json'}`;
      const file = join(folder, name);
      await writeFile(file, `${JSON.stringify(JSON.parse(latest.schema), null, 2)}\n`);
      const shown = relative(process.cwd(), file);
      files.push({ subject, version: latest.version, id: latest.id, file: shown });
      this.log(`${subject} v${latest.version} (id ${latest.id}) → ${shown}`);
    }
    return { files };
  }
}
