// Driver-neutral (both Kafka drivers use it): moved to ../membership-lease.ts.
export * from '../membership-lease.js';
