/**
 * Agreement of faustgen's generated JSON Schema validation with the official JSON Schema Test Suite
 * (github.com/json-schema-org/JSON-Schema-Test-Suite), for draft-07 and 2020-12, restricted to the
 * test files of keywords faustgen supports (docs/type-mapping.md). The suite is read from a git
 * directory and never copied into this repository: it is for acceptance only.
 *
 * Each test group's schema is written to `root.schema.json` (with the draft's `$schema` added when the
 * group has none) and compiled with generateModels, as scripts/validator-compare.ts and the unit tests
 * do; the generated module is imported and every instance goes through the generated codec's
 * validate() (the model-form check `encode` runs). Decoding (JSON bytes → model) is counted alongside.
 * A group whose schema faustgen refuses at codegen is counted as refused, not as a disagreement.
 *
 * Usage: npm run build && node --import tsx scripts/jsonschema-suite.ts <suite git dir> [draft7|draft2020-12|draft7-optional-format ...] [--quiet]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateModels } from '../generator/src/models/index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Test files whose keyword faustgen supports; the others (patternProperties, not, if, contains, ...) are left out. */
const supportedFiles: Record<string, { dir: string; schema: string; files: string[] }> = {
  draft7: {
    dir: 'draft7',
    schema: 'http://json-schema.org/draft-07/schema#',
    files: [
      'additionalItems', 'additionalProperties', 'allOf', 'anyOf', 'boolean_schema', 'const', 'default', 'definitions', 'enum',
      'exclusiveMaximum', 'exclusiveMinimum', 'format', 'infinite-loop-detection', 'items', 'maxItems', 'maxLength', 'maximum',
      'minItems', 'minLength', 'minimum', 'multipleOf', 'oneOf', 'pattern', 'properties', 'ref', 'required', 'type',
    ],
  },
  'draft2020-12': {
    dir: 'draft2020-12',
    schema: 'https://json-schema.org/draft/2020-12/schema',
    files: [
      'additionalProperties', 'allOf', 'anchor', 'anyOf', 'boolean_schema', 'const', 'default', 'defs', 'enum', 'exclusiveMaximum',
      'exclusiveMinimum', 'format', 'infinite-loop-detection', 'items', 'maxItems', 'maxLength', 'maximum', 'minItems', 'minLength',
      'minimum', 'multipleOf', 'oneOf', 'pattern', 'prefixItems', 'properties', 'ref', 'required', 'type',
    ],
  },
  /** The formats faustgen asserts in draft-07 (an option the spec leaves to validators; tests/draft7/optional). */
  'draft7-optional-format': {
    dir: 'draft7/optional/format',
    schema: 'http://json-schema.org/draft-07/schema#',
    files: ['date', 'date-time'], // the draft-07 suite has no uuid format tests
  },
};

interface SuiteTest { description: string; data: unknown; valid: boolean }
interface SuiteGroup { description: string; schema: unknown; tests: SuiteTest[] }
interface Codec { decode(bytes: Buffer): unknown; validate(value: unknown): unknown[] }
interface FileStats {
  file: string;
  groups: number;
  compiled: number;
  refused: number;
  /** Generated without diagnostics, but the generator threw or the generated module does not load. */
  broken: number;
  tests: number;
  agree: number;
  disagree: number;
  decodeAgree: number;
  refusedTests: number;
  brokenTests: number;
}

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const quiet = process.argv.includes('--quiet');
const gitDir = args[0];
if (gitDir === undefined) {
  console.error('usage: node --import tsx scripts/jsonschema-suite.ts <suite git dir> [draft7|draft2020-12|draft7-optional-format ...] [--quiet]');
  process.exit(2);
}
const drafts = args.length > 1 ? args.slice(1) : ['draft7', 'draft2020-12'];
const git = (...a: string[]): string => execFileSync('git', [`--git-dir=${gitDir}`, ...a], { encoding: 'utf8', maxBuffer: 64 << 20 });
const commit = git('rev-parse', 'HEAD').trim();
const short = (s: string, n = 70): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

const dir = mkdtempSync(join(tmpdir(), 'faustgen-jsonsuite-'));
let counter = 0;
try {
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(repoRoot, join(dir, 'node_modules', 'faustgen'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'jsonsuite', private: true, type: 'module' }));
  console.log(`JSON Schema Test Suite ${commit} (${git('log', '-1', '--format=%cs').trim()}), run ${new Date().toISOString()}`);

  for (const draft of drafts) {
    const spec = supportedFiles[draft];
    if (spec === undefined) throw new Error(`unknown draft ${draft}`);
    const stats: FileStats[] = [];
    const disagreements: string[] = [];
    const decodeOnly: string[] = [];
    const refusals: string[] = [];
    const broken: string[] = [];
    const reasons = new Map<string, number>();
    for (const file of spec.files) {
      const groups = JSON.parse(git('show', `HEAD:tests/${spec.dir}/${file}.json`)) as SuiteGroup[];
      const s: FileStats = { file, groups: groups.length, compiled: 0, refused: 0, broken: 0, tests: 0, agree: 0, disagree: 0, decodeAgree: 0, refusedTests: 0, brokenTests: 0 };
      stats.push(s);
      for (const group of groups) {
        const n = counter++;
        const schema =
          typeof group.schema === 'object' && group.schema !== null && !('$schema' in group.schema) ? { $schema: spec.schema, ...group.schema } : group.schema;
        const schemaFile = join(dir, `s${n}`, 'root.schema.json');
        mkdirSync(dirname(schemaFile), { recursive: true });
        writeFileSync(schemaFile, JSON.stringify(schema));
        let codec: Codec | undefined;
        let refusal: string[] | undefined;
        let failure: string | undefined;
        try {
          const result = await generateModels({ schemaFiles: [schemaFile], projectRoot: dir, outDir: `gen${n}` });
          if (result.diagnostics.length > 0) {
            refusal = [...new Set(result.diagnostics.map((d) => d.message))];
          } else {
            for (const f of result.files.values()) {
              mkdirSync(dirname(join(dir, f.path)), { recursive: true });
              writeFileSync(join(dir, f.path), f.content);
            }
            const root = result.catalog.entries.find((e) => e.format === 'jsonschema' && e.location.pointer === '') ?? result.catalog.entries[0];
            if (root === undefined) throw new Error('no root model in the catalog');
            const module = (await import(pathToFileURL(join(dir, `gen${n}`, root.modulePath.replace(/\.js$/, '.ts'))).href)) as Record<string, Codec>;
            codec = module[root.codecs.json ?? ''];
            if (codec === undefined) throw new Error(`no JSON codec exported for ${root.fullName}`);
          }
        } catch (err) {
          failure = (err as Error).message.split('\n')[0]?.replace(dir, '<tmp>');
        }
        if (failure !== undefined) {
          s.broken++;
          s.brokenTests += group.tests.length;
          broken.push(`${file} | ${short(group.description, 60)} | ${short(failure, 150)}`);
          continue;
        }
        if (codec === undefined) {
          // One count per group and kind of diagnostic, quoted details left out ("keyword … is not supported").
          const kinds = (refusal ?? []).map((m) => m.replace(/"[^"]*"|`[^`]*`|\([^)]*\)| in s\d+\/\S+|: .*$/g, '…').split(';')[0] ?? m);
          for (const kind of new Set(kinds)) reasons.set(kind, (reasons.get(kind) ?? 0) + 1);
          s.refused++;
          s.refusedTests += group.tests.length;
          refusals.push(`${file} | ${short(group.description, 60)} | ${short((refusal ?? []).join('; ').replace(/ in s\d+\/root\.schema\.json/g, ''), 150)}`);
          continue;
        }
        s.compiled++;
        for (const t of group.tests) {
          s.tests++;
          let valid: boolean | string;
          try {
            valid = codec.validate(t.data).length === 0;
          } catch (err) {
            valid = `threw ${(err as Error).message.split('\n')[0]}`;
          }
          let decoded: boolean;
          try {
            codec.decode(Buffer.from(JSON.stringify(t.data)));
            decoded = true;
          } catch {
            decoded = false;
          }
          if (decoded === t.valid) s.decodeAgree++;
          const line = `${file} | ${short(group.description)} | ${short(t.description)} | expected ${t.valid}`;
          if (valid === t.valid) {
            s.agree++;
            if (decoded !== t.valid) decodeOnly.push(`${line}, decode ${decoded} (validate() agrees)`);
          } else {
            s.disagree++;
            disagreements.push(`${line}, validate() ${valid}, decode ${decoded}`);
          }
        }
      }
    }

    const sum = (k: keyof Omit<FileStats, 'file'>): number => stats.reduce((a, s) => a + s[k], 0);
    const pct = (a: number, b: number): string => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)}%`);
    console.log(`\n=== ${draft} (${spec.files.length} test files) ===`);
    console.log('file                        groups compiled refused broken | tests agree disagree  agree%  (decode agree) | tests in refused/broken groups');
    for (const s of stats) {
      console.log(
        `${s.file.padEnd(27)} ${String(s.groups).padStart(6)} ${String(s.compiled).padStart(8)} ${String(s.refused).padStart(7)} ${String(s.broken).padStart(6)} | ${String(s.tests).padStart(5)} ${String(s.agree).padStart(5)} ${String(s.disagree).padStart(8)} ${pct(s.agree, s.tests).padStart(7)}  (${String(s.decodeAgree).padStart(4)}) | ${s.refusedTests}/${s.brokenTests}`,
      );
    }
    console.log(
      `TOTAL ${draft}: groups ${sum('groups')} (compiled ${sum('compiled')}, refused ${sum('refused')}, broken ${sum('broken')}); ` +
        `tests in compiled groups ${sum('tests')}: validate() agrees ${sum('agree')}, disagrees ${sum('disagree')} (${pct(sum('agree'), sum('tests'))}); ` +
        `decode agrees ${sum('decodeAgree')} (${pct(sum('decodeAgree'), sum('tests'))}); tests in refused groups ${sum('refusedTests')}, in broken groups ${sum('brokenTests')}; ` +
        `counting broken groups' tests as disagreements: ${sum('agree')}/${sum('tests') + sum('brokenTests')} (${pct(sum('agree'), sum('tests') + sum('brokenTests'))})`,
    );
    if (!quiet) {
      console.log(`\n--- ${draft} disagreements of validate() (file | group | test | expected, got) ---`);
      for (const d of disagreements) console.log(d);
      console.log(`\n--- ${draft} decode-only disagreements ---`);
      for (const d of decodeOnly) console.log(d);
      console.log(`\n--- ${draft} broken groups: no diagnostics, but generation threw or the generated code does not load ---`);
      for (const b of broken) console.log(b);
      console.log(`\n--- ${draft} refused groups (file | group | diagnostics) ---`);
      for (const r of refusals) console.log(r);
    }
    console.log(`\n--- ${draft} refusals by kind of diagnostic (groups) ---`);
    for (const [kind, count] of [...reasons].sort((a, b) => b[1] - a[1])) console.log(`${String(count).padStart(4)}  ${short(kind, 140)}`);
    if (!quiet) {
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
