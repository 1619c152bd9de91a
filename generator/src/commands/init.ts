import { mkdir, readdir } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import { FaustgenCommand } from '../cli/base-command.js';
import { summarize } from '../cli/codegen-report.js';
import { projectName, scaffold } from '../cli/scaffold.js';

export default class Init extends FaustgenCommand {
  static override summary = 'Create a new faustgen project: topology, example schema, handler and test.';
  static override description = 'Scaffolds package.json (depending on this faustgen install), a strict tsconfig, faustgen.yaml, an Avro Greeting schema, an example agent and its test, then runs codegen. It never prompts. It refuses a folder that is not empty unless --force is given, and even then never overwrites an existing file.';
  static override examples = ['<%= config.bin %> init greetings', '<%= config.bin %> init . --force --app-id orders'];
  static override args = {
    dir: Args.string({ description: 'Folder to create the project in.', default: '.' }),
  };
  static override flags = {
    force: Flags.boolean({ char: 'f', summary: 'Scaffold into a folder that is not empty (existing files are kept).' }),
    'app-id': Flags.string({ summary: 'App id: consumer group and prefix of internal topics (default: from the folder name).' }),
  };

  async run(): Promise<{ dir: string; files: string[] }> {
    const { args, flags } = await this.parse(Init);
    const dir = resolve(args.dir);
    await mkdir(dir, { recursive: true });
    const existing = (await readdir(dir)).filter((name) => name !== '.git');
    if (existing.length > 0 && !flags.force) {
      throw new FaustgenError('FG_SETTING_INVALID', `${dir} is not empty (${existing.slice(0, 3).join(', ')}${existing.length > 3 ? ', ...' : ''}); pass --force to scaffold into it anyway`, { kind: 'user', details: { dir } });
    }
    const appId = flags['app-id'] ?? projectName(dir);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(appId)) {
      throw new FaustgenError('FG_SETTING_INVALID', `app id "${appId}" may only use letters, digits, ".", "_" and "-"; pass --app-id`, { kind: 'user' });
    }
    const files = await scaffold({ dir, appId });
    for (const file of files) this.log(`created ${file}`);
    const { generate } = await import('../pipeline.js');
    const summary = summarize(await generate({ projectRoot: dir }), false);
    for (const file of summary.written) this.log(`generated ${file}`);
    const where = relative(process.cwd(), dir) || '.';
    this.log('');
    this.log('Next steps:');
    this.log(`  cd ${where} && npm install && npx faustgen worker`);
    this.log('  npm test          # run the agent tests');
    this.log('  npm run codegen   # after editing faustgen.yaml or schemas/');
    return { dir, files: [...files, ...summary.written] };
  }
}
