import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { basename, dirname, isAbsolute, join, sep } from 'node:path';
import { findTopology } from '../topology/find.js';
import { loadTopology } from '../topology/load.js';

/**
 * Runs `build` now and again after each change to the topology or a schema folder (debounced),
 * until SIGINT. Watches the inputs only, so the writes of a run do not trigger the next one.
 */
export async function watchInputs(target: { projectRoot: string; topologyPath?: string }, build: () => Promise<void>): Promise<void> {
  const topologyFile = await findTopology(target.projectRoot, target.topologyPath);
  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const rewatch = async (): Promise<void> => {
    for (const watcher of watchers) watcher.close();
    const loaded = await loadTopology(topologyFile, topologyFile);
    const base = dirname(topologyFile);
    const folders = (loaded.topology?.paths.schemas ?? []).map((pattern) => {
      const absolute = isAbsolute(pattern) ? pattern : join(base, pattern);
      const segments = absolute.split(sep);
      const firstGlob = segments.findIndex((segment) => /[*?{]/.test(segment));
      return firstGlob < 0 ? absolute : segments.slice(0, firstGlob).join(sep);
    });
    // The topology's folder rather than the file: editors replace files (new inode) on save.
    const topologyName = basename(topologyFile);
    const topologyWatcher = watch(dirname(topologyFile), (_event, name) => {
      if (name === topologyName) schedule();
    });
    watchers = [topologyWatcher, ...[...new Set(folders)].flatMap((path) => {
      try {
        return [watch(path, { recursive: true }, schedule)];
      } catch {
        return [];
      }
    })];
  };
  const schedule = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(async () => {
        await build();
        await rewatch();
      });
    }, 150);
  };
  await build();
  await rewatch();
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  clearTimeout(timer);
  for (const watcher of watchers) watcher.close();
  await running;
}
