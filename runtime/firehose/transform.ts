import { describeError } from "../common/errors";
import { createClassificationContext, classifyRecord } from "../ingest/classify";
import { decodeKinesisEvent, streamNameFromArn } from "../ingest/decode";
import { EventShapeError } from "../ingest/errors";
import { RejectErrorType, SourceRecord, Violation } from "../ingest/types";
import { RecordValidator } from "../ingest/validate";
import { FirehoseTransformationResponse, FirehoseTransformationResultRecord } from "./types";

/**
 * The Firehose data transformation: the ingest function's validation and transformation
 * (`runtime/ingest`: decode, classify, the dataset's validator) under Firehose's
 * record-transformation contract. Each record becomes the same raw-zone line the Lambda path
 * writes (with its `_ingest` metadata), returned `Ok` with the `dt`/`hour` partition keys of its
 * event time, or `ProcessingFailed` with its reason (Firehose writes those to the error output
 * prefix). `Dropped` is never returned: nothing is lost. Every input record comes back exactly
 * once, in input order, whatever is wrong with it.
 */

/** Everything a transformation needs besides the event. */
export interface FirehoseTransformPipeline {
    readonly validator: RecordValidator;
    /** Payloads larger than this are rejected as `oversized` (MAX_RECORD_BYTES). */
    readonly maxRecordBytes: number;
}

/** Why one record failed: the same error type, rule, field and message a reject line carries. */
export interface FirehoseReject {
    readonly recordId: string;
    /** Shard and sequence number, when the record carried them. */
    readonly shardId: string | null;
    readonly sequenceNumber: string | null;
    readonly errorType: RejectErrorType;
    readonly rule: string;
    readonly field: string;
    readonly message: string;
}

export interface FirehoseTransformation {
    readonly response: FirehoseTransformationResponse;
    readonly counts: { readonly in: number; readonly ok: number; readonly failed: number };
    readonly rejects: readonly FirehoseReject[];
    /** Failed records per error type (only types that occurred). */
    readonly rejectedByType: Readonly<Partial<Record<RejectErrorType, number>>>;
}

type Loose = Record<string, unknown>;

function isObject(value: unknown): value is Loose {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function shown(value: unknown): string {
    return JSON.stringify(value) ?? String(value);
}

interface Envelope {
    readonly streamArn: string;
    readonly records: readonly Loose[];
    readonly recordIds: readonly string[];
}

/**
 * The parts of the event every record needs. A malformed envelope (no records list, a record
 * without a recordId, no source stream) is an `EventShapeError`: no response could name every
 * record, so Firehose must retry the invocation (and then sends the records to the error prefix).
 */
function readEnvelope(event: unknown): Envelope {
    if (!isObject(event) || !Array.isArray(event.records)) {
        throw new EventShapeError("event.records", `expected an array of Firehose records (a Firehose transformation event); found ${isObject(event) ? shown(event.records) : shown(event)}`);
    }
    const streamArn = event.sourceKinesisStreamArn;
    if (typeof streamArn !== "string" || streamNameFromArn(streamArn) === undefined) {
        throw new EventShapeError(
            "event.sourceKinesisStreamArn",
            `expected the Kinesis stream ARN the delivery stream reads (arn:aws:kinesis:<region>:<account>:stream/<name>); found ${shown(streamArn)}. The delivery stream must use a Kinesis data stream as its source`,
        );
    }
    const records = event.records as unknown[];
    const recordIds = records.map((record, index) => {
        if (!isObject(record) || typeof record.recordId !== "string" || record.recordId === "") {
            throw new EventShapeError(`event.records[${index}].recordId`, `expected a non-empty string; found ${isObject(record) ? shown(record.recordId) : shown(record)}`);
        }
        return record.recordId;
    });
    return { streamArn, records: records as Loose[], recordIds };
}

/**
 * The record as the Lambda path would have decoded it from a Kinesis event: the same stream,
 * shard, sequence number, partition key, arrival time and payload, through the same decoder. A
 * record whose Kinesis metadata is unusable yields the violation instead.
 */
function sourceRecordOf(streamArn: string, record: Loose, index: number, maxRecordBytes: number): SourceRecord | Violation {
    const metadata = record.kinesisRecordMetadata;
    if (!isObject(metadata)) {
        return {
            errorType: "undecodable",
            rule: "decode",
            field: "kinesisRecordMetadata",
            message: `event.records[${index}].kinesisRecordMetadata: expected the Kinesis shard, sequence number and arrival time of the record; found ${shown(metadata)}`,
        };
    }
    const arrivalMs = metadata.approximateArrivalTimestamp;
    const kinesisEvent = {
        Records: [
            {
                eventID: `${String(metadata.shardId)}:${String(metadata.sequenceNumber)}`,
                eventSourceARN: streamArn,
                kinesis: {
                    partitionKey: metadata.partitionKey,
                    sequenceNumber: metadata.sequenceNumber,
                    // Firehose gives milliseconds, Kinesis events seconds; the decoder rounds back to the same milliseconds.
                    approximateArrivalTimestamp: typeof arrivalMs === "number" ? arrivalMs / 1000 : arrivalMs,
                    data: record.data,
                },
            },
        ],
    };
    try {
        return decodeKinesisEvent(kinesisEvent as never, { maxRecordBytes })[0] as SourceRecord;
    } catch (error) {
        if (error instanceof EventShapeError) {
            const field = error.path.replace(/^event\.Records\[0\]\.?/, "") || "kinesisRecordMetadata";
            return { errorType: "undecodable", rule: "decode", field, message: `event.records[${index}].kinesisRecordMetadata: ${error.message.replace(/^[^:]*: /, "")}` };
        }
        throw error;
    }
}

function isViolation(value: SourceRecord | Violation): value is Violation {
    return "errorType" in value;
}

/** Reads the verdict fields of a reject line the classifier rendered. */
function verdictOf(line: string): Pick<FirehoseReject, "errorType" | "rule" | "field" | "message"> {
    const parsed = JSON.parse(line) as { error_type: RejectErrorType; rule: string; field: string; message: string };
    return { errorType: parsed.error_type, rule: parsed.rule, field: parsed.field, message: parsed.message };
}

/** Transforms one Firehose event. Throws `EventShapeError` only when the envelope itself is unusable. */
export function transformFirehoseEvent(event: unknown, pipeline: FirehoseTransformPipeline): FirehoseTransformation {
    const envelope = readEnvelope(event);
    const context = createClassificationContext();
    const out: FirehoseTransformationResultRecord[] = [];
    const rejects: FirehoseReject[] = [];
    const rejectedByType: Partial<Record<RejectErrorType, number>> = {};
    envelope.records.forEach((record, index) => {
        const recordId = envelope.recordIds[index] as string;
        const original = typeof record.data === "string" ? record.data : "";
        const metadata = isObject(record.kinesisRecordMetadata) ? record.kinesisRecordMetadata : {};
        const position = {
            shardId: typeof metadata.shardId === "string" ? metadata.shardId : null,
            sequenceNumber: typeof metadata.sequenceNumber === "string" ? metadata.sequenceNumber : null,
        };
        let verdict: Pick<FirehoseReject, "errorType" | "rule" | "field" | "message">;
        try {
            const source = sourceRecordOf(envelope.streamArn, record, index, pipeline.maxRecordBytes);
            if (isViolation(source)) {
                verdict = source;
            } else {
                const classification = classifyRecord(source, pipeline.validator, context);
                if (classification.zone === "raw") {
                    out.push({
                        recordId,
                        result: "Ok",
                        data: Buffer.from(`${classification.line}\n`, "utf8").toString("base64"),
                        metadata: { partitionKeys: { dt: classification.partition.dt, hour: classification.partition.hour } },
                    });
                    return;
                }
                verdict = verdictOf(classification.line);
            }
        } catch (error) {
            verdict = { errorType: "processing_error", rule: "internal", field: "$", message: `$: the record could not be processed (${describeError(error)})` };
        }
        // Firehose writes a failed record's original data to the error prefix, so it is returned unchanged.
        out.push({ recordId, result: "ProcessingFailed", data: original });
        rejects.push({ recordId, ...position, ...verdict });
        rejectedByType[verdict.errorType] = (rejectedByType[verdict.errorType] ?? 0) + 1;
    });
    return {
        response: { records: out },
        counts: { in: out.length, ok: out.length - rejects.length, failed: rejects.length },
        rejects,
        rejectedByType,
    };
}
