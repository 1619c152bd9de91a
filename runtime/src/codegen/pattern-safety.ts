/**
 * Which schema patterns may run on JavaScript's backtracking `RegExp` and still take time linear in
 * the input (ADR 0007, "Amendment"). A pattern qualifies when it parses (regex-syntax.ts) and:
 *
 * 1. Every choice a backtracking matcher makes is decided by the next character: at each
 *    alternation, and at each quantifier between "once more" and "stop", the characters (or the end
 *    of input for `$`, or the end of the pattern) that each option can start with — counting what
 *    follows the option when the option can match empty — are disjoint. So at any point at most one
 *    option can consume the next character, every other option fails before consuming anything,
 *    and the matcher never takes back a character it consumed in another way: `(a+)+`, `(a|a)*`,
 *    `(\w+\s?)*`, `a*a*` all fail this check.
 * 2. No body that can match the empty string is repeated more than once (`(a?)*`), so a failing
 *    option also stops after a number of steps bounded by the pattern's size.
 * 3. Each top-level alternative starts with `^` (one start position does the work; the others fail at
 *    `^`), or can match at most {@link MAX_UNANCHORED_WIDTH} characters (each of the n start
 *    positions costs a bounded amount). `^` is allowed only there, `$` only at the end of a top-level
 *    alternative.
 *
 * With 1 and 2, one start position costs O(n · m²) steps for n input characters and a pattern of
 * size m; with 3, the whole search does too. Anything the parser does not know keeps RE2JS.
 */
import { EMPTY, intersects, union } from './char-sets.js';
import type { CharSet } from './char-sets.js';
import { parseRegex } from './regex-syntax.js';
import type { RegexNode } from './regex-syntax.js';

/** The most characters an unanchored pattern on RegExp may match from one start position. */
export const MAX_UNANCHORED_WIDTH = 256;

/** What an option can start with: characters, the end of input (`$`), the end of the pattern (accept). */
interface Starts {
  readonly chars: CharSet;
  readonly end: boolean;
  readonly accept: boolean;
}

const NOTHING: Starts = { chars: EMPTY, end: false, accept: false };

function join(a: Starts, b: Starts): Starts {
  return { chars: union(a.chars, b.chars), end: a.end || b.end, accept: a.accept || b.accept };
}

function overlap(a: Starts, b: Starts): boolean {
  return (a.end && b.end) || (a.accept && b.accept) || intersects(a.chars, b.chars);
}

function nullable(node: RegexNode): boolean {
  switch (node.t) {
    case 'chars':
      return false;
    case 'seq':
      return node.items.every(nullable);
    case 'alt':
      return node.options.some(nullable);
    case 'repeat':
      return node.min === 0 || nullable(node.body);
    default:
      return true;
  }
}

/** The characters a node's first step can consume (assertions are checked where they may stand). */
function first(node: RegexNode): CharSet {
  switch (node.t) {
    case 'chars':
      return node.set;
    case 'seq': {
      const sets: CharSet[] = [];
      for (const item of node.items) {
        sets.push(first(item));
        if (!nullable(item)) break;
      }
      return union(...sets);
    }
    case 'alt':
      return union(...node.options.map(first));
    case 'repeat':
      return node.max === 0 ? EMPTY : first(node.body);
    default:
      return EMPTY;
  }
}

/** What a path through `node` and then into something starting with `follow` can start with. */
function startsOf(node: RegexNode, follow: Starts): Starts {
  const own: Starts = { chars: first(node), end: false, accept: false };
  return nullable(node) ? join(own, follow) : own;
}

/** Whether every choice inside `node`, followed by something starting with `follow`, is decided by one character. */
function deterministic(node: RegexNode, follow: Starts): boolean {
  switch (node.t) {
    case 'chars':
      return true;
    case 'seq': {
      let after = follow;
      for (let k = node.items.length - 1; k >= 0; k--) {
        const item = node.items[k];
        if (item === undefined || !deterministic(item, after)) return false;
        after = startsOf(item, after);
      }
      return true;
    }
    case 'alt': {
      const starts = node.options.map((o) => startsOf(o, follow));
      for (let a = 0; a < starts.length; a++) {
        for (let b = a + 1; b < starts.length; b++) {
          const [x, y] = [starts[a], starts[b]];
          if (x === undefined || y === undefined || overlap(x, y)) return false;
        }
      }
      return node.options.every((o) => deterministic(o, follow));
    }
    case 'repeat': {
      if (node.max > 1 && nullable(node.body)) return false;
      // Inside the body, what follows is another round (while rounds are left) or what follows the loop.
      const bodyFollow = node.max > 1 ? join({ chars: first(node.body), end: false, accept: false }, follow) : follow;
      if (node.min < node.max && overlap(startsOf(node.body, bodyFollow), follow)) return false;
      return deterministic(node.body, bodyFollow);
    }
    default:
      return false; // `^` / `$` anywhere but at the ends of a top-level alternative
  }
}

/** The most characters a node can match (Infinity when unbounded). */
function width(node: RegexNode): number {
  switch (node.t) {
    case 'chars':
      return 1;
    case 'seq':
      return node.items.reduce((sum, item) => sum + width(item), 0);
    case 'alt':
      return Math.max(0, ...node.options.map(width));
    case 'repeat':
      return node.max === 0 ? 0 : node.max * width(node.body);
    default:
      return 0;
  }
}

function topLevelSafe(option: RegexNode): boolean {
  const items = option.t === 'seq' ? [...option.items] : [option];
  const anchored = items[0]?.t === 'start';
  if (anchored) items.shift();
  const endAnchored = items[items.length - 1]?.t === 'end';
  if (endAnchored) items.pop();
  const body: RegexNode = { t: 'seq', items };
  const follow: Starts = endAnchored ? { ...NOTHING, end: true } : { ...NOTHING, accept: true };
  return deterministic(body, follow) && (anchored || width(body) <= MAX_UNANCHORED_WIDTH);
}

/**
 * Whether an ECMA-262 pattern (`u` flag, already known to be valid) provably runs in linear time on
 * a backtracking engine, by the rules above. False means "not shown", not "catastrophic".
 */
export function isLinearOnBacktracking(source: string): boolean {
  const tree = parseRegex(source);
  if (tree === undefined) return false;
  const options = tree.t === 'alt' ? tree.options : [tree];
  return options.every(topLevelSafe);
}
