import { Args } from '@oclif/core';
import { FaustgenError } from '../../../../runtime/src/core/errors.js';
import { FaustgenCommand } from '../../cli/base-command.js';
import { loadProject, type Project } from '../../cli/project.js';
import { callWorker, workerError, workerFlag, workerUrl } from '../../cli/worker-client.js';

export default class TableGet extends FaustgenCommand {
  static override summary = 'Print the value of a table key, read from a running worker.';
  static override description = 'Asks a worker\'s web server for the key; the worker that holds the key\'s partition answers (another worker forwards the question to it). The key is JSON (42, "a b") unless the table\'s key type is string.';
  static override examples = ['<%= config.bin %> table get counts ada', '<%= config.bin %> table get counts ada --worker http://127.0.0.1:6067'];
  static override enableJsonFlag = true;
  static override args = {
    table: Args.string({ description: 'Table name.', required: true }),
    key: Args.string({ description: 'The key.', required: true }),
  };
  static override flags = { worker: workerFlag };

  async run(): Promise<{ table: string; key: unknown; value: unknown; found: boolean }> {
    const { args, flags } = await this.parse(TableGet);
    const project: Project | undefined = flags.worker === undefined ? await loadProject(flags.config).catch(() => undefined) : undefined;
    const base = workerUrl(flags.worker, project);
    const { status, body } = await callWorker(base, `/table/${encodeURIComponent(args.table)}/${encodeURIComponent(args.key)}`);
    if (status !== 200) {
      throw new FaustgenError(status === 404 ? 'FG_SETTING_INVALID' : 'FG_TRANSPORT', `the worker at ${base} answered ${status}: ${workerError(body)}`, { kind: status === 404 ? 'user' : 'transport', details: { table: args.table, url: base } });
    }
    const answer = body as { table: string; key: unknown; value: unknown; found: boolean };
    this.log(JSON.stringify(answer.value));
    return answer;
  }
}
