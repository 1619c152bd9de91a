#!/usr/bin/env node
// `npm run demo`: runs an example app on the embedded broker with visible output (Ctrl-C stops it).
// FAUSTGEN_DEMO_SECONDS=N stops it after N seconds.
import { spawn } from 'node:child_process';

const example = process.argv[2] ?? 'examples/hand-written/greetings.ts';
const child = spawn(process.execPath, ['--import', 'tsx', example], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
