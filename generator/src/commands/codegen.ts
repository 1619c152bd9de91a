import { Flags } from '@oclif/core';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import { FaustgenCommand } from '../cli/base-command.js';
import { summarize, summaryLines } from '../cli/codegen-report.js';
import type { CodegenSummary } from '../cli/codegen-report.js';
import { generateTarget } from '../cli/project.js';
import { failureLines } from '../cli/failure.js';

export default class Codegen extends FaustgenCommand {
  static override summary = 'Generate models and app wiring from faustgen.yaml and the schemas.';
  static override description = `Reads the topology file and every schema it names, then rewrites the generated folder (default src/generated) and adds a handler stub and a test stub for each new agent, timer, crontab, task or page. Files you own are never overwritten; stubs whose entry left the topology are reported, not deleted. If any problem is found, nothing is written.`;
  static override examples = ['<%= config.bin %> codegen', '<%= config.bin %> codegen --check', '<%= config.bin %> codegen --watch --config services/orders/faustgen.yaml'];
  static override enableJsonFlag = true;
  static override flags = {
    check: Flags.boolean({ summary: 'Write nothing; exit 1 and list stale, missing or extra generated files.', exclusive: ['watch'] }),
    watch: Flags.boolean({ char: 'w', summary: 'Regenerate whenever the topology or a schema changes.' }),
  };

  async run(): Promise<CodegenSummary> {
    const { flags } = await this.parse(Codegen);
    const { generate } = await import('../pipeline.js');
    const target = generateTarget(flags.config);
    const runOnce = async (): Promise<CodegenSummary> => summarize(await generate({ ...target, check: flags.check }), flags.check);
    if (flags.watch) {
      const { watchInputs } = await import('../cli/watch.js');
      let last: CodegenSummary = { check: false, written: [], unchanged: 0, stale: [], deleted: [], userStubsAdded: [], orphanedStubs: [] };
      this.logToStderr('watching the topology and schema folders; Ctrl-C to stop');
      await watchInputs(target, async () => {
        try {
          last = await runOnce();
          for (const line of summaryLines(last)) this.log(line);
        } catch (error) {
          for (const line of failureLines(error) ?? [String(error)]) this.logToStderr(line);
        }
      });
      if (this.jsonEnabled()) this.logJson(last);
      // Node 20 emulates recursive fs.watch with one watcher per folder whose close is lazy; exit
      // explicitly so a stopped watch never lingers.
      this.exit(0);
    }
    const summary = await runOnce();
    if (!this.jsonEnabled()) for (const line of summaryLines(summary)) this.log(line);
    if (flags.check && summary.stale.length + summary.userStubsAdded.length > 0) {
      if (this.jsonEnabled()) {
        process.exitCode = 1;
        return summary;
      }
      throw new FaustgenError('FG_CODEGEN_STALE', `${summary.stale.length + summary.userStubsAdded.length} generated file(s) are out of date; run \`faustgen codegen\``, { kind: 'user' });
    }
    return summary;
  }
}
