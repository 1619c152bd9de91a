import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../test/kafka/broker.js';
import { progress } from '../../lib/progress.js';

export const VENV_DIR = join(REPO_ROOT, '.cache', 'bench-venv');
const MARKER = join(VENV_DIR, 'faust-streaming.installed');

function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let lastReport = Date.now();
    const collect = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.length > 100_000) output = output.slice(-50_000);
      if (Date.now() - lastReport > 5_000) {
        lastReport = Date.now();
        const last = output.trimEnd().split('\n').pop() ?? '';
        progress(`  pip: ${last.slice(0, 160)}`);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited ${String(code)}:\n${output.slice(-3000)}`))));
  });
}

/** The venv's python, creating the venv and installing faust-streaming from PyPI the first time. */
export async function ensureFaustVenv(): Promise<string> {
  const python = join(VENV_DIR, 'bin', 'python');
  if (existsSync(MARKER) && existsSync(python)) return python;
  progress(`creating ${VENV_DIR} and installing faust-streaming from PyPI (one-time)`);
  await run('python3', ['-m', 'venv', VENV_DIR]);
  await run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', 'faust-streaming']);
  const version = (await run(python, ['-c', 'import faust, aiokafka; print(faust.__version__, aiokafka.__version__)'])).trim();
  await writeFile(MARKER, `${version}\n`);
  progress(`faust-streaming installed (faust, aiokafka versions: ${version})`);
  return python;
}

/** "faust <version>, aiokafka <version>" as recorded at install time. */
export async function faustVersions(python: string): Promise<string> {
  const [faust, aiokafka] = (await run(python, ['-c', 'import faust, aiokafka; print(faust.__version__, aiokafka.__version__)'])).trim().split(/\s+/);
  return `faust-streaming ${faust ?? '?'}, aiokafka ${aiokafka ?? '?'}`;
}
