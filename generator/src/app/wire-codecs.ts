import type { TableSpec, Topology, TopicSpec, TypeRef } from '../topology/types.js';
import type { EmitContext } from './context.js';
import type { ImportSet } from './imports.js';
import { modelModule } from './type-resolver.js';

/** Where a codec is used; Faust's default serializers differ by place (docs/faust-interop.md). */
export type WireRole = 'topicKey' | 'topicValue' | 'tableKey' | 'tableValue';

/** Whether a topic is written in Faust's format: its own `faustCompat`, else the app's (not for registry-framed nor single-object topics). */
export function topicIsFaust(topology: Topology, topic: TopicSpec): boolean {
  return topic.faustCompat ?? (topic.registry === undefined && topic.avro === undefined && topology.settings.faustCompat === true);
}

/** Whether a table's changelog is in Faust's format: its own `faustCompat`, else the app's (plain and global tables). */
export function tableIsFaust(topology: Topology, table: TableSpec): boolean {
  return table.faustCompat ?? (topology.settings.faustCompat === true && table.kind !== 'set' && table.window === undefined);
}

/**
 * The codec expression of one part of a topic or table. Native: the type's own codec (Avro models
 * as Avro). Faust: Faust's `raw` key serializer for topic keys (str as UTF-8, as native), its `json`
 * serializer elsewhere (str as a JSON string); models as JSON with `__faust`; table keys re-spelled
 * canonically when recovered from a changelog another JSON encoder wrote.
 */
export function wireCodec(context: EmitContext, ref: TypeRef, role: WireRole, faust: boolean, imports: ImportSet): string {
  if (!faust) return context.types.codec(ref, imports);
  if (ref.kind === 'primitive' && ref.name === 'string') {
    // Topic keys: Faust's raw key serializer, UTF-8 as native. Elsewhere a JSON string, with its own canonical form.
    return role === 'topicKey' ? context.types.codec(ref, imports) : `${imports.add('faustgen', 'faustCodecs')}.string`;
  }
  const entry = ref.kind === 'model' ? context.catalog.lookup(ref.name) : undefined;
  const codec = entry?.codecs.json === undefined ? context.types.codec(ref, imports) : imports.add(modelModule(entry), entry.codecs.json);
  // Faust's table keys of type bytes are raw (one spelling); JSON ones get a canonical form on recovery.
  const raw = ref.kind === 'primitive' && ref.name === 'bytes';
  return role === 'tableKey' && !raw ? `${imports.add('faustgen', 'faustCodecs')}.tableKey(${codec})` : codec;
}
