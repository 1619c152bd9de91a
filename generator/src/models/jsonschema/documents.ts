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
  /**
   * How the document is read: `draft-07` (draft-06 and draft-07: `$ref` siblings are ignored, `format`
   * is asserted) or `2020-12` (2019-09, 2020-12 and no `$schema`: `$ref` applies next to its siblings,
   * `format` is an annotation).
   */
  readonly draft: 'draft-07' | '2020-12';
}

/** Where a subschema is written. */
interface Place {
  readonly sdoc: SchemaDocument;
  readonly pointer: string;
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
  private readonly embedded = new Map<string, Place>();
  /**
   * Plain-name fragments by `<resource URI>#<name>`: 2020-12 `$anchor` and draft-07 `$id: "#name"`,
   * each belonging to the schema resource of its nearest `$id` (the same name may mean different
   * schemas in different resources of one document).
   */
  private readonly anchors = new Map<string, Place>();
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
    const draft07 = typeof draft === 'string' && /json-schema\.org\/draft-0[67]\/schema#?$/.test(draft);
    const sdoc: SchemaDocument = { source, fileUri, draft: draft07 ? 'draft-07' : '2020-12', ...(id === undefined ? {} : { id }) };
    this.byUri.set(fileUri, sdoc);
    if (id !== undefined) {
      const other = this.byUri.get(id);
      if (other !== undefined && other !== sdoc) this.sink.report(source, '/$id', `$id ${id} is also the $id of ${other.source.relPath}`);
      else this.byUri.set(id, sdoc);
    }
    this.all.push(sdoc);
    this.collectResources(sdoc, root, '', [...new Set([id ?? fileUri, fileUri])]);
    return sdoc;
  }

  /**
   * Registers every subschema with an `$id` (an embedded schema resource, by its absolute URI resolved
   * against the base in force where it is written) and every anchor under the resources it belongs to
   * (`resources`: the URIs of the resource in force, the document's file URL too at its root).
   */
  private collectResources(sdoc: SchemaDocument, node: unknown, pointer: string, resources: readonly string[]): void {
    if (typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) {
      node.forEach((item: unknown, i) => this.collectResources(sdoc, item, pointerJoin(pointer, i), resources));
      return;
    }
    const record = node as Record<string, unknown>;
    let here = resources;
    const id = pointer === '' ? undefined : ownId(record, sdoc.draft);
    if (id !== undefined) {
      try {
        const url = new URL(id, resources[0]);
        url.hash = '';
        here = [url.href];
        if (!this.embedded.has(url.href)) this.embedded.set(url.href, { sdoc, pointer });
      } catch {
        this.sink.report(sdoc.source, pointerJoin(pointer, '$id'), `invalid $id ${JSON.stringify(id)}`);
      }
    }
    const anchor = ownAnchor(record, sdoc.draft);
    if (anchor !== undefined) {
      for (const resource of here) if (!this.anchors.has(`${resource}#${anchor}`)) this.anchors.set(`${resource}#${anchor}`, { sdoc, pointer });
    }
    for (const [key, value] of Object.entries(record)) {
      // Values of enum/const/examples/default are data, not schemas.
      if (key !== 'enum' && key !== 'const' && key !== 'examples' && key !== 'default') this.collectResources(sdoc, value, pointerJoin(pointer, key), here);
    }
  }

  /** The base URI in force at `pointer`: the nearest enclosing `$id` (that draft's rules), else the document's. */
  private baseAt(sdoc: SchemaDocument, pointer: string): string {
    let base = sdoc.id ?? sdoc.fileUri;
    let node: unknown = sdoc.source.json.value;
    for (const token of parsePointer(pointer)) {
      if (typeof node !== 'object' || node === null) break;
      node = (node as Record<string, unknown>)[token];
      const id = typeof node === 'object' && node !== null && !Array.isArray(node) ? ownId(node as Record<string, unknown>, sdoc.draft) : undefined;
      if (id !== undefined) {
        try {
          const url = new URL(id, base);
          url.hash = '';
          base = url.href;
        } catch {
          // Reported when the document was added.
        }
      }
    }
    return base;
  }

  /**
   * Resolves a `$ref` written at `from`; reports and returns undefined when it leads nowhere (or, with
   * `quiet`, only returns undefined: for a look-ahead whose caller resolves the same `$ref` again).
   */
  resolve(ref: string, from: Located, quiet = false): Located | undefined {
    const at = pointerJoin(from.pointer, '$ref');
    const sink = quiet ? undefined : this.sink;
    const nested = this.baseAt(from.sdoc, from.pointer);
    // A fragment-only $ref stays inside the resource it is written in; other references may also be
    // file paths relative to the document's file when its $id is elsewhere.
    const bases = ref.startsWith('#') ? [nested] : [...new Set([nested, ...(from.sdoc.id === undefined ? [] : [from.sdoc.id]), from.sdoc.fileUri])];
    let nowhere: SchemaDocument | undefined;
    for (const base of bases) {
      let url: URL;
      try {
        url = new URL(ref, base);
      } catch {
        sink?.report(from.sdoc.source, at, `invalid $ref ${JSON.stringify(ref)}`);
        return undefined;
      }
      const fragment = decodeURIComponent(url.hash.slice(1));
      url.hash = '';
      if (fragment !== '' && !fragment.startsWith('/')) {
        const anchored = this.anchors.get(`${url.href}#${fragment}`);
        if (anchored !== undefined) return { ...anchored, node: valueAt(anchored.sdoc.source.json.value, anchored.pointer) };
        const holder = this.embedded.get(url.href)?.sdoc ?? this.byUri.get(url.href);
        if (holder !== undefined) nowhere ??= holder;
        continue;
      }
      const resource = this.embedded.get(url.href);
      if (resource !== undefined && (fragment === '' || fragment.startsWith('/'))) {
        const pointer = resource.pointer + fragment;
        const node = valueAt(resource.sdoc.source.json.value, pointer);
        if (node === undefined) {
          sink?.report(from.sdoc.source, at, `$ref ${JSON.stringify(ref)} points to nothing in ${resource.sdoc.source.relPath}`);
          return undefined;
        }
        return { sdoc: resource.sdoc, pointer, node };
      }
      const target = this.byUri.get(url.href);
      if (target === undefined) continue;
      const node = valueAt(target.source.json.value, fragment);
      if (node === undefined) {
        sink?.report(from.sdoc.source, at, `$ref ${JSON.stringify(ref)} points to nothing in ${target.source.relPath}`);
        return undefined;
      }
      return { sdoc: target, pointer: fragment, node };
    }
    if (nowhere !== undefined) {
      sink?.report(from.sdoc.source, at, `$ref ${JSON.stringify(ref)} points to nothing in ${nowhere.source.relPath}`, 'no subschema of that resource has this anchor');
      return undefined;
    }
    sink?.report(from.sdoc.source, at, `$ref ${JSON.stringify(ref)} names a document that is not among the schema files`, 'add the referenced file to the schema inputs');
    return undefined;
  }
}

/**
 * The `$id` by which a subschema starts a schema resource of its own, if any. Draft-07: an `$id`
 * next to `$ref` is ignored like every other sibling of `$ref`, and `$id: "#name"` is an anchor,
 * not a resource.
 */
function ownId(record: Record<string, unknown>, draft: SchemaDocument['draft']): string | undefined {
  const id = record['$id'];
  if (typeof id !== 'string' || id.startsWith('#')) return undefined;
  if (draft === 'draft-07' && typeof record['$ref'] === 'string') return undefined;
  return id;
}

/** The plain-name fragment a subschema can be reached by: `$anchor`, or draft-07's `$id: "#name"`. */
function ownAnchor(record: Record<string, unknown>, draft: SchemaDocument['draft']): string | undefined {
  const anchor = record['$anchor'];
  if (typeof anchor === 'string') return anchor;
  const id = record['$id'];
  if (draft === 'draft-07' && typeof id === 'string' && typeof record['$ref'] !== 'string' && /^#[^/]/.test(id)) return decodeURIComponent(id.slice(1));
  return undefined;
}
