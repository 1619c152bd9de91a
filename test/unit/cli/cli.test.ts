import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = join(repoRoot, 'bin/run.js');

/** Runs the built CLI (bin/run.js → dist/) like a user would. */
function faustgen(args: readonly string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  assert.ok(existsSync(join(repoRoot, 'dist/generator/src/commands/codegen.js')), 'run `npm run build` first: the CLI runs from dist/');
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A loopback port that was free a moment ago: connecting to it is refused. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

function project(topology: string): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'faustgen-cli-'));
  writeFileSync(join(root, 'faustgen.yaml'), topology);
  mkdirSync(join(root, 'schemas'));
  cpSync(join(repoRoot, 'templates/init/schemas/greeting.avsc'), join(root, 'schemas/greeting.avsc'));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

const topology = ['app: demo', 'topics:', '  - name: greetings', '    value: Greeting', 'agents:', '  - name: printer', '    source: greetings', ''].join('\n');

describe('faustgen CLI', () => {
  for (const command of ['init', 'codegen', 'worker', 'send', 'agents', 'topics', 'tables', 'models']) {
    test(`${command} --help`, () => {
      const result = faustgen([command, '--help'], repoRoot);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /USAGE\n {2}\$ faustgen /);
      assert.match(result.stdout, new RegExp(`faustgen ${command}`));
    });
  }

  test('a broken topology prints every problem as one line each, exits 1 and writes nothing', () => {
    const broken = project(topology.replace('    source: greetings', '    source: greetngs\n    tabels: [counts]'));
    try {
      const result = faustgen(['codegen'], broken.root);
      assert.equal(result.status, 1);
      const lines = result.stderr.trim().split('\n');
      assert.deepEqual(lines, [
        'error FG_SCHEMA_INVALID: faustgen.yaml:8:5 (/agents/0/tabels): unknown key "tabels" in agent — did you mean "tables"?',
        'error FG_SCHEMA_INVALID: faustgen.yaml:7:13 (/agents/0/source): unknown topic "greetngs" — did you mean "greetings"?',
        '2 problems found; nothing was written.',
      ]);
      assert.equal(existsSync(join(broken.root, 'src')), false);
    } finally {
      broken.cleanup();
    }
  });

  test('codegen writes, --check passes, then fails listing a stale file', () => {
    const app = project(topology);
    try {
      const first = faustgen(['codegen'], app.root);
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stdout, /created stub src\/agents\/printer\.ts/);
      assert.equal(faustgen(['codegen', '--check'], app.root).status, 0);
      writeFileSync(join(app.root, 'src/generated/topics.ts'), '// hand edit\n');
      const check = faustgen(['codegen', '--check'], app.root);
      assert.equal(check.status, 1);
      assert.match(check.stdout, /stale: src\/generated\/topics\.ts/);
      assert.match(check.stderr, /^error FG_CODEGEN_STALE: /m);
      assert.equal(readFileSync(join(app.root, 'src/generated/topics.ts'), 'utf8'), '// hand edit\n');
    } finally {
      app.cleanup();
    }
  });

  test('listing commands answer in JSON with --json', () => {
    const app = project(topology);
    try {
      const agents = JSON.parse(faustgen(['agents', '--json'], app.root).stdout) as { agents: { name: string; source: string; value: string }[] };
      assert.deepEqual(agents.agents.map((agent) => [agent.name, agent.source, agent.value]), [['printer', 'greetings', 'Greeting']]);
      const topics = JSON.parse(faustgen(['topics', '--json'], app.root).stdout) as { topics: { name: string }[] };
      assert.deepEqual(topics.topics.map((topic) => topic.name), ['greetings']);
      const models = JSON.parse(faustgen(['models', '--json'], app.root).stdout) as { models: { name: string; fields: { name: string }[] }[] };
      assert.deepEqual(models.models.map((model) => [model.name, model.fields.map((field) => field.name)]), [['example.Greeting', ['from_name', 'to_name']]]);
    } finally {
      app.cleanup();
    }
  });

  test('init refuses a non-empty folder without --force', () => {
    const app = project(topology);
    try {
      const result = faustgen(['init', app.root], repoRoot);
      assert.equal(result.status, 1);
      assert.match(result.stderr, /^error FG_SETTING_INVALID: .* is not empty .*--force/m);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    } finally {
      app.cleanup();
    }
  });

  // On memory:// the broker lives inside the worker: send goes through its web server, and says how
  // to start one when nobody answers (a port just freed refuses connections).
  test('send on the in-memory broker needs a running worker and says so in one line', async () => {
    const port = await closedPort();
    const result = faustgen(['send', 'greetings', '{"from_name":"a","to_name":"b"}', '--worker', `http://127.0.0.1:${port}`], join(repoRoot, 'examples/greetings'));
    assert.equal(result.status, 1);
    assert.match(result.stderr, new RegExp(`^error FG_TRANSPORT: no worker answers at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\): start one with \`faustgen worker\``, 'm'));
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });

  // examples/greetings resolves `faustgen` to this package, so its generated registry loads; both
  // errors come before any connection is attempted (the broker address is never dialled).
  test('send names an unknown topic and lists the known ones, in one line', () => {
    const result = faustgen(['send', 'nope', '{}', '--broker', 'kafka://127.0.0.1:9'], join(repoRoot, 'examples/greetings'));
    assert.equal(result.status, 1);
    assert.deepEqual(result.stderr.trim().split('\n'), ['error FG_TOPIC_MISSING: "nope" is neither a topic nor an agent fed by a topic (known: greetings, print-greetings)']);
  });

  test('send refuses a value that does not fit the topic schema, naming the field path', () => {
    const result = faustgen(['send', 'greetings', '{"from_name":"Ada","to_name":5}', '--broker', 'kafka://127.0.0.1:9'], join(repoRoot, 'examples/greetings'));
    assert.equal(result.status, 1);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0] ?? '', /^error FG_VALIDATION: value does not fit topic "greetings" \(codec [^)]+\): .*\$\.to_name/);
  });
});
