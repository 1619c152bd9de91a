/** What the stateless measurement needs from a pipeline under test (faustgen app or raw kafkajs). */
export interface Pipeline {
  readonly name: string;
  /**
   * Commits outputs in transactions: its outputs count once committed (read committed, after the
   * group's offsets reached the input's end), not by high-water marks, which include markers.
   */
  readonly transactional?: boolean;
  /** Joins the group and starts consuming `inTopic` from the beginning, producing to `outTopic`. */
  start(): Promise<void>;
  /** performance.now() when the first input record reached the pipeline's code, if it did. */
  firstConsumedAt(): number | undefined;
  stop(): Promise<void>;
}

export interface PipelineTopics {
  readonly bootstrap: string;
  readonly inTopic: string;
  readonly outTopic: string;
  readonly groupId: string;
  readonly partitions: number;
}
