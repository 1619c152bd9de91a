import type { Consumer } from 'kafkajs';
import { kafkaErrorType, rootCause } from './errors.js';

/**
 * Subscribes once every topic's metadata is known: workers that start together create the internal
 * topics, and a broker may answer "unknown topic" for one that another worker just created until
 * its metadata has propagated (seconds at most).
 */
export async function subscribeWhenKnown(consumer: Consumer, topics: string[], fromBeginning: boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await consumer.subscribe({ topics, fromBeginning });
      return;
    } catch (error) {
      const type = kafkaErrorType(error) ?? kafkaErrorType(rootCause(error));
      if ((type !== 'UNKNOWN_TOPIC_OR_PARTITION' && type !== 'LEADER_NOT_AVAILABLE') || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
