/** A Map key for a topic partition (NUL cannot occur in Kafka topic names). */
export function partitionKeyOf(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
