import { FaustgenError, describeError, type ErrorCode } from '../../core/errors.js';

/**
 * The one place where kafkajs errors become FaustgenErrors: nothing of kafkajs's error classes
 * leaves this folder. The original stays reachable as `cause`; `retriable` is kafkajs's own verdict.
 */
export function wrapKafkaError(
  error: unknown,
  what: string,
  details: Readonly<Record<string, unknown>> = {},
  code: ErrorCode = 'FG_TRANSPORT',
): FaustgenError {
  if (FaustgenError.is(error)) return error;
  const type = kafkaErrorType(error);
  return new FaustgenError(code, `${what}: ${describeError(error)}${type === undefined ? '' : ` (${type})`}`, {
    cause: error,
    retriable: isRetriable(error),
    details: type === undefined ? details : { ...details, kafkaError: type },
  });
}

/** kafkajs marks each error retriable or not; a "retries exhausted" error defers to its cause. */
export function isRetriable(error: unknown): boolean {
  const value = readField(error, 'retriable');
  return value === true;
}

/** Retriable by kafkajs's verdict on the error or on its innermost cause (retry and crash errors wrap it). */
export function isRetriableThroughCause(error: unknown): boolean {
  return isRetriable(error) || isRetriable(rootCause(error));
}

/** The innermost `cause`: kafkajs wraps the real failure in retry and crash errors. */
export function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 10; depth++) {
    const next = readField(current, 'cause');
    if (next === undefined || next === null || next === current) return current;
    current = next;
  }
  return current;
}

/** Kafka protocol error name such as `REBALANCE_IN_PROGRESS`, or the kafkajs error class name. */
export function kafkaErrorType(error: unknown): string | undefined {
  const type = readField(error, 'type');
  if (typeof type === 'string') return type;
  const name = readField(error, 'name');
  return typeof name === 'string' && name.startsWith('KafkaJS') ? name : undefined;
}

/** Another producer with the same transactional id took over: this one must not write again. */
export function isFencedError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 10 && current !== undefined && current !== null; depth++) {
    const type = kafkaErrorType(current);
    if (type === 'PRODUCER_FENCED' || type === 'INVALID_PRODUCER_EPOCH') return true;
    current = readField(current, 'cause');
  }
  return false;
}

const rebalanceTypes = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'NOT_COORDINATOR_FOR_GROUP']);

/** The group moved on (rebalance, new generation): the operation is fine to retry after it. */
export function isRebalanceError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 10 && current !== undefined && current !== null; depth++) {
    const type = kafkaErrorType(current);
    if (type !== undefined && rebalanceTypes.has(type)) return true;
    current = readField(current, 'cause');
  }
  return false;
}

function readField(value: unknown, field: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as Record<string, unknown>)[field];
}
