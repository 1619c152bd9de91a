import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import type { Diagnostic, SourceLocation } from '../ir/diagnostics.js';

/** A parsed YAML/JSON document that can turn a JSON pointer back into a line and column. */
export interface SourceDocument {
  readonly value: unknown;
  /** Location of the value at `pointer`; with `key`, of the mapping key that holds it. */
  locate(pointer: string, options?: { readonly key?: boolean }): SourceLocation;
}

export function escapePointerSegment(segment: string | number): string {
  return String(segment).replaceAll('~', '~0').replaceAll('/', '~1');
}

export function joinPointer(base: string, ...segments: readonly (string | number)[]): string {
  return base + segments.map((segment) => `/${escapePointerSegment(segment)}`).join('');
}

function splitPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}

interface Found {
  readonly node: Node | null;
  readonly keyNode: Node | null;
}

function walk(document: Document.Parsed, segments: readonly string[]): Found {
  let node: unknown = document.contents;
  let keyNode: Node | null = null;
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === segment);
      if (pair === undefined) return { node: node as Node, keyNode: null };
      keyNode = isScalar(pair.key) ? pair.key : null;
      node = pair.value ?? pair.key;
    } else if (isSeq(node)) {
      const item: unknown = node.items[Number(segment)];
      if (item === undefined) return { node: node as Node, keyNode: null };
      keyNode = null;
      node = item;
    } else {
      break;
    }
  }
  return { node: (node as Node | null) ?? null, keyNode };
}

/**
 * Parses YAML (JSON is accepted as YAML). Syntax errors become diagnostics with their line; when there
 * is any, `document` is undefined because the rest of the checks would only add noise.
 */
export function parseSource(
  text: string,
  displayPath: string,
): { readonly document?: SourceDocument; readonly diagnostics: readonly Diagnostic[] } {
  const lineCounter = new LineCounter();
  const parsed = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const diagnostics: Diagnostic[] = parsed.errors.map((error) => {
    const position = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
    return {
      message: `YAML syntax error: ${error.message.split('\n')[0] ?? error.message}`,
      where: { file: displayPath, line: position.line, column: position.col },
    };
  });
  if (diagnostics.length > 0) return { diagnostics };
  const locate = (pointer: string, options?: { readonly key?: boolean }): SourceLocation => {
    const found = walk(parsed, splitPointer(pointer));
    const target = options?.key === true && found.keyNode !== null ? found.keyNode : found.node;
    const offset = target?.range?.[0];
    if (offset === undefined) return { file: displayPath, line: 1, column: 1, pointer };
    const position = lineCounter.linePos(offset);
    return { file: displayPath, line: position.line, column: position.col, pointer };
  };
  let value: unknown;
  try {
    value = parsed.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // yaml refuses documents whose aliases expand past maxAliasCount (a "billion laughs" bomb) with a
    // ReferenceError; say so at the first alias rather than let it escape.
    const message = error instanceof Error ? error.message : String(error);
    const firstAlias = /(^|[\s\[{,:-])\*[^\s,\]}]+/m.exec(text);
    const position = lineCounter.linePos(firstAlias === null ? 0 : firstAlias.index + (firstAlias[1] ?? '').length);
    return { diagnostics: [{ message: `YAML aliases expand too far: ${message}`, where: { file: displayPath, line: position.line, column: position.col }, hint: 'write the values out instead of nesting aliases' }] };
  }
  return { document: { value, locate }, diagnostics };
}
