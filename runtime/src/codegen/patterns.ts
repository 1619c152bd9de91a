/**
 * JSON Schema `pattern`s run on untrusted input, so they are matched by RE2JS (a pure JavaScript
 * port of RE2): matching takes time linear in the input, whatever the pattern, so that
 * `^(a+)+$` cannot hang a worker the way a backtracking engine (JavaScript's RegExp) does.
 * RE2 has no lookaround and no backreferences: a pattern that needs them is refused at codegen.
 */
import { RE2JS } from 're2js';

export interface SchemaPattern {
  /** Whether the pattern matches somewhere in `text` (JSON Schema patterns are not anchored). */
  test(text: string): boolean;
}

const cache = new Map<string, SchemaPattern>();

/** Compiles (and caches) a schema pattern; throws when RE2 cannot run it. */
export function compilePattern(source: string): SchemaPattern {
  let pattern = cache.get(source);
  if (pattern === undefined) {
    const re2 = RE2JS.compile(source);
    // `test` searches like `matcher(text).find()` without building a Matcher and captures (RE2JS runs its DFA).
    pattern = { test: (text) => re2.test(text) };
    cache.set(source, pattern);
  }
  return pattern;
}

/** Why a schema pattern cannot be used, or undefined when it can. */
export function patternProblem(source: string): string | undefined {
  try {
    new RegExp(source, 'u');
  } catch (error) {
    return `invalid pattern: ${error instanceof Error ? error.message : String(error)}`;
  }
  try {
    compilePattern(source);
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `pattern is not supported by the linear-time regular expression engine (RE2: no lookaround, no backreferences): ${reason}`;
  }
}
