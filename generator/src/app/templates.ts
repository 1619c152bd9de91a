import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { packageRoot } from './package-root.js';

type Render = (view: object) => string;

const compiled = new Map<string, Render>();
const engine = Handlebars.create();

/**
 * Renders `templates/<name>` with a prepared view-model. Templates only interpolate: every name,
 * literal and type expression is computed in TypeScript beforehand. `strict` makes a field the
 * view-model lacks an error instead of an empty string.
 */
export function renderTemplate(name: string, view: object): string {
  let render = compiled.get(name);
  if (render === undefined) {
    const source = readFileSync(join(packageRoot(), 'templates', name), 'utf8');
    render = engine.compile(source, { noEscape: true, strict: true });
    compiled.set(name, render);
  }
  return render(view);
}
