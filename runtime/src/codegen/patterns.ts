/**
 * JSON Schema `pattern`s run on untrusted input, so matching must take time linear in the input
 * whatever the pattern: `^(a+)+$` must not hang a worker the way a backtracking engine (JavaScript's
 * RegExp) lets it (ADR 0007). Patterns that provably run in linear time on a backtracking engine
 * (pattern-safety.ts: every choice decided by the next character, anchored or of bounded width) run
 * on `RegExp` with the `u` flag, which is ECMA-262 as JSON Schema specifies and about 15× faster;
 * every other pattern is matched by RE2JS (a pure JavaScript port of RE2, linear time by
 * construction). RE2 has no lookaround and no backreferences: a pattern that needs them is refused
 * at codegen.
 */
import { RE2JS } from 're2js';
import { isLinearOnBacktracking } from './pattern-safety.js';

export interface SchemaPattern {
  /** Whether the pattern matches somewhere in `text` (JSON Schema patterns are not anchored). */
  test(text: string): boolean;
  /** Which engine runs it. */
  readonly engine: 'RegExp' | 'RE2JS';
}

const cache = new Map<string, SchemaPattern>();

/** Compiles (and caches) a schema pattern; throws when RE2 cannot run it. */
export function compilePattern(source: string): SchemaPattern {
  let pattern = cache.get(source);
  if (pattern === undefined) {
    // RE2 must accept every pattern, whichever engine runs it, so that codegen refuses the same patterns either way.
    const re2 = RE2JS.compile(source);
    if (isLinearOnBacktracking(source)) {
      // No `g` / `y` flag: `test` keeps no lastIndex state between calls.
      const native = new RegExp(source, 'u');
      pattern = { test: (text) => native.test(text), engine: 'RegExp' };
    } else {
      // `test` searches like `matcher(text).find()` without building a Matcher and captures (RE2JS runs its DFA).
      pattern = { test: (text) => re2.test(text), engine: 'RE2JS' };
    }
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
