/**
 * Where local table state lives: `<datadir>/<appId>/tables/<table>-<partition>.db`, one RocksDB
 * database per table partition as in Faust. `faustgen reset` deletes `<datadir>/<appId>/tables`.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { FaustgenError } from '../core/errors.js';

/** Topic-name characters; anything else (a slash, "..") could leave the data directory. */
const safeName = /^[A-Za-z0-9._-]+$/;

export function assertSafePathName(what: 'appId' | 'table', name: string): void {
  if (!safeName.test(name) || name === '.' || name === '..') {
    throw new FaustgenError(
      'FG_SETTING_INVALID',
      `The ${what} ${JSON.stringify(name)} cannot name a directory of table state: use letters, digits, ".", "_" and "-".`,
      { details: { setting: what, value: name } },
    );
  }
}

export function tablesDir(datadir: string, appId: string): string {
  assertSafePathName('appId', appId);
  return join(resolve(datadir), appId, 'tables');
}

export function partitionDbPath(datadir: string, appId: string, table: string, partition: number): string {
  assertSafePathName('table', table);
  return join(tablesDir(datadir, appId), `${table}-${partition}.db`);
}

/** `rocksdb://` keeps the app's datadir; `rocksdb:///abs/path` puts the state under /abs/path instead. */
export function rocksdbBaseDir(url: URL, datadir: string): string {
  const invalid = (why: string): FaustgenError =>
    new FaustgenError('FG_STORE_URL_INVALID', `Store URL "${url.href}" is invalid: ${why}.`, {
      details: { url: url.href },
    });
  if (url.host !== '') throw invalid(`"${url.host}" would be a host; write rocksdb:// or rocksdb:///absolute/path`);
  if (url.search !== '' || url.hash !== '') throw invalid('rocksdb URLs take no query or fragment');
  if (url.pathname === '' || url.pathname === '/') return resolve(datadir);
  const path = decodeURIComponent(url.pathname);
  if (!isAbsolute(path)) throw invalid('the directory must be an absolute path, as in rocksdb:///var/lib/app');
  return path;
}
