/**
 * The ingest function's model of its input: the Lambda event shapes it accepts (MSK and Kinesis
 * event source mappings) and the single record model both decode into.
 */

/** Which stream service delivered a batch. */
export type SourceEngine = "kafka" | "kinesis";

/** The Lambda event an MSK (`aws:kafka`) or self-managed Kafka (`SelfManagedKafka`) event source mapping sends. */
export interface MskEvent {
    readonly eventSource: "aws:kafka" | "SelfManagedKafka" | string;
    readonly eventSourceArn?: string;
    readonly bootstrapServers?: string;
    /** Records grouped by `<topic>-<partition>`. */
    readonly records: Readonly<Record<string, readonly MskRecord[]>>;
}

export interface MskRecord {
    readonly topic: string;
    readonly partition: number;
    readonly offset: number;
    /** Milliseconds since the epoch. */
    readonly timestamp: number;
    readonly timestampType?: "CREATE_TIME" | "LOG_APPEND_TIME" | string;
    /** Base64; absent or null for records without a key. */
    readonly key?: string | null;
    /** Base64; absent or null for tombstones. */
    readonly value?: string | null;
    /** Each element maps one header name to its value as a byte array. */
    readonly headers?: readonly Readonly<Record<string, readonly number[]>>[];
}

/** The Lambda event a Kinesis event source mapping sends. */
export interface KinesisStreamEvent {
    readonly Records: readonly KinesisEventRecord[];
}

export interface KinesisEventRecord {
    readonly eventSource?: "aws:kinesis" | string;
    readonly eventVersion?: string;
    /** `<shardId>:<sequenceNumber>`. */
    readonly eventID: string;
    readonly eventName?: string;
    readonly awsRegion?: string;
    readonly invokeIdentityArn?: string;
    readonly eventSourceARN: string;
    readonly kinesis: {
        readonly kinesisSchemaVersion?: string;
        readonly partitionKey: string;
        readonly sequenceNumber: string;
        /** Seconds since the epoch, with a fractional part. */
        readonly approximateArrivalTimestamp: number;
        /** Base64. */
        readonly data: string;
    };
}

/** The response a Kinesis handler returns with `ReportBatchItemFailures` enabled. */
export interface BatchItemFailuresResponse {
    readonly batchItemFailures: readonly { readonly itemIdentifier: string }[];
}

/** Where a record came from: enough to find it again in the stream and to order it. */
export interface SourceCoordinates {
    readonly engine: SourceEngine;
    /** Kafka topic or Kinesis stream name. */
    readonly source: string;
    /** Kafka partition number (as decimal text) or Kinesis shard id. */
    readonly partition: string;
    /** Kafka offset or Kinesis sequence number, as decimal text. */
    readonly position: string;
    /**
     * When the stream accepted the record, in epoch milliseconds: the Kafka record timestamp or
     * the Kinesis approximate arrival time. `null` for Kafka records without a timestamp.
     */
    readonly streamTimeMs: number | null;
    /** `CREATE_TIME` / `LOG_APPEND_TIME` for Kafka, `APPROXIMATE_ARRIVAL` for Kinesis. */
    readonly streamTimeType: string;
}

export interface RecordHeader {
    readonly key: string;
    readonly value: Buffer;
}

/** Why a record could not even be read as JSON: the transport-level rejects. */
export type PoisonErrorType = "undecodable" | "not_json" | "not_object" | "oversized";

/** Why a readable record does not conform to its dataset. */
export type ValidationErrorType =
    | "missing_required"
    | "type_mismatch"
    | "unknown_field"
    | "not_allowed"
    | "pattern_mismatch"
    | "out_of_range"
    | "length_out_of_range"
    | "decimal_precision"
    | "future_timestamp"
    | "item_count"
    | "cross_field";

/** Every reason a record can land in the rejects zone; also the `error_type=` partition value. */
export type RejectErrorType = PoisonErrorType | ValidationErrorType | "processing_error";

/** One broken rule: which rule, on which field (a path such as `line_items[2].sku`), and why. */
export interface Violation {
    readonly errorType: RejectErrorType;
    /** The rule's name: a scalar rule (`pattern`, `min`, `required`, ...) or a cross-field rule's name. */
    readonly rule: string;
    readonly field: string;
    readonly message: string;
}

/** A record from either engine, decoded from its transport encoding but not yet parsed. */
export interface SourceRecord {
    readonly coordinates: SourceCoordinates;
    /** Kafka key bytes or the Kinesis partition key (UTF-8); null when the record has none. */
    readonly key: Buffer | null;
    /** Payload bytes; null when the record has none or it could not be decoded (see `poison`). */
    readonly value: Buffer | null;
    readonly headers: readonly RecordHeader[];
    /** Set when the transport envelope of this record is unusable; the record goes to rejects. */
    readonly poison?: Violation;
    /** The payload field exactly as received, kept only when it could not be decoded. */
    readonly valueAsReceived?: unknown;
    /** The headers field exactly as received, kept only when a header could not be decoded. */
    readonly headersAsReceived?: unknown;
}
