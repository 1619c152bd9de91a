import { FaustgenError, describeError, type ErrorCode } from '../../core/errors.js';

/**
 * The one place where @platformatic/kafka errors become FaustgenErrors. Its errors carry flags
 * (`canRetry`, `needsRejoin`, `hasStaleMetadata`, `apiId`) on the error itself or on one of the
 * errors it aggregates; `findBy` searches them all.
 */
export function wrapPlatformaticError(error: unknown, what: string, details: Readonly<Record<string, unknown>> = {}, code: ErrorCode = 'FG_TRANSPORT'): FaustgenError {
  if (FaustgenError.is(error)) return error;
  const apiId = protocolErrorId(error);
  return new FaustgenError(code, `${what}: ${describeError(error)}${apiId === undefined ? '' : ` (${apiId})`}`, {
    cause: error,
    retriable: isRetriable(error),
    details: apiId === undefined ? details : { ...details, kafkaError: apiId },
  });
}

interface Searchable {
  findBy?: (property: string, value: unknown) => unknown;
  code?: unknown;
}

function findBy(error: unknown, property: string, value: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const searchable = error as Searchable;
  if (typeof searchable.findBy === 'function') return searchable.findBy(property, value) !== null && searchable.findBy(property, value) !== undefined;
  return (error as Record<string, unknown>)[property] === value;
}

/** Network failures, timeouts and protocol errors Kafka marks retriable. */
export function isRetriable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if (findBy(error, 'canRetry', true) || findBy(error, 'hasStaleMetadata', true)) return true;
  if (findBy(error, 'code', 'PLT_KFK_NETWORK') || findBy(error, 'code', 'PLT_KFK_TIMEOUT')) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND)$/.test(code);
}

/** The group moved on (rebalance, new generation, unknown member). */
export function needsRejoin(error: unknown): boolean {
  return findBy(error, 'needsRejoin', true);
}

export function hasProtocolError(error: unknown, apiId: string): boolean {
  return findBy(error, 'apiId', apiId);
}

/**
 * Refused credentials. The client reports them as the `cause` of a failed connection inside "Cannot
 * connect to any broker" (MultipleErrors → NetworkError → cause AuthenticationError → cause
 * ResponseError → ProtocolError SASL_AUTHENTICATION_FAILED), and its own search does not follow
 * causes: without this walk a wrong password waited out brokerStartupTimeoutMs as "unreachable".
 */
export function isAuthenticationError(error: unknown): boolean {
  return anyNested(error, (e) => findBy(e, 'code', 'PLT_KFK_AUTHENTICATION') || hasProtocolError(e, 'SASL_AUTHENTICATION_FAILED') || hasProtocolError(e, 'UNSUPPORTED_SASL_MECHANISM'));
}

/** True when `test` holds for the error or any error it aggregates or was caused by. */
function anyNested(error: unknown, test: (error: unknown) => boolean, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 8) return false;
  if (test(error)) return true;
  const { errors, cause } = error as { errors?: unknown; cause?: unknown };
  if (Array.isArray(errors) && errors.some((inner) => anyNested(inner, test, depth + 1))) return true;
  return anyNested(cause, test, depth + 1);
}

/** The Kafka error name such as `REBALANCE_IN_PROGRESS`, when the error is (or holds) a protocol error. */
export function protocolErrorId(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const own = (error as { apiId?: unknown }).apiId;
  if (typeof own === 'string') return own;
  const nested = (error as { errors?: unknown }).errors;
  if (Array.isArray(nested)) for (const inner of nested) {
    const id = protocolErrorId(inner);
    if (id !== undefined) return id;
  }
  return undefined;
}
