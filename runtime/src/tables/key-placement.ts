import { FaustgenError } from '../core/errors.js';
import type { Event } from '../streams/event.js';
import { partitionForKey } from '../transport/partitioner.js';

/**
 * The rule that keeps table reads and writes exact: a table partition holds the keys of the events
 * of the same source partition, so a key written while processing an event must live on that
 * event's partition. It does when the table key is the event's key (same bytes: wherever the
 * producer put the event), or when murmur2 of the table key gives that partition. Any other write
 * (a table keyed by a field, or by the value of a keyless topic, as in a word count) would put
 * one key's value on several partitions: reads would see another partition's value and `entries()`
 * would list the key once per partition. It is refused, naming the agent and the table: re-key the
 * stream by the table's key first (`groupBy`, or a topic keyed by it, as Faust's word count does),
 * as Kafka Streams requires a repartition before a keyed aggregation.
 */
export function checkKeyPlacement(table: string, key: Buffer, event: Event<unknown, unknown>, partitions: number | undefined, agent: string | undefined): void {
  const eventKey = event.rawKey;
  if (eventKey !== null && eventKey.equals(key)) return;
  if (partitions === undefined) return;
  const home = partitionForKey(key, partitions);
  if (home === event.partition) return;
  const who = agent === undefined ? 'an agent' : `agent "${agent}"`;
  const keyText = JSON.stringify(preview(key));
  const source = `topic "${event.topic}" partition ${event.partition}${eventKey === null ? ' (a keyless event)' : ` (event key ${JSON.stringify(preview(eventKey))})`}`;
  throw new FaustgenError(
    'FG_TABLE_KEY_PARTITION',
    `${who} wrote key ${keyText} to table "${table}" while processing ${source}, but that key belongs on partition ${home}: ` +
      `its value would be split across partitions. Re-key the stream by the table's key first (stream.groupBy(...), or send to a topic keyed by it) so that each key is counted on one partition`,
    { details: { table, ...(agent === undefined ? {} : { agent }), topic: event.topic, partition: event.partition, offset: event.offset, keyPartition: home } },
  );
}

function preview(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
