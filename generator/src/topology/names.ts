/**
 * Topology names (Kafka-style `page-views`, `orders.v1`) become TypeScript identifiers in generated
 * code; these helpers derive them and tell which names cannot be used.
 */

const reservedWords = new Set([
  // ECMAScript reserved words and strict-mode / TypeScript contextual keywords that break declarations.
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else',
  'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof',
  'new', 'null', 'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void',
  'while', 'with', 'yield', 'let', 'static', 'implements', 'interface', 'package', 'private', 'protected',
  'public', 'await', 'arguments', 'eval', 'undefined', 'NaN', 'Infinity', 'any', 'unknown', 'never',
  'object', 'symbol', 'type', 'namespace', 'declare', 'async',
  // Object.prototype members: as keys of generated objects they would shadow or break lookups.
  'constructor', 'prototype', '__proto__', 'toString', 'valueOf', 'hasOwnProperty',
  // Names the generated modules declare themselves.
  'app', 'topics', 'tables', 'agents', 'channels', 'codecs', 'settings', 'fg', 'ctx', 'stream', 'main',
]);

export function isReservedWord(identifier: string): boolean {
  return reservedWords.has(identifier);
}

/** Kafka allows `[a-zA-Z0-9._-]` in topic names; we use the same alphabet for every name. */
export function isValidName(name: string): boolean {
  return /^[A-Za-z][A-Za-z0-9._-]*$/.test(name) && name.length <= 249;
}

function words(name: string): string[] {
  return name
    .split(/[-._\s]+/)
    .filter((word) => word !== '')
    .flatMap((word) => word.split(/(?<=[a-z0-9])(?=[A-Z])/));
}

export function camelCase(name: string): string {
  return words(name)
    .map((word, index) =>
      index === 0 ? word.charAt(0).toLowerCase() + word.slice(1) : word.charAt(0).toUpperCase() + word.slice(1),
    )
    .join('');
}

export function pascalCase(name: string): string {
  const camel = camelCase(name);
  return camel.charAt(0).toUpperCase() + camel.slice(1);
}

export function kebabCase(name: string): string {
  return words(name)
    .map((word) => word.toLowerCase())
    .join('-');
}

export function isIdentifier(text: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(text);
}
