/**
 * JSON Schema documents by URI (file URL and root `$id`) and `$ref` resolution across them:
 * `#/json/pointer`, `#anchor`, `other.schema.json#/$defs/X`, and absolute `$id` URIs.
 */
import { pathToFileURL } from 'node:url';
import { parsePointer, pointerJoin, valueAt } from '../json-locate.js';
import type { DiagnosticSink, SourceDoc } from '../source.js';

export interface SchemaDocument {
  readonly source: SourceDoc;
  readonly fileUri: string;
  readonly id?: string;
  readonly anchors: ReadonlyMap<string, string>;
  /**
   * How the document is read: `draft-07` (draft-06 and draft-07: `$ref` siblings are ignored, `format`
   * is asserted) or `2020-12` (2019-09, 2020-12 and no `$schema`: `$ref` applies next to its siblings,
   * `format` is an annotation).
   */
  readonly draft: 'draft-07' | '2020-12';
}

/** A schema node together with where it lives, so that its own `$ref`s resolve against its document. */
export interface Located {
  readonly sdoc: SchemaDocument;
  readonly pointer: string;
  readonly node: unknown;
}

const supportedDrafts = [
  'http://json-schema.org/draft-07/schema',
  'http://json-schema.org/draft-06/schema',
  'https://json-schema.org/draft/2019-09/schema',
  'https://json-schema.org/draft/2020-12/schema',
];

export class SchemaDocuments {
  private readonly byUri = new Map<string, SchemaDocument>();
  /** Subschemas with their own `$id`: schema resources embedded in a document, by absolute URI. */
  private readonly embedded = new Map<string, { readonly sdoc: SchemaDocument; readonly pointer: string }>();
  readonly all: SchemaDocument[] = [];

  constructor(private readonly sink: DiagnosticSink) {}

  add(source: SourceDoc): SchemaDocument {
    const root = source.json.value;
    const fileUri = pathToFileURL(source.absPath).href;
    const rootObj = typeof root === 'object' && root !== null && !Array.isArray(root) ? (root as Record<string, unknown>) : {};
    const draft = rootObj['$schema'];
    if (draft !== undefined && (typeof draft !== 'string' || !supportedDrafts.includes(draft.replace(/#$/, '')))) {
      this.sink.report(source, '/$schema', `unsupported $schema ${JSON.stringify(draft)}`, 'faustgen reads JSON Schema draft-07 and 2020-12 (draft-06 and 2019-09 are read alike)');
    }
    const rawId = rootObj['$id'];
    let id: string | undefined;
    if (typeof rawId === 'string') {
      try {
        id = new URL(rawId, fileUri).href.replace(/#$/, '');
      } catch {
        this.sink.report(source, '/$id', `invalid $id ${JSON.stringify(rawId)}`);
      }
    }
    const anchors = new Map<string, string>();
    collectAnchors(root, '', anchors);
    const draft07 = typeof draft === 'string' && /json-schema\.org\/draft-0[67]\/schema#?$/.test(draft);
    const sdoc: SchemaDocument = { source, fileUri, anchors, draft: draft07 ? 'draft-07' : '2020-12', ...(id === undefined ? {} : { id }) };
    this.byUri.set(fileUri, sdoc);
    if (id !== undefined) {
      const other = this.byUri.get(id);
      if (other !== undefined && other !== sdoc) this.sink.report(source, '/$id', `$id ${id} is also the $id of ${other.source.relPath}`);
      else this.byUri.set(id, sdoc);
    }
    this.all.push(sdoc);
    this.collectEmbedded(sdoc, root, '', id ?? fileUri);
    return sdoc;
  }

  /** Registers every subschema with an `$id` (resolved against the base URI of where it is written). */
  private collectEmbedded(sdoc: SchemaDocument, node: unknown, pointer: string, base: string): void {
    if (typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) {
      node.forEach((item: unknown, i) => this.collectEmbedded(sdoc, item, pointerJoin(pointer, i), base));
      return;
    }
    const record = node as Record<string, unknown>;
    let here = base;
    const rawId = record['$id'];
    if (pointer !== '' && typeof rawId === 'string' && !rawId.startsWith('#')) {
      try {
        here = new URL(rawId, base).href.replace(/#$/, '');
        if (!this.embedded.has(here)) this.embedded.set(here, { sdoc, pointer });
      } catch {
        this.sink.report(sdoc.source, pointerJoin(pointer, '$id'), `invalid $id ${JSON.stringify(rawId)}`);
      }
    }
    for (const [key, value] of Object.entries(record)) {
      if (key !== 'enum' && key !== 'const' && key !== 'examples' && key !== 'default') this.collectEmbedded(sdoc, value, pointerJoin(pointer, key), here);
    }
  }

  /** The base URI in force at `pointer`: the nearest enclosing `$id`, else the document's. */
  private baseAt(sdoc: SchemaDocument, pointer: string): string {
    let base = sdoc.id ?? sdoc.fileUri;
    let node: unknown = sdoc.source.json.value;
    for (const token of parsePointer(pointer)) {
      if (typeof node !== 'object' || node === null) break;
      node = (node as Record<string, unknown>)[token];
      const id = typeof node === 'object' && node !== null && !Array.isArray(node) ? (node as Record<string, unknown>)['$id'] : undefined;
      if (typeof id === 'string' && !id.startsWith('#')) {
        try {
          base = new URL(id, base).href.replace(/#$/, '');
        } catch {
          // Reported when the document was added.
        }
      }
    }
    return base;
  }

  /** Resolves a `$ref` written at `from`; reports and returns undefined when it leads nowhere. */
  resolve(ref: string, from: Located): Located | undefined {
    const at = pointerJoin(from.pointer, '$ref');
    const nested = this.baseAt(from.sdoc, from.pointer);
    const bases = [...new Set([nested, ...(from.sdoc.id === undefined ? [] : [from.sdoc.id]), from.sdoc.fileUri])];
    for (const base of bases) {
      let url: URL;
      try {
        url = new URL(ref, base);
      } catch {
        this.sink.report(from.sdoc.source, at, `invalid $ref ${JSON.stringify(ref)}`);
        return undefined;
      }
      const fragment = decodeURIComponent(url.hash.slice(1));
      url.hash = '';
      const resource = this.embedded.get(url.href);
      if (resource !== undefined && (fragment === '' || fragment.startsWith('/'))) {
        const pointer = resource.pointer + fragment;
        const node = valueAt(resource.sdoc.source.json.value, pointer);
        if (node === undefined) {
          this.sink.report(from.sdoc.source, at, `$ref ${JSON.stringify(ref)} points to nothing in ${resource.sdoc.source.relPath}`);
          return undefined;
        }
        return { sdoc: resource.sdoc, pointer, node };
      }
      const target = this.byUri.get(url.href);
      if (target === undefined) continue;
      const pointer = fragment === '' || fragment.startsWith('/') ? fragment : target.anchors.get(fragment);
      const node = pointer === undefined ? undefined : valueAt(target.source.json.value, pointer);
      if (pointer === undefined || node === undefined) {
        this.sink.report(from.sdoc.source, at, `$ref ${JSON.stringify(ref)} points to nothing in ${target.source.relPath}`);
        return undefined;
      }
      return { sdoc: target, pointer, node };
    }
    this.sink.report(from.sdoc.source, at, `$ref ${JSON.stringify(ref)} names a document that is not among the schema files`, 'add the referenced file to the schema inputs');
    return undefined;
  }
}

function collectAnchors(node: unknown, pointer: string, anchors: Map<string, string>): void {
  if (typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) {
    node.forEach((item: unknown, i) => collectAnchors(item, pointerJoin(pointer, i), anchors));
    return;
  }
  const record = node as Record<string, unknown>;
  const anchor = record['$anchor'];
  if (typeof anchor === 'string') anchors.set(anchor, pointer);
  for (const [key, value] of Object.entries(record)) {
    // Values of enum/const/examples/default are data, not schemas.
    if (key !== 'enum' && key !== 'const' && key !== 'examples' && key !== 'default') collectAnchors(value, pointerJoin(pointer, key), anchors);
  }
}
