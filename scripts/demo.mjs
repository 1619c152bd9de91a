#!/usr/bin/env node
// `npm run demo`: the Quick start. Generates examples/greetings with the real CLI (`faustgen codegen`)
// and runs its worker (`faustgen worker`) on the embedded broker: a timer sends a greeting every second
// and an agent prints it and counts it per sender in a table. It stops by itself (gracefully, exit 0)
// after FAUSTGEN_DEMO_GREETINGS greetings (default 8) or FAUSTGEN_DEMO_SECONDS seconds after "worker ready" (default 30),
// whichever comes first, then prints a summary of what happened. 0 for both runs until Ctrl-C.
// Ctrl-C stops it gracefully at any time (a second Ctrl-C exits at once).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
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

function bound(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`demo: ${name} must be a whole number >= 0 (0: no bound), got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}

const maxGreetings = bound('FAUSTGEN_DEMO_GREETINGS', 8);
const maxSeconds = bound('FAUSTGEN_DEMO_SECONDS', 30);

// The CLI runs from dist/ and the example imports faustgen from dist/ (the package's own exports).
if (!existsSync(join(root, 'dist/generator/src/commands/worker.js'))) {
  console.log('demo: building faustgen (npm run build)...');
  runOrExit([join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], root, 'the build');
}
console.log(`demo: faustgen codegen in ${example}`);
runOrExit([cli, 'codegen'], example, 'codegen');

const bounds = [maxGreetings > 0 ? `${maxGreetings} greetings` : undefined, maxSeconds > 0 ? `${maxSeconds} s` : undefined].filter(Boolean);
console.log(`demo: faustgen worker (embedded broker, tables in memory); stops after ${bounds.length > 0 ? bounds.join(' or ') : 'Ctrl-C only'}${bounds.length > 0 ? ', or Ctrl-C' : ''}`);
const started = Date.now();
// Its own process group: a Ctrl-C in the terminal reaches this script only, which forwards it once,
// so the worker sees one signal (graceful stop) rather than two (immediate exit).
// --no-check: codegen just ran, and the example's type-check is part of the test suite; this keeps the demo quick.
const worker = spawn(process.execPath, [cli, 'worker', '--no-check', '--broker', 'memory://', '--store', 'memory://'], { cwd: example, stdio: ['ignore', 'pipe', 'pipe'], detached: true });

let lastForward = 0;
let stopReason;
const stop = (signal, reason) => {
  if (worker.exitCode !== null || worker.signalCode !== null) return;
  // npm forwards a terminal Ctrl-C to this script too: a repeat within a second is the same keypress.
  if (Date.now() - lastForward < 1000) return;
  lastForward = Date.now();
  stopReason ??= reason;
  worker.kill(signal);
};
process.on('SIGINT', () => stop('SIGINT', 'Ctrl-C'));
process.on('SIGTERM', () => stop('SIGTERM', 'SIGTERM'));
// The seconds count from "worker ready" (logged on stderr): start-up on a busy machine is not the demo.
let ready = false;
const logs = createInterface({ input: worker.stderr });
logs.on('line', (line) => {
  process.stderr.write(`${line}\n`);
  if (ready || !line.includes('worker ready')) return;
  ready = true;
  if (maxSeconds > 0) setTimeout(() => stop('SIGINT', `the ${maxSeconds} s bound`), maxSeconds * 1000).unref();
});

// The agent of examples/greetings prints `Hello from X to Y (X has sent N)`, N read back from its table.
const greeting = /^Hello from (\S+) to (\S+) \(\S+ has sent (\d+)\)$/;
const counts = new Map();
let printed = 0;
const lines = createInterface({ input: worker.stdout });
lines.on('line', (line) => {
  process.stdout.write(`${line}\n`);
  const match = greeting.exec(line);
  if (match === null) return;
  printed += 1;
  counts.set(match[1], Number(match[3]));
  if (maxGreetings > 0 && printed >= maxGreetings) stop('SIGINT', `${maxGreetings} greetings`);
});

worker.on('exit', (code, signal) => {
  lines.close();
  logs.close();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  // A Ctrl-C before the worker installed its signal handlers ends it by the signal: nothing had
  // started, so that is a clean stop too.
  const clean = code === 0 || (signal === 'SIGINT' && stopReason !== undefined && !ready);
  const table = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([name, n]) => `${name} ${n}`).join(', ');
  console.log('');
  console.log(`demo: summary (${seconds} s${stopReason === undefined ? '' : `, stopped after ${stopReason}`})`);
  console.log(`  timer send-greeting sent a Greeting to topic "greetings" every second; agent print-greetings printed ${printed}`);
  console.log(`  table greetings-sent counted per sender: ${table === '' ? '(nothing yet)' : table}`);
  console.log(clean
    ? '  the worker stopped cleanly: offsets committed, tables flushed. Broker and tables lived in memory, so the next run starts from zero.'
    : `  the worker failed (exit ${code ?? signal}); its log above says why.`);
  if (clean) console.log('  next: README "A user\'s day" builds your own app; FAUSTGEN_DEMO_GREETINGS=0 FAUSTGEN_DEMO_SECONDS=0 npm run demo runs until Ctrl-C.');
  if (!clean) process.exit(code ?? 1);
  if (printed === 0 && stopReason === 'Ctrl-C') process.exit(0);
  if (printed === 0) {
    console.error('demo: the worker printed no greeting');
    process.exit(1);
  }
  process.exit(0);
});
