/**
 * Synchronous range scans over the binding's `querySync`, one page at a time. Each page is a fresh
 * native iterator that resumes after the last key of the page before, so no iterator outlives a
 * call: nothing to leak if the caller stops early, nothing left open when the store closes, and
 * writes between pages (a delete during iteration) are simply seen or not, never fatal.
 */
import type { RocksQueryOptions, RocksQueryResult } from './rocksdb-binding.js';

/** Rows per page; a page also ends once it holds more than pageBytes of keys and values. */
const pageRows = 1000;
const pageBytes = 4 * 1024 * 1024;

export type PageQuery = (options: Omit<RocksQueryOptions, 'keyEncoding' | 'valueEncoding'>) => RocksQueryResult;

/** Yields the interleaved [key, value, key, value, ...] rows of [gte, lt), page by page. */
export function* scanPages(
  query: PageQuery,
  range: { readonly gte: Buffer; readonly lt: Buffer },
  select: { readonly keys?: boolean; readonly values?: boolean } = {},
): Generator<readonly (Buffer | undefined)[], void, undefined> {
  let lower: { gte: Buffer } | { gt: Buffer } = { gte: range.gte };
  for (;;) {
    const { rows, finished } = query({ ...lower, lt: range.lt, ...select, limit: pageRows, highWaterMarkBytes: pageBytes });
    if (rows.length > 0) yield rows;
    // The binding marks a page finished both at the end and when it hit `limit`, and unfinished when
    // it stopped on bytes: only a finished short page is the last one.
    if (finished && rows.length < pageRows * 2) return;
    const last = rows[rows.length - 2];
    if (last === undefined) return;
    lower = { gt: last };
  }
}
