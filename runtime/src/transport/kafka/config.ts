// The kafka.* settings are shared by both Kafka drivers: they moved to ../kafka-settings.ts.
export * from '../kafka-settings.js';
