/**
 * Turns errors from the RocksDB binding into FaustgenErrors that name the database path. The binding
 * reports a held LOCK file as `LEVEL_LOCKED`, both when another process holds it ("While lock file:
 * …: Resource temporarily unavailable") and when this process already has the database open ("lock
 * hold by current process"); abstract-level wraps open failures in `LEVEL_DATABASE_NOT_OPEN` with
 * the binding's error as `cause`, so the whole cause chain is searched.
 */
import { FaustgenError, describeError } from '../core/errors.js';

export interface StoreLocation {
  readonly path: string;
  readonly table: string;
  readonly partition: number;
}

export function isLockError(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current !== undefined && depth < 8; depth++) {
    if (typeof current !== 'object' || current === null) return false;
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (code === 'LEVEL_LOCKED') return true;
    if (typeof message === 'string' && /\block\b.*(hold by current process|Resource temporarily unavailable)/i.test(message)) {
      return true;
    }
    current = cause;
  }
  return false;
}

/** The deepest message in the cause chain: abstract-level's outer "Database is not open" says nothing. */
function rootMessage(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 8; depth++) {
    const cause = current instanceof Error ? current.cause : undefined;
    if (cause === undefined) break;
    current = cause;
  }
  return describeError(current);
}

export function storeLockedError(location: StoreLocation, cause: unknown): FaustgenError {
  return new FaustgenError(
    'FG_STORE_LOCKED',
    `RocksDB store ${location.path} (table "${location.table}", partition ${location.partition}) is locked by another ` +
      'worker or another open handle in this process. Stop the other worker, or give each worker its own --datadir.',
    { cause, retriable: true, details: { path: location.path, table: location.table, partition: location.partition } },
  );
}

/** Wraps anything the binding throws; a FaustgenError passes through unchanged. */
export function wrapStoreError(error: unknown, location: StoreLocation, operation: string): FaustgenError {
  if (FaustgenError.is(error)) return error;
  if (isLockError(error)) return storeLockedError(location, error);
  return new FaustgenError(
    'FG_STORE',
    `RocksDB ${operation} failed for ${location.path} (table "${location.table}", partition ${location.partition}): ` +
      rootMessage(error),
    { cause: error, details: { path: location.path, table: location.table, partition: location.partition, operation } },
  );
}
