import { settleBatch, SettledBatch } from "./accounting";
import { decodeKinesisEvent, decodeMskEvent } from "./decode";
import { createBatchPlanner, PlannedObject } from "./plan";
import { KinesisStreamEvent, MskEvent, SourceEngine, SourceRecord } from "./types";
import { RecordValidator } from "./validate";
import { createObjectEncoder, EncodedObject, ObjectEncoder, WriteTargets, writePlannedObjects, zoneGzipLevel } from "./write";

/** Everything a batch needs besides its records. */
export interface IngestPipeline {
    readonly validator: RecordValidator;
    readonly targets: WriteTargets;
    /** Payloads larger than this are rejected as `oversized`. */
    readonly maxRecordBytes: number;
}

/** Decodes an event of either engine into source records. */
export function decodeEvent(engine: SourceEngine, event: MskEvent | KinesisStreamEvent, maxRecordBytes: number): SourceRecord[] {
    return engine === "kafka" ? decodeMskEvent(event as MskEvent, { maxRecordBytes }) : decodeKinesisEvent(event as KinesisStreamEvent, { maxRecordBytes });
}

/**
 * Records classified between two yields to the event loop. Each gzip stream needs a turn of the
 * event loop for every block of output it fills, so frequent yields keep compression (on another
 * thread) close behind classification and leave little to compress once the batch is planned.
 * 64 records (about 45 KB of NDJSON for the shipped dataset) measured best against 16 to 1,024.
 */
const planningStep = 64;

/**
 * Plans, writes and settles one batch of decoded records. Write failures are in the result, not
 * thrown. Each object's lines stream into its gzip encoder while the rest of the batch is being
 * classified, so compression runs on libuv's threads alongside validation instead of after it.
 *
 * The planner takes records in source order, so once it reaches the next source partition the
 * objects of the previous one are complete: they are ended there, and their last chunks are
 * compressed while the next partition is classified. Once the batch is planned, every object is
 * ended before any is finished, so the thread pool compresses the last chunks while this thread
 * hashes the objects and compresses the small ones (see `createObjectEncoder`), yielding between
 * two objects so that the gzip streams' callbacks are not held up behind that work.
 */
export async function ingestRecords(engine: SourceEngine, records: readonly SourceRecord[], pipeline: IngestPipeline): Promise<SettledBatch> {
    const encoders: ObjectEncoder[] = [];
    let endedUpTo = 0;
    let currentSource: string | undefined;
    const endEncoders = (end: number) => {
        for (; endedUpTo < end; endedUpTo += 1) {
            (encoders[endedUpTo] as ObjectEncoder).end();
        }
    };
    const planner = createBatchPlanner(engine, records, pipeline.validator, (objectIndex, classification) => {
        let encoder = encoders[objectIndex];
        if (encoder === undefined) {
            // A new object; if it starts a new source partition, every earlier object is complete.
            const sourceId = (planner.plan.objects[objectIndex] as PlannedObject).sourceId;
            if (sourceId !== currentSource) {
                endEncoders(objectIndex);
                currentSource = sourceId;
            }
            encoder = encoders[objectIndex] = createObjectEncoder(zoneGzipLevel[classification.zone]);
        }
        if (classification.zone === "raw") {
            encoder.addRaw(classification.body, classification.metadata);
        } else {
            encoder.add(classification.line);
        }
    });
    while (planner.step(planningStep) > 0) {
        await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const plan = planner.plan;
    endEncoders(encoders.length);
    const encoded: Promise<EncodedObject>[] = [];
    for (const encoder of encoders) {
        const promise = encoder.finish();
        // A failed encoding surfaces as that object's write failure; do not leave it unhandled meanwhile.
        promise.catch(() => undefined);
        encoded.push(promise);
        // Each finish hashes (and may compress) on this thread; between two, gzip's callbacks get
        // their turn, so the thread pool goes on compressing the last chunks meanwhile.
        await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const results = plan.objects.length === 0 ? [] : await writePlannedObjects(plan, pipeline.targets, encoded);
    return settleBatch(plan, results, pipeline.validator.dataset);
}

/** Decodes and ingests one event. */
export async function ingestEvent(engine: SourceEngine, event: MskEvent | KinesisStreamEvent, pipeline: IngestPipeline): Promise<SettledBatch> {
    return ingestRecords(engine, decodeEvent(engine, event, pipeline.maxRecordBytes), pipeline);
}
