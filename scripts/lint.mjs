#!/usr/bin/env node
// Architecture rules a type checker cannot see: runtime/ never imports generator/, library code has
// no `any`, and generated code imports only the runtime's public entry points.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function walk(dir, match) {
  let out = [];
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(walk(path, match));
    else if (match(path)) out.push(path);
  }
  return out;
}

const problems = [];
const ts = (p) => p.endsWith('.ts') && !p.endsWith('.d.ts');
for (const file of walk('runtime/src', ts)) {
  const text = readFileSync(file, 'utf8');
  if (/from\s+['"][^'"]*generator\//.test(text)) problems.push(`${file}: runtime/ must not import generator/`);
}
for (const file of [...walk('runtime/src', ts), ...walk('generator/src', ts)]) {
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    const code = line.replace(/\/\/.*$/, '').replace(/'[^']*'|"[^"]*"|`[^`]*`/g, '');
    if (/(:\s*any\b|<any>|\bas any\b|any\[\])/.test(code)) problems.push(`${file}:${i + 1}: \`any\` in library code`);
  });
}
for (const file of walk('examples', (p) => ts(p) && p.includes('/generated/'))) {
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(/from\s+['"](faustgen[^'"]*)['"]/g)) {
    if (!['faustgen', 'faustgen/codegen'].includes(match[1])) problems.push(`${file}: generated code imports ${match[1]}; only faustgen and faustgen/codegen are public`);
  }
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(`lint: ${problems.length} problem(s)`);
  process.exit(1);
}
console.error('lint: ok');
