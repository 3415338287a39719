import { Classification, classifyRecord, createClassificationContext } from "./classify";
import { comparePositions } from "./decode";
import { rawObjectKey, rejectObjectKey, sourceObjectName } from "./layout";
import { HourPartition } from "./time";
import { RejectErrorType, SourceEngine, SourceRecord } from "./types";
import { RecordValidator } from "./validate";

/**
 * Planning a batch: every record is classified (landed or rejected, with its reason), given its
 * output line and assigned to exactly one object. Planning is pure and deterministic: records are
 * put in source order first, so the same batch always yields the same objects with the same
 * bytes, whatever order the records arrived in.
 */

export type Zone = "raw" | "rejects";

/** One object to write: its key, zone, records and NDJSON lines. */
export interface PlannedObject {
    readonly zone: Zone;
    readonly key: string;
    /** `<engine>:<source>:<partition>`: the source partition all of the object's records come from. */
    readonly sourceId: string;
    readonly errorType?: RejectErrorType;
    readonly firstPosition: string;
    readonly lastPosition: string;
    /** Indexes into `BatchPlan.records`, in source order. */
    readonly recordIndexes: readonly number[];
    /** The NDJSON lines, one per record; empty when the planner handed them to `onLine` instead. */
    readonly lines: readonly string[];
}

/** What happens to one record. */
export interface RecordOutcome {
    readonly zone: Zone;
    /** Index into `BatchPlan.objects`. */
    readonly objectIndex: number;
    readonly errorType?: RejectErrorType;
}

export interface BatchPlan {
    readonly engine: SourceEngine;
    /** The batch's records in source order (source, partition, position). */
    readonly records: readonly SourceRecord[];
    /** One outcome per record, same indexes as `records`. */
    readonly outcomes: readonly RecordOutcome[];
    readonly objects: readonly PlannedObject[];
}

/** `<engine>:<source>:<partition>` of a record. */
export function sourceIdOf(record: SourceRecord): string {
    return `${record.coordinates.engine}:${record.coordinates.source}:${record.coordinates.partition}`;
}

function comparePartitions(a: SourceRecord, b: SourceRecord): number {
    const x = a.coordinates;
    const y = b.coordinates;
    if (x.engine !== y.engine) {
        return x.engine < y.engine ? -1 : 1;
    }
    if (x.source !== y.source) {
        return x.source < y.source ? -1 : 1;
    }
    if (x.partition !== y.partition) {
        return x.engine === "kafka" ? comparePositions(x.partition, y.partition) : x.partition < y.partition ? -1 : 1;
    }
    return 0;
}

/** Source order: by engine, source, partition, then position. */
export function compareSourceOrder(a: SourceRecord, b: SourceRecord): number {
    return comparePartitions(a, b) || comparePositions(a.coordinates.position, b.coordinates.position);
}

interface ObjectUnderConstruction extends PlannedObject {
    lastPosition: string;
    readonly recordIndexes: number[];
    readonly lines: string[];
}

/**
 * Plans a batch step by step, so the caller can hand each line to its object's encoder as soon as
 * it is rendered and let compression run on other threads between steps. The plan grows with each
 * step and is complete once `step` returns 0.
 */
export interface BatchPlanner {
    /** Classifies up to `count` more records; returns how many are left. */
    step(count: number): number;
    readonly plan: BatchPlan;
}

/**
 * Creates a planner: it classifies every record and groups them into one object per source
 * partition, zone, error type and output partition. Each object's key carries the batch's first
 * position in that source partition, so all objects of one batch and source partition share that
 * position. `onLine`, when given, receives every record's classification (its line, and a raw
 * line's two parts) with the index of the object it belongs to, in order, and the plan does not
 * keep the lines (objects' `lines` stay empty): a streaming caller encodes them as they come, so
 * the batch's text is never held in memory twice.
 */
export function createBatchPlanner(engine: SourceEngine, records: readonly SourceRecord[], validator: RecordValidator, onLine?: (objectIndex: number, classification: Classification) => void): BatchPlanner {
    const dataset = validator.dataset.name;
    const ordered = isInSourceOrder(records) ? records : [...records].sort(compareSourceOrder);
    const objectIndexByKey = new Map<string, number>();
    const objects: ObjectUnderConstruction[] = [];
    const outcomes: RecordOutcome[] = [];
    // Every record of an object has the same outcome, so each object's is made once and shared.
    const objectOutcomes: RecordOutcome[] = [];
    const context = createClassificationContext();
    // The source partition of the previous record, and the object each zone and error type last
    // went to in it: consecutive records mostly share the source partition and the output hour,
    // and the few rejects among them do not make the raw records' key be built again.
    let previousSource: SourceRecord["coordinates"] | undefined;
    let sourceId = "";
    let objectName = "";
    const lastObjects = new Map<RejectErrorType | "raw", { readonly partition: HourPartition; readonly objectIndex: number }>();
    let next = 0;

    const classifyNext = (index: number) => {
        const record = ordered[index] as SourceRecord;
        const c = record.coordinates;
        if (previousSource === undefined || previousSource.partition !== c.partition || previousSource.source !== c.source || previousSource.engine !== c.engine) {
            sourceId = sourceIdOf(record);
            objectName = sourceObjectName(c, c.position);
            previousSource = c;
            lastObjects.clear();
        }
        const classification = classifyRecord(record, validator, context);
        const errorType = classification.zone === "rejects" ? classification.errorType : undefined;
        const last = lastObjects.get(errorType ?? "raw");
        let objectIndex: number;
        if (last !== undefined && last.partition === classification.partition) {
            objectIndex = last.objectIndex;
        } else {
            const key =
                classification.zone === "raw"
                    ? rawObjectKey(dataset, classification.partition, objectName)
                    : rejectObjectKey(dataset, classification.errorType, classification.partition, objectName);
            let found = objectIndexByKey.get(key);
            if (found === undefined) {
                found = objects.length;
                objectIndexByKey.set(key, found);
                objectOutcomes.push(Object.freeze(errorType === undefined ? { zone: classification.zone, objectIndex: found } : { zone: classification.zone, objectIndex: found, errorType }));
                const object: ObjectUnderConstruction = {
                    zone: classification.zone,
                    key,
                    sourceId,
                    firstPosition: c.position,
                    lastPosition: c.position,
                    recordIndexes: [],
                    lines: [],
                };
                if (errorType !== undefined) {
                    (object as { errorType?: RejectErrorType }).errorType = errorType;
                }
                objects.push(object);
            }
            objectIndex = found;
            lastObjects.set(errorType ?? "raw", { partition: classification.partition, objectIndex });
        }
        const object = objects[objectIndex] as ObjectUnderConstruction;
        object.recordIndexes.push(index);
        if (onLine === undefined) {
            object.lines.push(classification.line);
        } else {
            onLine(objectIndex, classification);
        }
        object.lastPosition = c.position;
        outcomes.push(objectOutcomes[objectIndex] as RecordOutcome);
    };

    const step = (count: number) => {
        const end = Math.min(ordered.length, next + count);
        for (; next < end; next += 1) {
            classifyNext(next);
        }
        return ordered.length - next;
    };

    return { step, plan: { engine, records: ordered, outcomes, objects } };
}

/** Plans a whole batch at once (see `createBatchPlanner`). */
export function planBatch(engine: SourceEngine, records: readonly SourceRecord[], validator: RecordValidator): BatchPlan {
    const planner = createBatchPlanner(engine, records, validator);
    planner.step(Number.POSITIVE_INFINITY);
    return planner.plan;
}

function isInSourceOrder(records: readonly SourceRecord[]): boolean {
    for (let i = 1; i < records.length; i += 1) {
        if (compareSourceOrder(records[i - 1] as SourceRecord, records[i] as SourceRecord) > 0) {
            return false;
        }
    }
    return true;
}
