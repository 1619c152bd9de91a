/**
 * Kafka's consumer protocol payloads, version 0 (ConsumerProtocolSubscription and
 * ConsumerProtocolAssignment in Kafka's message definitions): the bytes a classic group carries in
 * JoinGroup metadata and SyncGroup assignments. Written here for drivers whose client does not let
 * faustgen choose the assignment's userData (@platformatic/kafka); version 0 is what every client
 * reads, and later versions only append fields.
 */
export interface ConsumerSubscription {
  readonly topics: readonly string[];
  readonly userData: Buffer;
}

export interface ConsumerAssignment {
  readonly partitions: Readonly<Record<string, readonly number[]>>;
  readonly userData: Buffer;
}

export function encodeConsumerSubscription(subscription: ConsumerSubscription): Buffer {
  const parts: Buffer[] = [int16(0), int32(subscription.topics.length)];
  for (const topic of subscription.topics) parts.push(string(topic));
  parts.push(bytes(subscription.userData));
  return Buffer.concat(parts);
}

export function decodeConsumerSubscription(buffer: Buffer): ConsumerSubscription {
  const reader = new Reader(buffer);
  reader.int16();
  const topics: string[] = [];
  for (let n = reader.int32(); n > 0; n--) topics.push(reader.string());
  return { topics, userData: reader.remaining() >= 4 ? reader.bytes() : Buffer.alloc(0) };
}

export function encodeConsumerAssignment(assignment: ConsumerAssignment): Buffer {
  const topics = Object.entries(assignment.partitions);
  const parts: Buffer[] = [int16(0), int32(topics.length)];
  for (const [topic, partitions] of topics) {
    parts.push(string(topic), int32(partitions.length));
    for (const partition of partitions) parts.push(int32(partition));
  }
  parts.push(bytes(assignment.userData));
  return Buffer.concat(parts);
}

export function decodeConsumerAssignment(buffer: Buffer): ConsumerAssignment {
  const reader = new Reader(buffer);
  const partitions: Record<string, number[]> = {};
  if (reader.remaining() < 6) return { partitions, userData: Buffer.alloc(0) };
  reader.int16();
  for (let n = reader.int32(); n > 0; n--) {
    const topic = reader.string();
    const list: number[] = [];
    for (let m = reader.int32(); m > 0; m--) list.push(reader.int32());
    partitions[topic] = list;
  }
  return { partitions, userData: reader.remaining() >= 4 ? reader.bytes() : Buffer.alloc(0) };
}

function int16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(value);
  return b;
}

function int32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value);
  return b;
}

function string(value: string): Buffer {
  const text = Buffer.from(value, 'utf8');
  return Buffer.concat([int16(text.length), text]);
}

/** Kafka `bytes`: int32 length, -1 for null (read back as empty). */
function bytes(value: Buffer): Buffer {
  return Buffer.concat([int32(value.length), value]);
}

class Reader {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  remaining(): number {
    return this.buffer.length - this.offset;
  }

  int16(): number {
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  int32(): number {
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  string(): string {
    const length = this.int16();
    const value = this.buffer.toString('utf8', this.offset, this.offset + Math.max(0, length));
    this.offset += Math.max(0, length);
    return value;
  }

  bytes(): Buffer {
    const length = this.int32();
    if (length < 0) return Buffer.alloc(0);
    const value = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
}
