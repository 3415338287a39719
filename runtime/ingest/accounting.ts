import { comparePositions } from "./decode";
import { IngestError } from "./errors";
import { BatchPlan } from "./plan";
import { RejectErrorType, SourceEngine } from "./types";
import { ObjectWriteResult } from "./write";

/**
 * Per-batch accounting. Every record that came in is counted exactly once as landed (in the raw
 * zone), rejected (in the rejects zone) or failed (handed back for retry):
 *
 *     in = landed + rejected + failed
 *
 * Kafka: a failed object fails its records; the handler then throws so the whole batch is
 * redelivered. Kinesis: per shard, the earliest record of any failed object is the checkpoint;
 * that record and every later record of the shard are reported in `batchItemFailures` (and counted
 * as failed), because the event source mapping resumes the shard from the lowest reported sequence
 * number.
 */

export interface BatchCounts {
    readonly in: number;
    readonly landed: number;
    readonly rejected: number;
    readonly failed: number;
}

export interface BatchSummary {
    readonly dataset: string;
    readonly datasetVersion: number;
    readonly engine: SourceEngine;
    readonly counts: BatchCounts;
    /** Records counted as landed or rejected whose object had already been written by an earlier attempt. */
    readonly alreadyStoredRecords: number;
    /** Rejected records per error type (only types that occurred). */
    readonly rejectedByType: Readonly<Partial<Record<RejectErrorType, number>>>;
    readonly objects: {
        readonly planned: number;
        readonly written: number;
        readonly alreadyPresent: number;
        readonly conflicts: number;
        readonly failed: number;
        readonly bytes: number;
    };
    /** Each source partition of the batch with its first and last position and record count. */
    readonly sources: readonly { readonly sourceId: string; readonly firstPosition: string; readonly lastPosition: string; readonly records: number }[];
    readonly failures: readonly { readonly bucket: string; readonly key: string; readonly error: string }[];
    readonly conflicts: readonly { readonly bucket: string; readonly key: string; readonly storedAs: string }[];
}

export interface SettledBatch {
    readonly summary: BatchSummary;
    /** Kinesis sequence numbers to report (empty for Kafka, whose handler throws instead). */
    readonly batchItemFailures: readonly string[];
}

/** Combines a plan with its write results into the batch's accounting. Throws if the books do not balance. */
export function settleBatch(plan: BatchPlan, results: readonly ObjectWriteResult[], dataset: { readonly name: string; readonly version: number }): SettledBatch {
    if (results.length !== plan.objects.length) {
        throw new IngestError(`accounting: ${plan.objects.length} objects were planned but ${results.length} write results came back`);
    }
    const objectFailed = results.map((result) => result.status === "failed");
    const retry = new Array<boolean>(plan.records.length).fill(false);
    if (plan.engine === "kinesis") {
        const checkpointBySource = new Map<string, string>();
        plan.objects.forEach((object, index) => {
            if (objectFailed[index]) {
                const current = checkpointBySource.get(object.sourceId);
                if (current === undefined || comparePositions(object.firstPosition, current) < 0) {
                    checkpointBySource.set(object.sourceId, object.firstPosition);
                }
            }
        });
        plan.records.forEach((record, index) => {
            const checkpoint = checkpointBySource.get(`${record.coordinates.engine}:${record.coordinates.source}:${record.coordinates.partition}`);
            retry[index] = checkpoint !== undefined && comparePositions(record.coordinates.position, checkpoint) >= 0;
        });
    } else {
        plan.outcomes.forEach((outcome, index) => {
            retry[index] = objectFailed[outcome.objectIndex] === true;
        });
    }
    let landed = 0;
    let rejected = 0;
    let failed = 0;
    let alreadyStoredRecords = 0;
    const rejectedByType: Partial<Record<RejectErrorType, number>> = {};
    const batchItemFailures: string[] = [];
    const sources = new Map<string, { sourceId: string; firstPosition: string; lastPosition: string; records: number }>();
    plan.outcomes.forEach((outcome, index) => {
        const record = plan.records[index];
        if (record === undefined) {
            throw new IngestError(`accounting: outcome ${index} has no record`);
        }
        const sourceId = `${record.coordinates.engine}:${record.coordinates.source}:${record.coordinates.partition}`;
        const source = sources.get(sourceId);
        if (source) {
            source.lastPosition = record.coordinates.position;
            source.records += 1;
        } else {
            sources.set(sourceId, { sourceId, firstPosition: record.coordinates.position, lastPosition: record.coordinates.position, records: 1 });
        }
        if (retry[index]) {
            failed += 1;
            if (plan.engine === "kinesis") {
                batchItemFailures.push(record.coordinates.position);
            }
            return;
        }
        if (results[outcome.objectIndex]?.status === "present") {
            alreadyStoredRecords += 1;
        }
        if (outcome.zone === "raw") {
            landed += 1;
        } else {
            rejected += 1;
            const type = outcome.errorType ?? "processing_error";
            rejectedByType[type] = (rejectedByType[type] ?? 0) + 1;
        }
    });
    const counts: BatchCounts = { in: plan.records.length, landed, rejected, failed };
    if (counts.in !== landed + rejected + failed) {
        throw new IngestError(`accounting: ${counts.in} records in but ${landed} landed + ${rejected} rejected + ${failed} failed`);
    }
    const count = (status: ObjectWriteResult["status"]) => results.filter((result) => result.status === status).length;
    return {
        summary: {
            dataset: dataset.name,
            datasetVersion: dataset.version,
            engine: plan.engine,
            counts,
            alreadyStoredRecords,
            rejectedByType,
            objects: {
                planned: plan.objects.length,
                written: count("written"),
                alreadyPresent: count("present"),
                conflicts: count("conflict"),
                failed: count("failed"),
                bytes: results.reduce((sum, result) => sum + result.bytes, 0),
            },
            sources: [...sources.values()],
            failures: results.filter((result) => result.status === "failed").map((result) => ({ bucket: result.bucket, key: result.key, error: result.error ?? "unknown error" })),
            conflicts: results.filter((result) => result.status === "conflict").map((result) => ({ bucket: result.bucket, key: result.key, storedAs: result.finalKey })),
        },
        batchItemFailures,
    };
}
