/**
 * The producer abstraction: something that durably appends messages to a stream. Kept small
 * (send, close) so the Kafka client can be swapped (kafkajs today; the Confluent or Platformatic
 * clients have compatible shapes) without touching callers.
 */

/** One message to produce. */
export interface ProducerMessage {
    /** Partitioning key: the Kafka message key or the Kinesis partition key. Kinesis needs one; Kafka accepts null (round robin). */
    readonly key: string | null;
    readonly value: Buffer;
    /** Kafka headers; Kinesis has none and ignores them. */
    readonly headers?: Readonly<Record<string, string>>;
}

/** What one `send` call did. */
export interface SendReport {
    /** Messages acknowledged by the stream. */
    readonly sent: number;
    /** Requests made to the stream service (batches, including retries). */
    readonly requests: number;
    /** Messages that had to be sent again after a partial failure. */
    readonly retried: number;
}

export interface RecordProducer {
    /**
     * Sends the messages and resolves once all are acknowledged (Kafka: by all in-sync replicas;
     * Kinesis: stored in a shard). Rejects if any message could not be delivered after retries.
     */
    send(messages: readonly ProducerMessage[]): Promise<SendReport>;
    /** Flushes and releases connections. The producer cannot be used afterwards. */
    close(): Promise<void>;
}
