// The kafka.* settings are shared by both Kafka drivers: they moved to ../kafka-options.ts.
export * from '../kafka-options.js';
