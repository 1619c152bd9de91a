import { FaustgenError } from '../../core/errors.js';

export const DEFAULT_KAFKA_PORT = 9092;

/**
 * Parses a `kafka://` broker URL into kafkajs's `host:port` list.
 *
 * Faust accepts several brokers separated by `;` (`kafka://h1:9092;h2:9092`); `,` is accepted too
 * because that is how every Kafka tool spells a bootstrap list. A missing port means 9092.
 *
 * @example parseKafkaUrl('kafka://a;b:9093') // ['a:9092', 'b:9093']
 */
export function parseKafkaUrl(url: string): string[] {
  const match = /^kafka:\/\/(.*)$/i.exec(url.trim());
  if (match === null) throw invalid(url, url, 'expected a URL starting with kafka://');
  const rest = (match[1] ?? '').replace(/\/+$/, '');
  const parts = rest.split(/[;,]/).map((part) => part.trim().replace(/^kafka:\/\//i, ''));
  const brokers: string[] = [];
  for (const part of parts) {
    if (part === '') continue;
    brokers.push(parseHostPort(url, part));
  }
  if (brokers.length === 0) throw invalid(url, rest, 'no broker host given');
  return brokers;
}

function parseHostPort(url: string, part: string): string {
  // `[::1]:9092` for IPv6, `host:port` or a bare `host` otherwise.
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::(.*))?$/.exec(part);
  const plain = /^([A-Za-z0-9._-]+)(?::(.*))?$/.exec(part);
  const found = bracketed ?? plain;
  if (found === null) throw invalid(url, part, 'a broker must be host or host:port');
  const host = bracketed === null ? (found[1] ?? '') : `[${found[1] ?? ''}]`;
  const portText = found[2];
  if (portText === undefined) return `${host}:${DEFAULT_KAFKA_PORT}`;
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    throw invalid(url, part, `port "${portText}" is not a number between 1 and 65535`);
  }
  return `${host}:${Number(portText)}`;
}

function invalid(url: string, part: string, reason: string): FaustgenError {
  return new FaustgenError('FG_BROKER_URL_INVALID', `Invalid Kafka broker URL "${url}": "${part}": ${reason}`, {
    details: { setting: 'broker', url, part },
  });
}
