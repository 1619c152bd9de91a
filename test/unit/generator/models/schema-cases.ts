/**
 * Named JSON Schema cases (a schema and instances with the verdict the spec gives) generated into one
 * project, and the check that the generated decoder and validate() both give that verdict.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateProject, type GeneratedProject } from './harness.js';

export interface SchemaCase {
  readonly schema: unknown;
  readonly tests: readonly (readonly [unknown, boolean])[];
}

export interface JsonCodecUnderTest {
  decode(bytes: Buffer): unknown;
  encode(value: unknown): Buffer;
  validate(value: unknown): unknown[];
}

/** Writes each case to `<name>.schema.json` and generates them together; cleanup removes both folders. */
export async function generateCases(cases: Readonly<Record<string, SchemaCase>>): Promise<GeneratedProject> {
  const dir = mkdtempSync(join(tmpdir(), 'faustgen-schema-cases-'));
  const files = Object.entries(cases).map(([name, c]) => {
    const file = join(dir, `${name}.schema.json`);
    writeFileSync(file, JSON.stringify(c.schema));
    return file;
  });
  const project = await generateProject(files);
  return {
    ...project,
    cleanup: () => {
      project.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The JSON codec of the model generated for the root of `<name>.schema.json`. */
export async function rootJsonCodec(project: GeneratedProject, name: string): Promise<JsonCodecUnderTest> {
  const entry = project.result.catalog.entries.find((e) => e.location.file.endsWith(`/${name}.schema.json`) && e.location.pointer === '');
  assert.ok(entry !== undefined, `no root model for ${name}`);
  const codec = (await project.load<Record<string, JsonCodecUnderTest>>(entry.modulePath.replace(/\.js$/, '.ts')))[`${entry.className}JsonCodec`];
  assert.ok(codec !== undefined, `no JSON codec for ${name}`);
  return codec;
}

/** Decoding and validate() accept exactly the instances the case marks valid. */
export async function assertCaseHolds(project: GeneratedProject, name: string, c: SchemaCase): Promise<void> {
  const codec = await rootJsonCodec(project, name);
  for (const [data, valid] of c.tests) {
    let decoded = true;
    try {
      codec.decode(Buffer.from(JSON.stringify(data)));
    } catch {
      decoded = false;
    }
    assert.equal(decoded, valid, `${name}: decode ${JSON.stringify(data)}`);
    assert.equal(codec.validate(data).length === 0, valid, `${name}: validate() ${JSON.stringify(data)}`);
  }
}
