import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with `exports.default`: under ESM its plugin is the default import's `default`.
const withFormats = (addFormatsModule as unknown as { default: (ajv: Ajv) => Ajv }).default;

export interface AjvBaseline {
  readonly encode: () => Buffer;
  readonly decode: (bytes: Buffer) => unknown;
}

/**
 * The JSON codec baseline: the JSON Schema compiled by Ajv 8 (draft-07, formats asserted, all errors
 * collected as the generated codec does), with `JSON.stringify` / `JSON.parse` of the plain object
 * that `bytes` (the generated codec's output) parses to. Refuses a record Ajv does not accept, so the
 * two sides are known to validate the same record.
 */
export function ajvBaseline(schemaFile: string, bytes: Buffer): AjvBaseline {
  const ajv = new Ajv({ allErrors: true });
  withFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')) as object);
  const plain: unknown = JSON.parse(bytes.toString('utf8'));
  if (!validate(plain)) throw new Error(`Ajv refuses the bench record: ${ajv.errorsText(validate.errors)}`);
  return {
    encode: () => {
      if (!validate(plain)) throw new Error('invalid');
      return Buffer.from(JSON.stringify(plain), 'utf8');
    },
    decode: (b) => {
      const parsed: unknown = JSON.parse(b.toString('utf8'));
      if (!validate(parsed)) throw new Error('invalid');
      return parsed;
    },
  };
}
