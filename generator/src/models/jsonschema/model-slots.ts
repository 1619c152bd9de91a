/**
 * Which schemas become named models, and under which names: each document's root and its
 * `$defs`/`definitions` entries, plus the inline object schemas met while converting (named under
 * their parent). A slot is reserved before its model is built, so that references (and recursion)
 * can name it first.
 */
import type { ModelIr } from '../ir.js';
import { pointerJoin } from '../json-locate.js';
import { pascalCase } from '../names.js';
import type { DiagnosticSink } from '../source.js';
import type { Located, SchemaDocument } from './documents.js';
import { locationKey } from './merge.js';
import type { SchemaNode } from './merge.js';
import { rootNames } from './naming.js';
import { isSchemaObject } from './schema-node.js';

export interface ModelSlot {
  readonly fullName: string;
  readonly className: string;
  readonly located: Located;
  state: 'pending' | 'defining' | 'done';
  model?: ModelIr;
}

/** Where an inline model would be named: under `parent`, after `name` (a property, an item, a branch). */
export interface NameHint {
  readonly parent: string;
  readonly parentClass: string;
  readonly name: string;
}

export class ModelSlots {
  private readonly byLocation = new Map<string, ModelSlot>();
  private readonly byName = new Map<string, ModelSlot>();
  private readonly order: ModelSlot[] = [];

  constructor(
    private readonly sink: DiagnosticSink,
    /** Model names already taken (by Avro schemas), with the file that takes each. */
    private readonly takenNames: ReadonlyMap<string, string>,
  ) {}

  /** Every slot in the order it was reserved; the list grows while models are built. */
  get all(): readonly ModelSlot[] {
    return this.order;
  }

  /** Reserves the slots of a document: its root and every `$defs`/`definitions` entry. */
  registerDocument(sdoc: SchemaDocument): void {
    const root = sdoc.source.json.value;
    if (!isSchemaObject(root) && typeof root !== 'boolean') {
      this.sink.report(sdoc.source, '', 'a JSON Schema document must be an object');
      return;
    }
    const names = rootNames(sdoc.source);
    this.add(names.fullName, names.className, { sdoc, pointer: '', node: root });
    if (!isSchemaObject(root)) return;
    for (const container of ['$defs', 'definitions'] as const) {
      const defs = root[container];
      if (!isSchemaObject(defs)) continue;
      for (const [key, node] of Object.entries(defs)) {
        const title = isSchemaObject(node) && typeof node['title'] === 'string' ? node['title'] : key;
        const className = pascalCase(title);
        this.add(`${names.fullName}.${className}`, className, { sdoc, pointer: pointerJoin(pointerJoin('', container), key), node });
      }
    }
  }

  /** The slot of the schema written at a location, if one was reserved there. */
  atLocation(located: Pick<Located, 'sdoc' | 'pointer'>): ModelSlot | undefined {
    return this.byLocation.get(locationKey(located));
  }

  named(fullName: string): ModelSlot | undefined {
    return this.byName.get(fullName);
  }

  /** A fresh inline model name under `hint.parent`, numbered when taken. */
  inline(hint: NameHint, located: Located): ModelSlot {
    const base = pascalCase(hint.name);
    for (let n = 1; ; n++) {
      const suffix = n === 1 ? '' : String(n);
      const fullName = `${hint.parent}.${base}${suffix}`;
      if (this.byName.has(fullName) || this.takenNames.has(fullName)) continue;
      const slot = this.add(fullName, `${hint.parentClass}${base}${suffix}`, located);
      if (slot !== undefined) return slot;
    }
  }

  private add(fullName: string, className: string, located: Located): ModelSlot | undefined {
    const other = this.byName.get(fullName);
    const avroFile = this.takenNames.get(fullName);
    if (other !== undefined || avroFile !== undefined) {
      const where = other?.located.sdoc.source.relPath ?? avroFile ?? '';
      this.sink.report(located.sdoc.source, located.pointer, `duplicate model name ${fullName} (also defined in ${where})`, 'give one of them another "title"');
      return undefined;
    }
    const slot: ModelSlot = { fullName, className, located, state: 'pending' };
    const key = locationKey(located);
    if (!this.byLocation.has(key)) this.byLocation.set(key, slot);
    this.byName.set(fullName, slot);
    this.order.push(slot);
    return slot;
  }
}

/** The hint for the models nested in a slot's own model. */
export function hintUnder(slot: ModelSlot): NameHint {
  return { parent: slot.fullName, parentClass: slot.className, name: '' };
}

/** A schema's `title`, when it has one, names its inline model instead of the hint's name. */
export function titled(node: SchemaNode, hint: NameHint): NameHint {
  return typeof node['title'] === 'string' ? { ...hint, name: node['title'] } : hint;
}
