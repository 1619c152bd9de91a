/**
 * `rocksdb://` (state under the app's datadir) or `rocksdb:///abs/path` (state under /abs/path): one
 * RocksDB database per table partition at `<base>/<appId>/tables/<table>-<partition>.db`.
 *
 * One database per partition rather than one per table with a column family per partition: a
 * partition is the unit a rebalance moves, so it is opened and closed on its own, its RocksDB LOCK
 * says exactly which worker owns it, and `rm -r` of one directory discards one partition. The binding
 * opens all column families of a database at once, so partitions as families would force every
 * worker to open (and lock) every partition of the table.
 */
import type { PartitionStore, StoreDriver, StoreFactoryOptions, TableStore } from '../types/store.js';
import { OpenPartitions } from './open-partitions.js';
import { RocksDbPartitionStore, type RocksDbPartitionOptions } from './rocksdb-partition-store.js';
import { partitionDbPath, rocksdbBaseDir } from './store-paths.js';

export class RocksDbTableStore implements TableStore {
  private readonly partitions: OpenPartitions<RocksDbPartitionStore>;

  constructor(
    private readonly baseDir: string,
    private readonly factory: StoreFactoryOptions,
    private readonly options: RocksDbPartitionOptions = {},
  ) {
    this.partitions = new OpenPartitions(`RocksDB store of table "${factory.table}" in ${baseDir}`);
  }

  openPartition(partition: number): Promise<PartitionStore> {
    return this.partitions.open(partition, () => {
      const path = partitionDbPath(this.baseDir, this.factory.appId, this.factory.table, partition);
      return RocksDbPartitionStore.open({ path, table: this.factory.table, partition }, this.options, (store) =>
        this.partitions.forget(partition, store),
      );
    });
  }

  closePartition(partition: number): Promise<void> {
    return this.partitions.close(partition);
  }

  close(): Promise<void> {
    return this.partitions.closeAll();
  }
}

export const rocksdbStoreDriver: StoreDriver = {
  scheme: 'rocksdb',
  async open(url: URL, options: StoreFactoryOptions): Promise<TableStore> {
    const baseDir = rocksdbBaseDir(url, options.datadir);
    // Validates appId and table now, so a bad name fails at startup rather than at the first assignment.
    partitionDbPath(baseDir, options.appId, options.table, 0);
    return new RocksDbTableStore(baseDir, options);
  },
};
