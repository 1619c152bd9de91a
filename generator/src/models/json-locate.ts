/**
 * A strict JSON parser that remembers where every value starts, so that diagnostics about a schema
 * can name the line and column of the JSON pointer they are about.
 */

export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface LocatedJson {
  readonly value: unknown;
  /** Position of the value at `pointer`, or of its nearest ancestor that exists. */
  locate(pointer: string): Position;
  /** Pointers of object keys that appear twice in one object (the last one wins, as in JSON.parse). */
  readonly duplicateKeys: readonly string[];
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: Position,
  ) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function pointerJoin(pointer: string, token: string | number): string {
  return `${pointer}/${escapePointerToken(String(token))}`;
}

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The value at a JSON pointer inside a parsed document, or undefined. */
export function valueAt(root: unknown, pointer: string): unknown {
  let current: unknown = root;
  for (const token of parsePointer(pointer)) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, token)) return undefined;
    current = (current as Record<string, unknown>)[token];
  }
  return current;
}

export function parseLocatedJson(text: string): LocatedJson {
  return new Parser(text).parseDocument();
}

// Sticky, so that matching starts at the cursor without copying the rest of the text.
const stringRe = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const numberRe = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Nesting of objects and arrays a schema file may have (an Avro record nests 4 levels deep per record). */
export const maxNesting = 256;

class Parser {
  private depth = 0;
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private readonly positions = new Map<string, Position>();
  private readonly duplicates: string[] = [];

  constructor(private readonly text: string) {}

  parseDocument(): LocatedJson {
    if (this.text.charCodeAt(0) === 0xfeff) this.advance(1);
    this.skipWhitespace();
    const value = this.parseValue('');
    this.skipWhitespace();
    if (this.pos < this.text.length) this.fail('unexpected text after the JSON value');
    const positions = this.positions;
    return {
      value,
      duplicateKeys: this.duplicates,
      locate(pointer: string): Position {
        let current = pointer;
        for (;;) {
          const found = positions.get(current);
          if (found !== undefined) return found;
          if (current === '') return { line: 1, column: 1 };
          current = current.slice(0, current.lastIndexOf('/'));
        }
      },
    };
  }

  private here(): Position {
    return { line: this.line, column: this.pos - this.lineStart + 1 };
  }

  private fail(message: string): never {
    throw new JsonSyntaxError(`invalid JSON: ${message}`, this.here());
  }

  private advance(count: number): void {
    for (let i = 0; i < count; i++) {
      if (this.text.charCodeAt(this.pos) === 10) {
        this.line++;
        this.lineStart = this.pos + 1;
      }
      this.pos++;
    }
  }

  private skipWhitespace(): void {
    for (;;) {
      const c = this.text[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.advance(1);
      else return;
    }
  }

  private parseValue(pointer: string): unknown {
    this.positions.set(pointer, this.here());
    const c = this.text[this.pos];
    if (c === '{' || c === '[') {
      // Deeper documents (300 nested records, 2,000 nested arrays) overflowed the stack of the
      // parser and the converters after it with a raw RangeError; refuse them here, with a position.
      if (this.depth >= maxNesting) {
        throw new JsonSyntaxError(`schema nested deeper than ${maxNesting} levels of objects and arrays: faustgen refuses it rather than overflow the stack`, this.here());
      }
      this.depth++;
      try {
        return c === '{' ? this.parseObject(pointer) : this.parseArray(pointer);
      } finally {
        this.depth--;
      }
    }
    if (c === '"') return this.parseString();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.parseNumber();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.advance(word.length);
        return value;
      }
    }
    return this.fail(c === undefined ? 'unexpected end of input' : `unexpected character ${JSON.stringify(c)}`);
  }

  private parseObject(pointer: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.advance(1);
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.advance(1);
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail('expected a property name in double quotes');
      const key = this.parseString();
      const child = pointerJoin(pointer, key);
      if (Object.hasOwn(out, key)) this.duplicates.push(child);
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.fail('expected ":" after a property name');
      this.advance(1);
      this.skipWhitespace();
      Object.defineProperty(out, key, { value: this.parseValue(child), enumerable: true, writable: true, configurable: true });
      this.skipWhitespace();
      const c = this.text[this.pos];
      if (c !== ',' && c !== '}') this.fail('expected "," or "}" in an object');
      this.advance(1);
      if (c === '}') return out;
    }
  }

  private parseArray(pointer: string): unknown[] {
    const out: unknown[] = [];
    this.advance(1);
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.advance(1);
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      out.push(this.parseValue(pointerJoin(pointer, out.length)));
      this.skipWhitespace();
      const c = this.text[this.pos];
      if (c !== ',' && c !== ']') this.fail('expected "," or "]" in an array');
      this.advance(1);
      if (c === ']') return out;
    }
  }

  private match(re: RegExp): RegExpExecArray | null {
    re.lastIndex = this.pos;
    return re.exec(this.text);
  }

  private parseString(): string {
    const match = this.match(stringRe);
    if (match === null) this.fail('malformed string');
    this.advance(match[0].length);
    return JSON.parse(match[0]) as string;
  }

  private parseNumber(): number {
    const match = this.match(numberRe);
    if (match === null) this.fail('malformed number');
    this.advance(match[0].length);
    return Number(match[0]);
  }
}
