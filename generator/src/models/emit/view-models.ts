/**
 * Everything a model template shows, computed here: names, escaped literals, type and descriptor
 * expressions, constructor assignments. Templates receive only these strings and flags.
 */
import { GENERATED_ABI } from '../../../../runtime/src/codegen/abi.js';
import { exportAvroFragment } from '../avro/export-schema.js';
import type { EnumModelIr, FixedModelIr, IrType, ModelIr, ModelRegistry, RecordModelIr } from '../ir.js';
import { docComment, propertyAccess, propertyKey, tsString } from '../names.js';
import { Expressions, tsJson, tsJsonBlock } from './expressions.js';
import { ModuleImports } from './imports.js';
import type { TemplateName } from './templates.js';

export interface PreparedModule {
  readonly template: TemplateName;
  readonly view: Record<string, unknown>;
  readonly imports: ModuleImports;
}

/** Names every module declares for a model, so that imports can avoid them. */
export function ownDeclarations(model: ModelIr): string[] {
  const n = model.className;
  const common = [n, `${n}JsonCodec`, `${n}AvroCodec`, `${n}AvroSchema`, '$fg'];
  if (model.kind === 'record') return [...common, `${n}Fields`];
  if (model.kind === 'enum') return [...common, `${n}Symbols`, `${n}Model`];
  return [...common, `${n}Model`];
}

export function prepareModule(model: ModelIr, registry: ModelRegistry, modulePaths: ReadonlyMap<string, string>): PreparedModule {
  const imports = new ModuleImports(model, registry, modulePaths, ownDeclarations(model));
  const expr = new Expressions(imports, registry);
  const common = {
    abi: GENERATED_ABI,
    className: model.className,
    fullNameLiteral: tsString(model.fullName),
    docComment: docComment(model.doc),
    avroSchema: model.format === 'avro' ? avroSchemaPart(model, registry, imports) : false,
  };
  switch (model.kind) {
    case 'record':
      return { template: 'record', imports, view: { ...common, ...recordView(model, expr) } };
    case 'enum':
      return { template: 'enum', imports, view: { ...common, ...enumView(model) } };
    case 'fixed':
      return { template: 'type', imports, view: { ...common, typeExpr: expr.type(fixedType(model)), descExpr: fixedDesc(model) } };
    default:
      return { template: 'type', imports, view: { ...common, typeExpr: expr.type(model.type), descExpr: expr.desc(model.type) } };
  }
}

/** `$fg.avroSchemaPart(name, own definition, () => [parts of the named types it uses])`. */
function avroSchemaPart(model: ModelIr, registry: ModelRegistry, imports: ModuleImports): string {
  const { own, deps } = exportAvroFragment(model.fullName, registry);
  const name = model.kind === 'alias' || model.kind === 'union' ? 'undefined' : tsString(model.fullName);
  const uses = deps.map((dep) => imports.use(dep, 'avroSchema', 'value'));
  return `$fg.avroSchemaPart(${name}, ${tsJsonBlock(own)}, () => [${uses.join(', ')}])`;
}

function recordView(model: RecordModelIr, expr: Expressions): Record<string, unknown> {
  const fields = model.fields.map((field) => {
    const type = expr.type(field.type);
    const own = propertyAccess('this', field.name);
    const given = propertyAccess('fields', field.name);
    let assign: string;
    if (field.optional) assign = `if (${given} !== undefined) ${own} = ${given};`;
    else if (field.defaultValue !== undefined) assign = `${own} = ${given} !== undefined ? ${given} : ${expr.value(field.defaultValue)};`;
    else assign = `${own} = ${given};`;
    const flags = [
      field.optional ? ', optional: true' : '',
      field.defaultValue !== undefined ? ', hasDefault: true' : '',
      field.aliases.length > 0 ? `, aliases: ${tsJson(field.aliases)}` : '',
    ].join('');
    return {
      key: propertyKey(field.name),
      nameLiteral: tsString(field.name),
      type,
      desc: expr.desc(field.type),
      doc: docComment(field.doc, '  '),
      optional: field.optional,
      initOptional: field.optional || field.defaultValue !== undefined,
      flags,
      assign,
    };
  });
  return {
    fields,
    constructorParam: fields.length === 0 ? '_fields' : 'fields',
    aliasesLiteral: tsJson(model.aliases),
    extra: typeof model.extra === 'string' ? `'${model.extra}'` : expr.desc(model.extra),
    metadata: model.metadata,
  };
}

function enumView(model: EnumModelIr): Record<string, unknown> {
  return {
    union: model.symbols.map((s) => tsString(s)).join(' | '),
    symbolsLiteral: `[${model.symbols.map((s) => tsString(s)).join(', ')}]`,
  };
}

function fixedType(model: FixedModelIr): IrType {
  if (model.logical === undefined) return { kind: 'bytes' };
  return { kind: 'logical', ...model.logical, base: { kind: 'bytes' } };
}

function fixedDesc(model: FixedModelIr): string {
  const fixed = `{ k: 'fixed', name: ${tsString(model.fullName)}, size: ${model.size} }`;
  if (model.logical === undefined) return fixed;
  const { logical, precision, scale } = model.logical;
  const params = `${precision === undefined ? '' : `, precision: ${precision}`}${scale === undefined ? '' : `, scale: ${scale}`}`;
  return `{ k: 'logical', logical: '${logical}'${params}, base: ${fixed} }`;
}
