import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KAFKA_URL_SCHEMES, kafkaClientOfScheme, knownBrokerUrls, urlScheme } from '../../../runtime/src/app/broker-schemes.js';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import type { Codec } from '../../../runtime/src/types/codec.js';
import type { Project } from './project.js';

interface Registry {
  readonly topicCodecs: Readonly<Record<string, { readonly key: Codec<unknown>; readonly value: Codec<unknown> }>>;
  readonly agentTopics: Readonly<Record<string, string>>;
}

export interface EncodedMessage {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer;
}

async function encode(codec: Codec<unknown>, value: unknown, what: string, topic: string): Promise<Buffer> {
  // Registry-framed codecs look up their schema id first (a registry failure keeps its own code).
  await codec.prepareEncode?.();
  try {
    const bytes = codec.encode(value);
    // Decoding back runs the codec's validation, so a value that does not fit the schema is refused here.
    await codec.prepareDecode?.(bytes);
    codec.decode(bytes);
    return bytes;
  } catch (error) {
    if (FaustgenError.is(error) && error.code.startsWith('FG_SCHEMA')) throw error;
    throw new FaustgenError('FG_VALIDATION', `${what} does not fit topic "${topic}" (codec ${codec.name}): ${(error as Error).message}`, { kind: 'data', cause: error, details: { topic } });
  }
}

/** Resolves a topic or agent name and encodes key and value with the generated codecs. */
export async function encodeMessage(project: Project, target: string, value: unknown, key: string | undefined): Promise<EncodedMessage> {
  const registryFile = join(project.root, project.topology.paths.output, 'registry.ts');
  const { register } = await import('tsx/esm/api');
  register();
  let registry: Registry;
  try {
    registry = (await import(pathToFileURL(registryFile).href)) as Registry;
  } catch (error) {
    const message = (error as Error).message;
    // A project whose dependencies are not installed fails here first; codegen would not help.
    const fix = /Cannot find (package|module) 'faustgen/.test(message) ? 'run `npm install` in the project' : 'run `faustgen codegen`';
    throw new FaustgenError('FG_CODEGEN_STALE', `cannot load ${registryFile}: ${message}; ${fix}`, { kind: 'user', cause: error });
  }
  const topic = registry.topicCodecs[target] !== undefined ? target : registry.agentTopics[target];
  const codecs = topic === undefined ? undefined : registry.topicCodecs[topic];
  if (topic === undefined || codecs === undefined) {
    const known = [...Object.keys(registry.topicCodecs), ...Object.keys(registry.agentTopics)].join(', ');
    throw new FaustgenError('FG_TOPIC_MISSING', `"${target}" is neither a topic nor an agent fed by a topic (known: ${known})`, { kind: 'user' });
  }
  const keyValue = key === undefined ? undefined : codecs.key.name === 'string' ? key : parseJson(key, 'key');
  return {
    topic,
    key: keyValue === undefined ? null : await encode(codecs.key, keyValue, 'key', topic),
    value: await encode(codecs.value, value, 'value', topic),
  };
}

export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new FaustgenError('FG_VALIDATION', `${what} is not valid JSON: ${(error as Error).message}`, { kind: 'data' });
  }
}

/** `kafka://h1:9092;h2:9092` → broker list; anything else cannot be reached from outside the worker. */
export function kafkaBrokers(url: string): string[] {
  // Every Kafka scheme names the same brokers, whichever client it picks: the CLI sends through kafkajs.
  const scheme = urlScheme(url) ?? '';
  const hosts = url.slice(scheme.length + '://'.length);
  if (kafkaClientOfScheme(scheme) === undefined || hosts === '') {
    const kafkaSchemes = knownBrokerUrls(Object.values(KAFKA_URL_SCHEMES));
    throw new FaustgenError('FG_BROKER_URL_INVALID', `faustgen send needs a Kafka broker (${kafkaSchemes}), got "${url}" (an in-memory broker lives inside one worker)`, { kind: 'user', details: { setting: 'broker' } });
  }
  return hosts.split(/[;,]/).map((host) => host.trim()).filter((host) => host !== '').map((host) => (host.includes(':') ? host : `${host}:9092`));
}
