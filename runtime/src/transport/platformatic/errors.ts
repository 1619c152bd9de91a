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
  return authenticationRefusal(error) !== undefined;
}

/** What the broker said when it refused the credentials (the innermost refusal), for the error message. */
export function authenticationMessage(error: unknown): string {
  return describeError(authenticationRefusal(error) ?? error);
}

/** The innermost error, among those the error aggregates or was caused by, that is a refused login. */
function authenticationRefusal(error: unknown, depth = 0): unknown {
  if (typeof error !== 'object' || error === null || depth > 8) return undefined;
  const { errors, cause } = error as { errors?: unknown; cause?: unknown };
  const inner = [...(Array.isArray(errors) ? errors : []), cause];
  for (const e of inner) {
    const found = authenticationRefusal(e, depth + 1);
    if (found !== undefined) return found;
  }
  const refused = findBy(error, 'code', 'PLT_KFK_AUTHENTICATION') || hasProtocolError(error, 'SASL_AUTHENTICATION_FAILED') || hasProtocolError(error, 'UNSUPPORTED_SASL_MECHANISM');
  return refused ? error : undefined;
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
