/**
 * The keys each object of the topology accepts. schemas/faustgen.schema.json describes the same
 * shape for editors; a unit test keeps the two in step.
 */
export const topologyKeys = {
  root: [
    'app', 'broker', 'store', 'datadir', 'topicPartitions', 'topicReplicationFactor', 'commitIntervalMs',
    'sessionTimeoutMs', 'heartbeatIntervalMs', 'rebalanceTimeoutMs', 'maxOutputsInFlight', 'changelogBufferSize', 'webPort', 'webEnabled', 'webHost', 'security',
    'logLevel', 'processingGuarantee', 'schemas', 'output', 'handlers', 'tests', 'topics', 'channels', 'agents', 'tables', 'timers',
    'crontabs', 'tasks', 'pages', '$schema', 'schemaRegistry', 'faustCompat',
  ],
  schemaRegistry: ['url', 'autoRegister'],
  topic: ['name', 'key', 'value', 'partitions', 'replication', 'configs', 'registry', 'faustCompat', 'avro'],
  topicRegistry: ['key', 'value', 'subjectStrategy'],
  topicAvro: ['framing', 'history'],
  security: ['protocol', 'ssl', 'sasl'],
  securitySsl: ['ca', 'cert', 'key', 'rejectUnauthorized'],
  securitySasl: ['mechanism', 'username'],
  channel: ['name', 'key', 'value'],
  agent: [
    'name', 'source', 'key', 'value', 'concurrency', 'sinks', 'groupBy', 'tables', 'topics', 'agents', 'yields',
    'onError',
  ],
  agentSource: ['topic', 'channel'],
  agentSink: ['topic', 'agent'],
  groupBy: ['field', 'name'],
  onError: ['deadLetter'],
  table: ['name', 'kind', 'key', 'value', 'default', 'partitions', 'window', 'onWindowClose', 'faustCompat'],
  windowClose: ['name', 'topics'],
  window: ['type', 'size', 'step', 'before', 'after', 'expires'],
  timer: ['name', 'interval', 'onLeader', 'tables', 'topics', 'agents'],
  crontab: ['name', 'cron', 'timezone', 'onLeader', 'tables', 'topics', 'agents'],
  task: ['name', 'onLeader', 'tables', 'topics', 'agents'],
  page: ['name', 'path', 'table', 'tables', 'topics', 'agents', 'methods'],
} as const satisfies Record<string, readonly string[]>;

export type ObjectKind = keyof typeof topologyKeys;
