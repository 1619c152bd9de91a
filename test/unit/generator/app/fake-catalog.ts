import type { ModelCatalog, ModelEntry } from '../../../../generator/src/ir/model-catalog.js';

/** A stand-in for the models half: one Avro record `com.example.Greeting` with aliases `Greeting`. */
export function fakeCatalog(entries: readonly ModelEntry[] = [greetingEntry]): ModelCatalog {
  return {
    entries,
    lookup: (name) => entries.find((entry) => entry.fullName === name || entry.aliases.includes(name)),
  };
}

export const greetingEntry: ModelEntry = {
  fullName: 'com.example.Greeting',
  aliases: ['Greeting'],
  className: 'Greeting',
  modulePath: 'models/com/example/greeting.js',
  kind: 'record',
  codecs: { avro: 'GreetingAvroCodec', json: 'GreetingJsonCodec' },
  format: 'avro',
  location: { file: 'schemas/greeting.avsc' },
  fields: [
    { name: 'from_name', tsType: 'string', optional: false },
    { name: 'to_name', tsType: 'string', optional: false },
  ],
};
