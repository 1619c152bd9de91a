/**
 * Hand-written generated validation vs Ajv standalone code (compiled at codegen time), on faustgen's
 * own JSON Schema corpus (test/fixtures/jsonschema-corpus/corpus.ts): agreement with the spec's
 * answers, validation speed, code size. Numbers for docs/adr/0007-json-schema-validation.md.
 * Usage: npm run build && node --import tsx scripts/validator-compare.ts
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import standaloneModule from 'ajv/dist/standalone/index.js';
import { generateModels } from '../generator/src/models/index.js';
import { corpus } from '../test/fixtures/jsonschema-corpus/corpus.js';

const requireHere = createRequire(import.meta.url);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
type Validate = ((data: unknown) => boolean) & { errors?: unknown };
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => void;
const standaloneCode = standaloneModule as unknown as (ajv: Ajv, validate: Validate) => string;

interface Codec {
  decode(bytes: Buffer): unknown;
  validate(value: unknown): unknown[];
}

function timeIt(fn: () => void, rounds: number): number {
  fn();
  const start = performance.now();
  for (let i = 0; i < rounds; i++) fn();
  return ((performance.now() - start) * 1e6) / rounds; // ns per call
}

const dir = mkdtempSync(join(tmpdir(), 'faustgen-validators-'));
try {
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(repoRoot, join(dir, 'node_modules', 'faustgen'), 'dir');
  symlinkSync(join(repoRoot, 'node_modules', 'ajv'), join(dir, 'node_modules', 'ajv'), 'dir');
  symlinkSync(join(repoRoot, 'node_modules', 'ajv-formats'), join(dir, 'node_modules', 'ajv-formats'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'validators', private: true, type: 'module' }));
  const rows: Record<string, unknown>[] = [];
  const totals = { tests: 0, handAgrees: 0, ajvAgrees: 0, handUnsupported: 0, handBytes: 0, ajvBytes: 0, handNs: 0, handValidateNs: 0, ajvNs: 0, timed: 0 };
  for (const c of corpus) {
    const file = join(dir, `${c.name}.schema.json`);
    writeFileSync(file, JSON.stringify({ title: 'Root', ...c.schema }));
    const result = await generateModels({ schemaFiles: [file], projectRoot: dir, outDir: `gen-${c.name}` });
    let codec: Codec | undefined;
    if (result.diagnostics.length === 0) {
      for (const f of result.files.values()) {
        mkdirSync(dirname(join(dir, f.path)), { recursive: true });
        writeFileSync(join(dir, f.path), f.content);
        totals.handBytes += Buffer.byteLength(f.content);
      }
      const root = result.catalog.entries.find((e) => e.fullName === 'Root');
      const module = (await import(pathToFileURL(join(dir, `gen-${c.name}`, (root?.modulePath ?? '').replace(/\.js$/, '.ts'))).href)) as Record<string, Codec>;
      codec = module['RootJsonCodec'];
    }
    const draft07 = String(c.schema['$schema']).includes('draft-07');
    const ajv = draft07 ? new Ajv({ strict: false, code: { source: true } }) : new Ajv2020({ strict: false, code: { source: true } });
    if (draft07) addFormats(ajv);
    const compiled = ajv.compile(c.schema) as Validate;
    const source = standaloneCode(ajv, compiled);
    totals.ajvBytes += Buffer.byteLength(source);
    // Ajv's standalone code require()s its runtime helpers even with `esm: true`, so it is loaded as CommonJS.
    const ajvFile = join(dir, `ajv-${c.name}.cjs`);
    writeFileSync(ajvFile, source);
    const standalone = requireHere(ajvFile) as Validate;
    const handValid = (data: unknown): boolean | 'unsupported' => {
      if (codec === undefined) return 'unsupported';
      try {
        codec.decode(Buffer.from(JSON.stringify(data)));
        return true;
      } catch {
        return false;
      }
    };
    for (const t of c.tests) {
      totals.tests++;
      const hand = handValid(t.data);
      const byAjv = standalone(t.data);
      if (hand === 'unsupported') totals.handUnsupported++;
      if (hand === t.valid) totals.handAgrees++;
      if (byAjv === t.valid) totals.ajvAgrees++;
      if (hand !== t.valid || byAjv !== t.valid) rows.push({ case: c.name, data: JSON.stringify(t.data).slice(0, 60), expected: t.valid, handWritten: hand, ajv: byAjv });
    }
    // Speed on the first valid instance (decode from bytes for both, so JSON.parse is counted alike).
    const sample = c.tests.find((t) => t.valid && !JSON.stringify(t.data).includes('aaaaaaaa'));
    if (sample !== undefined && codec !== undefined) {
      const bytes = Buffer.from(JSON.stringify(sample.data));
      const decode = codec;
      totals.handNs += timeIt(() => decode.decode(bytes), 20_000);
      totals.handValidateNs += timeIt(() => decode.validate(JSON.parse(bytes.toString('utf8'))), 20_000);
      totals.ajvNs += timeIt(() => standalone(JSON.parse(bytes.toString('utf8'))), 20_000);
      totals.timed++;
    }
  }
  // The catastrophic pattern on a longer input, once each (a backtracking engine doubles per character).
  const evil = { s: `${'a'.repeat(26)}!` };
  const patternCase = corpus.find((c) => c.name === 'pattern-catastrophic');
  const evilTimes: Record<string, number> = {};
  if (patternCase !== undefined) {
    const ajv = new Ajv2020({ strict: false });
    const v = ajv.compile(patternCase.schema);
    let t0 = performance.now();
    v(evil);
    evilTimes['ajvMs'] = Math.round(performance.now() - t0);
    const mod = (await import(pathToFileURL(join(dir, 'gen-pattern-catastrophic/models/root.ts')).href)) as Record<string, Codec>;
    t0 = performance.now();
    try {
      mod['RootJsonCodec']?.decode(Buffer.from(JSON.stringify(evil)));
    } catch {
      // invalid, as expected
    }
    evilTimes['handWrittenMs'] = Math.round(performance.now() - t0);
  }
  const runtimeBytes = (folder: string): number =>
    readdirSync(folder).filter((f) => f.endsWith('.js')).reduce((sum, f) => sum + statSync(join(folder, f)).size, 0);
  console.log(
    JSON.stringify(
      {
        cases: corpus.length,
        tests: totals.tests,
        agreement: { handWritten: `${totals.handAgrees}/${totals.tests}`, ajvStandalone: `${totals.ajvAgrees}/${totals.tests}`, handWrittenUnsupported: totals.handUnsupported },
        disagreements: rows,
        nsPerValidInstance: {
          handWrittenDecodeToModel: Math.round(totals.handNs / totals.timed),
          handWrittenParseAndValidate: Math.round(totals.handValidateNs / totals.timed),
          ajvParseAndValidate: Math.round(totals.ajvNs / totals.timed),
        },
        generatedBytes: { handWrittenModels: totals.handBytes, ajvStandaloneValidators: totals.ajvBytes },
        runtimeBytes: { faustgenCodegen: runtimeBytes(join(repoRoot, 'dist/runtime/src/codegen')), ajvRuntimeDir: runtimeBytes(join(repoRoot, 'node_modules/ajv/dist/runtime')) },
        catastrophicPattern26: evilTimes,
        note: readFileSync(join(repoRoot, 'node_modules/ajv/package.json'), 'utf8').match(/"version": "([^"]+)"/)?.[1],
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
