import { settleBatch, SettledBatch } from "./accounting";
import { decodeKinesisEvent, decodeMskEvent } from "./decode";
import { planBatch } from "./plan";
import { KinesisStreamEvent, MskEvent, SourceEngine, SourceRecord } from "./types";
import { RecordValidator } from "./validate";
import { WriteTargets, writePlannedObjects } from "./write";

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

/** Plans, writes and settles one batch of decoded records. Write failures are in the result, not thrown. */
export async function ingestRecords(engine: SourceEngine, records: readonly SourceRecord[], pipeline: IngestPipeline): Promise<SettledBatch> {
    const plan = planBatch(engine, records, pipeline.validator);
    const results = plan.objects.length === 0 ? [] : await writePlannedObjects(plan, pipeline.targets);
    return settleBatch(plan, results, pipeline.validator.dataset);
}

/** Decodes and ingests one event. */
export async function ingestEvent(engine: SourceEngine, event: MskEvent | KinesisStreamEvent, pipeline: IngestPipeline): Promise<SettledBatch> {
    return ingestRecords(engine, decodeEvent(engine, event, pipeline.maxRecordBytes), pipeline);
}
