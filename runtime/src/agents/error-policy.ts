import { FaustgenError } from '../core/errors.js';

/**
 * What happens when a handler throws or a record cannot be decoded. Every choice leaves a record:
 * `crash` stops the worker with the event unacked (its offset is never committed), `restart`/`skip`
 * log the failure with topic, partition and offset and ack the event, `deadLetter` copies the original
 * bytes to a topic with the error in headers and acks the event once the broker has the copy.
 */
export type ErrorPolicy = 'crash' | 'restart' | 'skip' | { readonly deadLetter: string };

export function validateErrorPolicy(agent: string, policy: ErrorPolicy): ErrorPolicy {
  if (policy === 'crash' || policy === 'restart' || policy === 'skip') return policy;
  if (typeof policy === 'object' && typeof policy.deadLetter === 'string' && policy.deadLetter !== '') return policy;
  throw new FaustgenError('FG_SETTING_INVALID', `agent "${agent}": onError must be 'crash', 'restart', 'skip' or { deadLetter: '<topic>' }, got ${JSON.stringify(policy)}`, {
    details: { agent, setting: 'onError' },
  });
}

export function describePolicy(policy: ErrorPolicy): string {
  return typeof policy === 'string' ? policy : `deadLetter:${policy.deadLetter}`;
}

/** Headers a dead letter carries, so the failure can be inspected and replayed. */
export function deadLetterHeaders(error: unknown, origin: { topic: string; partition: number; offset: number }, agent: string): Record<string, Buffer> {
  const code = FaustgenError.is(error) ? error.code : 'FG_AGENT_FAILED';
  const message = error instanceof Error ? error.message : String(error);
  return {
    'faustgen-error-code': Buffer.from(code),
    'faustgen-error-message': Buffer.from(message.slice(0, 2000)),
    'faustgen-origin-topic': Buffer.from(origin.topic),
    'faustgen-origin-partition': Buffer.from(String(origin.partition)),
    'faustgen-origin-offset': Buffer.from(String(origin.offset)),
    'faustgen-agent': Buffer.from(agent),
  };
}
