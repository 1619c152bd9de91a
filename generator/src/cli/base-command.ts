import { Command, Errors, Flags } from '@oclif/core';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import { DiagnosticsError, failureLines } from './failure.js';

/**
 * Shared behaviour of faustgen commands: user and data errors print as `error CODE: ...` lines with a
 * non-zero exit and no stack trace; anything else is a bug and keeps oclif's stack trace.
 */
export abstract class FaustgenCommand extends Command {
  static override baseFlags = {
    config: Flags.string({ char: 'c', summary: 'Topology file, relative to the current folder.', helpValue: 'faustgen.yaml' }),
  };

  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error;
    const lines = failureLines(error);
    if (lines === undefined) return super.catch(error);
    if (this.jsonEnabled()) {
      const diagnostics = error instanceof DiagnosticsError ? error.diagnostics : [];
      const code = FaustgenError.is(error) ? error.code : 'FG_INTERNAL';
      this.logJson({ error: { code, message: error.message, diagnostics } });
    } else {
      for (const line of lines) this.logToStderr(line);
    }
    this.exit(this.failureExitCode(error));
  }

  /** The exit code of a user, data or transport failure this command reports as lines. */
  protected failureExitCode(_error: Error): number {
    return 1;
  }
}
