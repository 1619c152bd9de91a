/**
 * The broker URL schemes, in one place: the worker's settings parse them, and the generator checks
 * faustgen.yaml and `faustgen send` against them, so a new scheme is one edit here. Kept free of
 * imports so the CLI can load it without loading the runtime.
 */

/** The Kafka clients a broker URL can name. */
export type KafkaClientName = 'kafkajs' | 'platformatic';

/** A client a Kafka URL names, or `default`: faustgen's choice for the running Node. */
export type KafkaClientChoice = KafkaClientName | 'default';

/** The Kafka URL scheme of each client choice; `kafka://` leaves the client to faustgen. */
export const KAFKA_URL_SCHEMES: Readonly<Record<KafkaClientChoice, string>> = {
  default: 'kafka',
  platformatic: 'kafka+platformatic',
  kafkajs: 'kafka+kafkajs',
};

// A record rather than a map so that naming a client's scheme can never miss; this is its key list.
const CLIENT_CHOICES = Object.keys(KAFKA_URL_SCHEMES) as readonly KafkaClientChoice[];

/** Every broker URL scheme a worker takes: the in-process broker, then the Kafka ones. */
export const BROKER_URL_SCHEMES: readonly string[] = ['memory', ...CLIENT_CHOICES.map((client) => KAFKA_URL_SCHEMES[client])];

/** The schemes as messages list them: `memory://, kafka://, …`. */
export function knownBrokerUrls(schemes: readonly string[] = BROKER_URL_SCHEMES): string {
  return schemes.map((scheme) => `${scheme}://`).join(', ');
}

/** The scheme of a `scheme://…` URL, or undefined when the text does not start like one. */
export function urlScheme(url: string): string | undefined {
  return /^([a-z+]+):\/\//.exec(url)?.[1];
}

export function isBrokerUrlScheme(scheme: string): boolean {
  return BROKER_URL_SCHEMES.includes(scheme);
}

/** The client a Kafka URL scheme names, or undefined for a scheme that is not a Kafka one. */
export function kafkaClientOfScheme(scheme: string): KafkaClientChoice | undefined {
  return CLIENT_CHOICES.find((client) => KAFKA_URL_SCHEMES[client] === scheme);
}
