import { IngestError } from "./errors";
import { parseObjectKey } from "./layout";
import { BatchPlan, RecordOutcome, sourceIdOf } from "./plan";
import { RejectErrorType, SourceEngine, SourceRecord } from "./types";
import { ObjectWriteResult } from "./write";

/**
 * Per-batch accounting. Every record that came in is counted exactly once as landed (in the raw
 * zone), rejected (in the rejects zone) or failed (handed back for retry):
 *
 *     in = landed + rejected + failed
 *
 * Kafka: a failed object fails its records; the handler then throws so the whole batch is
 * redelivered, and the retry rewrites the same keys (objects already written answer 412 and count
 * as landed).
 *
 * Kinesis: the event source mapping resumes a shard from the lowest sequence number in
 * `batchItemFailures`. All objects of one shard in a batch are keyed by the batch's first sequence
 * number in that shard, so resuming from any later record would rename the objects that record
 * lands in and land again records that were already written. So when any object of a shard fails,
 * the shard's first record in the batch and every record after it are reported (and counted as
 * failed): the redelivered batch starts at the same record, targets the same keys, and the
 * objects that had been written are recognised as present instead of being duplicated.
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
    /**
     * The batch's output per zone, source and hour partition (`dt`/`hour` of the keys): records and
     * bytes of the objects that are now stored (written or already present). What lineage reports per window.
     */
    readonly windows: readonly BatchWindow[];
    readonly conflicts: readonly { readonly bucket: string; readonly key: string; readonly storedAs: string }[];
}

export interface BatchWindow {
    readonly zone: "raw" | "rejects";
    /** Kafka topic or Kinesis stream. */
    readonly source: string;
    readonly dt: string;
    readonly hour: string;
    readonly records: number;
    readonly bytes: number;
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
    const objectPresent = results.map((result) => result.status === "present");
    const failedSources = plan.engine === "kinesis" ? new Set(plan.objects.filter((_, index) => objectFailed[index]).map((object) => object.sourceId)) : undefined;
    let landed = 0;
    let rejected = 0;
    let failed = 0;
    let alreadyStoredRecords = 0;
    const rejectedByType: Partial<Record<RejectErrorType, number>> = {};
    const batchItemFailures: string[] = [];
    const sources = new Map<string, { sourceId: string; firstPosition: string; lastPosition: string; records: number }>();
    // Records come in source order, so the source partition only changes between runs of records.
    let previous: SourceRecord["coordinates"] | undefined;
    let source: { sourceId: string; firstPosition: string; lastPosition: string; records: number } | undefined;
    let sourceFailed = false;
    for (let index = 0; index < plan.outcomes.length; index += 1) {
        const outcome = plan.outcomes[index] as RecordOutcome;
        const record = plan.records[index];
        if (record === undefined) {
            throw new IngestError(`accounting: outcome ${index} has no record`);
        }
        const c = record.coordinates;
        if (previous === undefined || previous.partition !== c.partition || previous.source !== c.source || previous.engine !== c.engine) {
            previous = c;
            const sourceId = sourceIdOf(record);
            source = sources.get(sourceId);
            if (source === undefined) {
                source = { sourceId, firstPosition: c.position, lastPosition: c.position, records: 0 };
                sources.set(sourceId, source);
            }
            sourceFailed = failedSources?.has(sourceId) === true;
        }
        const entry = source as { lastPosition: string; records: number };
        entry.lastPosition = c.position;
        entry.records += 1;
        // Kinesis retries every record of a source partition with a failed object; Kafka the records of failed objects.
        if (failedSources !== undefined ? sourceFailed : objectFailed[outcome.objectIndex] === true) {
            failed += 1;
            if (plan.engine === "kinesis") {
                batchItemFailures.push(c.position);
            }
            continue;
        }
        if (objectPresent[outcome.objectIndex] === true) {
            alreadyStoredRecords += 1;
        }
        if (outcome.zone === "raw") {
            landed += 1;
        } else {
            rejected += 1;
            const type = outcome.errorType ?? "processing_error";
            rejectedByType[type] = (rejectedByType[type] ?? 0) + 1;
        }
    }
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
            windows: windowsOf(plan, results),
            failures: results.filter((result) => result.status === "failed").map((result) => ({ bucket: result.bucket, key: result.key, error: result.error ?? "unknown error" })),
            conflicts: results.filter((result) => result.status === "conflict").map((result) => ({ bucket: result.bucket, key: result.key, storedAs: result.finalKey })),
        },
        batchItemFailures,
    };
}

/** Stored output per zone, source and hour partition, in first-seen order. */
function windowsOf(plan: BatchPlan, results: readonly ObjectWriteResult[]): BatchWindow[] {
    const windows = new Map<string, { zone: "raw" | "rejects"; source: string; dt: string; hour: string; records: number; bytes: number }>();
    plan.objects.forEach((object, index) => {
        const result = results[index];
        const parsed = parseObjectKey(object.key);
        if (result === undefined || result.status === "failed" || parsed === undefined) {
            return;
        }
        const id = `${object.zone}|${parsed.source}|${parsed.dt}|${parsed.hour}`;
        const window = windows.get(id);
        if (window) {
            window.records += object.recordIndexes.length;
            window.bytes += result.bytes;
        } else {
            windows.set(id, { zone: object.zone, source: parsed.source, dt: parsed.dt, hour: parsed.hour, records: object.recordIndexes.length, bytes: result.bytes });
        }
    });
    return [...windows.values()];
}
