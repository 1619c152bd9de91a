/**
 * A parser for the part of ECMA-262 regular expression syntax (`u` flag) that the pattern safety
 * check (pattern-safety.ts) reasons about: characters, classes, `.`, the class escapes, groups,
 * alternation, quantifiers, and `^` / `$`. Anything else (lookaround, backreferences, `\b`, `\p{…}`,
 * ...) gives `undefined`, and the pattern stays on the linear-time engine. The source has already
 * been accepted by `new RegExp(source, 'u')`, so syntax errors need no messages here.
 */
import { complement, DIGIT, DOT, range, single, SPACE, union, WORD } from './char-sets.js';
import type { CharSet } from './char-sets.js';

export type RegexNode =
  | { readonly t: 'chars'; readonly set: CharSet }
  | { readonly t: 'seq'; readonly items: readonly RegexNode[] }
  | { readonly t: 'alt'; readonly options: readonly RegexNode[] }
  /** `max` is Infinity for `*`, `+` and `{n,}`; laziness does not matter to the check. */
  | { readonly t: 'repeat'; readonly body: RegexNode; readonly min: number; readonly max: number }
  | { readonly t: 'start' }
  | { readonly t: 'end' };

class Unsupported extends Error {}

/** Repetition counts above this are not reasoned about (the pattern stays on RE2JS). */
const MAX_COUNT = 1000;

const SYNTAX_CHARACTERS = new Set('^$\\.*+?()[]{}|/');
const CONTROL_ESCAPES: Readonly<Record<string, number>> = { t: 0x09, n: 0x0a, v: 0x0b, f: 0x0c, r: 0x0d };
const CLASS_ESCAPES: Readonly<Record<string, CharSet>> = {
  d: DIGIT,
  D: complement(DIGIT),
  w: WORD,
  W: complement(WORD),
  s: SPACE,
  S: complement(SPACE),
};

class Parser {
  private i = 0;

  constructor(private readonly src: string) {}

  parse(): RegexNode {
    const node = this.alternation();
    if (this.i !== this.src.length) throw new Unsupported();
    return node;
  }

  private peek(): string | undefined {
    return this.src[this.i];
  }

  private eat(text: string): boolean {
    if (!this.src.startsWith(text, this.i)) return false;
    this.i += text.length;
    return true;
  }

  private alternation(): RegexNode {
    const options = [this.sequence()];
    while (this.eat('|')) options.push(this.sequence());
    return options.length === 1 && options[0] !== undefined ? options[0] : { t: 'alt', options };
  }

  private sequence(): RegexNode {
    const items: RegexNode[] = [];
    for (let c = this.peek(); c !== undefined && c !== '|' && c !== ')'; c = this.peek()) items.push(this.quantified(this.atom()));
    return { t: 'seq', items };
  }

  private atom(): RegexNode {
    if (this.eat('^')) return { t: 'start' };
    if (this.eat('$')) return { t: 'end' };
    if (this.eat('.')) return { t: 'chars', set: DOT };
    if (this.eat('(')) {
      if (this.eat('?:')) return this.groupBody();
      if (this.src.startsWith('?<=', this.i) || this.src.startsWith('?<!', this.i)) throw new Unsupported(); // lookbehind
      if (this.eat('?<')) {
        const close = this.src.indexOf('>', this.i);
        if (close < 0) throw new Unsupported();
        this.i = close + 1;
        return this.groupBody();
      }
      if (this.peek() === '?') throw new Unsupported(); // lookahead
      return this.groupBody();
    }
    if (this.eat('[')) return { t: 'chars', set: this.characterClass() };
    if (this.eat('\\')) {
      const set = this.escape(false);
      return { t: 'chars', set };
    }
    const c = this.peek();
    if (c === undefined || '*+?{}])'.includes(c)) throw new Unsupported();
    return { t: 'chars', set: single(this.codePoint()) };
  }

  private groupBody(): RegexNode {
    const node = this.alternation();
    if (!this.eat(')')) throw new Unsupported();
    return node;
  }

  private codePoint(): number {
    const cp = this.src.codePointAt(this.i);
    if (cp === undefined) throw new Unsupported();
    this.i += cp > 0xffff ? 2 : 1;
    return cp;
  }

  private quantified(body: RegexNode): RegexNode {
    let min: number;
    let max: number;
    if (this.eat('*')) [min, max] = [0, Infinity];
    else if (this.eat('+')) [min, max] = [1, Infinity];
    else if (this.eat('?')) [min, max] = [0, 1];
    else {
      const counted = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (counted === null) return body;
      this.i += counted[0].length;
      min = Number(counted[1]);
      max = counted[2] === undefined ? min : counted[3] === '' || counted[3] === undefined ? Infinity : Number(counted[3]);
      if (min > MAX_COUNT || (max !== Infinity && max > MAX_COUNT)) throw new Unsupported();
    }
    this.eat('?'); // lazy: the same choices, tried in the other order
    if (body.t === 'start' || body.t === 'end') throw new Unsupported();
    return { t: 'repeat', body, min, max };
  }

  /** After `\`: the set one escape matches; `inClass` for the meanings inside `[...]`. */
  private escape(inClass: boolean): CharSet {
    const c = this.peek();
    if (c === undefined) throw new Unsupported();
    const classEscape = CLASS_ESCAPES[c];
    if (classEscape !== undefined) {
      this.i++;
      return classEscape;
    }
    return single(this.escapedCodePoint(inClass));
  }

  private escapedCodePoint(inClass: boolean): number {
    const c = this.peek();
    if (c === undefined) throw new Unsupported();
    const control = CONTROL_ESCAPES[c];
    if (control !== undefined) {
      this.i++;
      return control;
    }
    if (SYNTAX_CHARACTERS.has(c) || (inClass && c === '-')) {
      this.i++;
      return c.charCodeAt(0);
    }
    if (inClass && c === 'b') {
      this.i++;
      return 0x08;
    }
    if (c === '0' && !/[0-9]/.test(this.src[this.i + 1] ?? '')) {
      this.i++;
      return 0;
    }
    if (c === 'c' && /[A-Za-z]/.test(this.src[this.i + 1] ?? '')) {
      this.i += 2;
      return (this.src.charCodeAt(this.i - 1) & 31);
    }
    const hex = /^x([0-9A-Fa-f]{2})/.exec(this.src.slice(this.i)) ?? /^u\{([0-9A-Fa-f]+)\}/.exec(this.src.slice(this.i));
    if (hex?.[1] !== undefined) {
      this.i += hex[0].length;
      return Number.parseInt(hex[1], 16);
    }
    const unit = /^u([0-9A-Fa-f]{4})/.exec(this.src.slice(this.i));
    if (unit?.[1] !== undefined) {
      this.i += unit[0].length;
      const lead = Number.parseInt(unit[1], 16);
      // With `u`, an escaped surrogate pair is one code point.
      const trail = /^\\u([Dd][C-Fc-f][0-9A-Fa-f]{2})/.exec(this.src.slice(this.i));
      if (lead >= 0xd800 && lead <= 0xdbff && trail?.[1] !== undefined) {
        this.i += trail[0].length;
        return 0x10000 + ((lead - 0xd800) << 10) + (Number.parseInt(trail[1], 16) - 0xdc00);
      }
      return lead;
    }
    throw new Unsupported(); // \b, \B, backreferences, \k<name>, \p{…}, ...
  }

  /** After `[`: the set the class matches. */
  private characterClass(): CharSet {
    const negated = this.eat('^');
    const parts: CharSet[] = [];
    while (!this.eat(']')) {
      if (this.peek() === undefined) throw new Unsupported();
      const from = this.classAtom();
      if (this.peek() === '-' && this.src[this.i + 1] !== ']' && this.src[this.i + 1] !== undefined) {
        this.i++;
        const to = this.classAtom();
        if (typeof from !== 'number' || typeof to !== 'number') throw new Unsupported();
        parts.push(range(from, to));
      } else {
        parts.push(typeof from === 'number' ? single(from) : from);
      }
    }
    const set = union(...parts);
    return negated ? complement(set) : set;
  }

  /** One code point, or the set of a class escape (`\d`, ...). */
  private classAtom(): number | CharSet {
    if (!this.eat('\\')) return this.codePoint();
    const c = this.peek();
    const classEscape = c === undefined ? undefined : CLASS_ESCAPES[c];
    if (classEscape !== undefined) {
      this.i++;
      return classEscape;
    }
    return this.escapedCodePoint(true);
  }
}

/** The syntax tree of an ECMA-262 (`u`) pattern, or undefined when it uses anything this parser leaves out. */
export function parseRegex(source: string): RegexNode | undefined {
  try {
    return new Parser(source).parse();
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}
