import type { AppSettings } from './settings.js';
import type { Logger } from '../core/logger.js';
import type { Admin } from '../types/transport.js';
import { resetLocalState } from '../stores/index.js';
import { rocksdbBaseDir } from '../stores/store-paths.js';

/**
 * `store: rocksdb://` with the embedded `memory://` broker: the broker lives and dies with the
 * process, so on a new process every changelog topic is gone while RocksDB still holds the tables
 * of the last run, with changelog offsets the new (empty) topics never reach. Every restart then
 * failed with FG_STORE_OFFSET_AHEAD. What the user can expect from that pair is what the broker
 * gives: tables live as long as the broker, i.e. the process. So when none of the app's changelog
 * topics exists yet on the embedded broker, the local state is from an earlier process and is
 * deleted (logged) before the tables open. Restarts of an app within one process (tests) find their
 * changelogs and keep their state. A kafka:// broker is never affected.
 */
export async function discardStateOfEarlierBroker(settings: AppSettings, admin: Admin, changelogs: readonly string[], log: Logger): Promise<void> {
  if (settings.broker.driver !== 'memory' || settings.store.driver !== 'rocksdb' || changelogs.length === 0) return;
  for (const topic of changelogs) {
    if ((await admin.describeTopic(topic)) !== undefined) return;
  }
  const datadir = rocksdbBaseDir(new URL(settings.store.url), settings.datadir);
  const { path, databases } = await resetLocalState(datadir, settings.id);
  if (databases > 0) {
    log.info('the memory:// broker starts empty in every process: deleted the table state of an earlier run (use a kafka:// broker to keep tables across restarts)', { path, databases });
  }
}
