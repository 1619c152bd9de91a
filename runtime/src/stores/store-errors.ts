import { FaustgenError } from '../core/errors.js';

/** A store handle used after close, e.g. a timer still reading a table whose partition was revoked. */
export function storeClosedError(store: string, operation: string): FaustgenError {
  return new FaustgenError('FG_APP_STATE', `Cannot ${operation} ${store}: the store is closed.`, {
    details: { store, operation },
  });
}
