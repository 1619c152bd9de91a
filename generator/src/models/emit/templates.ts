import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

export type TemplateName = 'record' | 'enum' | 'type';

/** The package's `templates/models` folder, found from this file whether it runs from source or from dist. */
function templatesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'templates', 'models');
    if (existsSync(join(candidate, 'record.ts.hbs'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('internal: templates/models not found next to the faustgen package');
}

const compiled = new Map<TemplateName, Handlebars.TemplateDelegate>();

/**
 * Renders a model template. Templates only place prepared text (everything is escaped in
 * TypeScript beforehand), so HTML escaping is off and a missing key is an error, not an empty string.
 */
export function renderTemplate(name: TemplateName, view: object): string {
  let template = compiled.get(name);
  if (template === undefined) {
    const text = readFileSync(join(templatesDir(), `${name}.ts.hbs`), 'utf8');
    template = Handlebars.compile(text, { noEscape: true, strict: true });
    compiled.set(name, template);
  }
  return template(view);
}
