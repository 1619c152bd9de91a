#!/usr/bin/env node
// `npm run demo`: the Quick start. Generates examples/greetings with the real CLI (`faustgen codegen`)
// and runs its worker (`faustgen worker`) on the embedded broker: a timer sends a greeting every second
// and an agent prints it. Ctrl-C stops it gracefully (a second Ctrl-C exits at once).
// FAUSTGEN_DEMO_SECONDS=N stops it gracefully after N seconds (exit code 0), for tests and CI.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const example = join(root, process.argv[2] ?? 'examples/greetings');
const cli = join(root, 'bin/run.js');

function runOrExit(args, cwd, what) {
  const result = spawnSync(process.execPath, args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`demo: ${what} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

// The CLI runs from dist/ and the example imports faustgen from dist/ (the package's own exports).
if (!existsSync(join(root, 'dist/generator/src/commands/worker.js'))) {
  console.log('demo: building faustgen (npm run build)...');
  runOrExit([join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], root, 'the build');
}
console.log(`demo: faustgen codegen in ${example}`);
runOrExit([cli, 'codegen'], example, 'codegen');

const seconds = Number(process.env['FAUSTGEN_DEMO_SECONDS'] ?? '0');
console.log(`demo: faustgen worker (embedded broker)${seconds > 0 ? `, stopping after ${seconds} s` : '; Ctrl-C to stop'}`);
// Its own process group: a Ctrl-C in the terminal reaches this script only, which forwards it once,
// so the worker sees one signal (graceful stop) rather than two (immediate exit).
const worker = spawn(process.execPath, [cli, 'worker', '--broker', 'memory://', '--store', 'memory://'], { cwd: example, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
// npm forwards a terminal Ctrl-C to this script too: a repeat within a second is the same keypress.
let lastForward = 0;
const forward = (signal) => {
  if (worker.exitCode !== null || worker.signalCode !== null || Date.now() - lastForward < 1000) return;
  lastForward = Date.now();
  worker.kill(signal);
};
process.on('SIGINT', () => forward('SIGINT'));
process.on('SIGTERM', () => forward('SIGTERM'));
if (seconds > 0) setTimeout(() => forward('SIGINT'), seconds * 1000).unref();
worker.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 0 : 1)));
