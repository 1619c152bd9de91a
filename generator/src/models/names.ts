/**
 * Names and text that flow from schemas into generated code. Everything a schema author writes
 * reaches the output only through these functions: identifiers are checked, strings are JSON-quoted
 * and comments cannot be closed early.
 */

const reservedWords = new Set([
  // ECMAScript reserved and strict-mode reserved words.
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum',
  'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null',
  'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield',
  'let', 'static', 'implements', 'interface', 'package', 'private', 'protected', 'public', 'await', 'arguments', 'eval',
  // Names TypeScript does not allow for a class or type alias.
  'any', 'unknown', 'never', 'object', 'string', 'number', 'boolean', 'symbol', 'bigint', 'undefined', 'void',
  'type', 'namespace', 'module', 'declare', 'abstract', 'as', 'satisfies', 'keyof', 'readonly', 'infer', 'is', 'asserts',
  'constructor', 'require', 'exports', 'globalThis',
]);

/** Field names that would collide with members every generated record has, or with Faust's metadata key. */
const reservedFieldNames = new Set(['constructor', 'toJSON', '__proto__', '__faust']);

export const avroNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
const identifierPattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isIdentifierName(name: string): boolean {
  return identifierPattern.test(name);
}

/** Why a name cannot be an exported TypeScript class/type name, or undefined when it can. */
export function typeNameProblem(name: string): string | undefined {
  if (!identifierPattern.test(name)) return `"${printable(name)}" is not a valid TypeScript identifier`;
  if (reservedWords.has(name)) return `"${name}" is a reserved word in TypeScript`;
  return undefined;
}

export function fieldNameProblem(name: string): string | undefined {
  return reservedFieldNames.has(name) ? `field name "${name}" is reserved in generated records` : undefined;
}

/** Escapes a name for use inside a diagnostic message. */
export function printable(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/** A TypeScript string literal for any text (JSON string syntax is valid TypeScript). */
export function tsString(text: string): string {
  return JSON.stringify(text).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A property name in a declaration or object literal: bare when it is an identifier, quoted otherwise. */
export function propertyKey(name: string): string {
  return isIdentifierName(name) ? name : tsString(name);
}

/** A key in an object literal: `__proto__` must be computed, or it would set the prototype instead. */
export function objectLiteralKey(name: string): string {
  return name === '__proto__' ? `[${tsString(name)}]` : propertyKey(name);
}

export function propertyAccess(target: string, name: string): string {
  return isIdentifierName(name) ? `${target}.${name}` : `${target}[${tsString(name)}]`;
}

export function pascalCase(text: string): string {
  const words = text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '');
  const joined = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  if (joined === '') return 'Model';
  return /^[0-9]/.test(joined) ? `_${joined}` : joined;
}

export function kebabCase(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase() || 'model';
}

/**
 * A JSDoc block for schema documentation. `*\/` cannot end the comment early and no line can start a
 * new tag by accident (a leading `@` is escaped).
 */
export function docComment(doc: string | undefined, indent = ''): string {
  if (doc === undefined || doc.trim() === '') return '';
  const lines = sanitizeDoc(doc).split('\n');
  if (lines.length === 1) return `${indent}/** ${lines[0] ?? ''} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} *${l === '' ? '' : ` ${l}`}`).join('\n')}\n${indent} */\n`;
}

/** Documentation text safe to place inside a block comment. */
export function sanitizeDoc(doc: string): string {
  return doc
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(/\*\//g, '*\\/')
    .replace(/^(\s*)@/gm, '$1\\@')
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''))
    .join('\n')
    .trim();
}
