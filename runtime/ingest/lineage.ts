import { createHash } from "crypto";
import { DatasetDefinition } from "../datasets/types";
import { buildRunEvent, createFacets, DatasetRef, datasetNames, deterministicRunId, LineageEmitter, RunEvent } from "../lineage";
import { BatchSummary } from "./accounting";
import { parseObjectKey } from "./layout";
import { KinesisStreamEvent, MskEvent, SourceEngine } from "./types";

/**
 * Lineage of the stream ingest, per window: one OpenLineage run per dataset, source and hour
 * partition (`dt`/`hour`), with a deterministic run id, so every batch of that hour, a replay
 * included, reports to the same run. A batch costs one lake PUT at most: its events go in one
 * object named after the batch's first source position (a redelivered batch rewrites nothing).
 * The START of a window (with the dataset's schema facet) is sent once per container; each batch
 * then adds an OTHER event with its rows and bytes for that window (outputStatistics), or FAIL
 * with the error when records could not be written.
 */
export interface IngestLineage {
    /** Reports a settled batch. Never throws. */
    batchSettled(event: MskEvent | KinesisStreamEvent, summary: BatchSummary): Promise<void>;
    /** Reports a batch that could not be processed at all. Never throws. */
    batchErrored(event: MskEvent | KinesisStreamEvent, error: unknown): Promise<void>;
}

export interface IngestLineageOptions {
    readonly emitter: LineageEmitter;
    readonly namespace: string;
    readonly engine: SourceEngine;
    readonly dataset: DatasetDefinition;
    readonly rawBucket: string;
    readonly rejectsBucket: string;
}

/** The input dataset of a stream: the Kafka topic (by bootstrap servers) or the Kinesis stream (by ARN). */
export function streamDataset(engine: SourceEngine, event: MskEvent | KinesisStreamEvent, source: string): DatasetRef {
    if (engine === "kafka") {
        const servers = (event as MskEvent).bootstrapServers;
        return servers ? datasetNames.kafka(servers, source) : { namespace: "kafka://unknown:0", name: source };
    }
    const arn = (event as KinesisStreamEvent).Records[0]?.eventSourceARN ?? "";
    const parts = arn.split(":");
    if (parts.length >= 6 && parts[2] === "kinesis") {
        return datasetNames.kinesis(parts[3]!, parts[4]!, source, parts[1]!);
    }
    return { namespace: "arn:aws:kinesis:unknown:unknown", name: `stream/${source}` };
}

/** A deterministic name for a batch (in its lineage object's key): the least `<topic>+<partition>+<offset>` of its records, or the first Kinesis event id. */
export function batchName(engine: SourceEngine, event: MskEvent | KinesisStreamEvent): string {
    if (engine === "kafka") {
        // The least `<topic>+<partition>+<offset>` in code-unit order (what sorting the names would
        // put first), found in one pass. Consecutive records mostly share topic and partition, and
        // within such a run the least name is the run's prefix followed by its least offset text,
        // so a name is only built once per run.
        let least: string | undefined;
        let prefix: string | undefined;
        let topic: unknown;
        let partition: unknown;
        let leastOffset = "";
        const endRun = () => {
            if (prefix !== undefined && (least === undefined || prefix + leastOffset < least)) {
                least = prefix + leastOffset;
            }
        };
        for (const list of Object.values((event as MskEvent).records ?? {})) {
            // A malformed event (an errored batch) may hold something else than a list; it counts as one record, as `flat` would.
            for (const record of Array.isArray(list) ? list : [list]) {
                const offset = `${record.offset}`;
                if (prefix === undefined || record.topic !== topic || record.partition !== partition) {
                    endRun();
                    topic = record.topic;
                    partition = record.partition;
                    prefix = `${record.topic}+${record.partition}+`;
                    leastOffset = offset;
                } else if (offset < leastOffset) {
                    leastOffset = offset;
                }
            }
        }
        endRun();
        return least ?? "empty";
    }
    return (event as KinesisStreamEvent).Records?.[0]?.eventID ?? "empty";
}

export function createIngestLineage(options: IngestLineageOptions): IngestLineage {
    const facets = createFacets();
    const job = { namespace: options.namespace, name: `ingest.${options.dataset.name}` };
    const started = new Set<string>();
    const raw = datasetNames.s3(options.rawBucket, options.dataset.name);
    const rejects = datasetNames.s3(options.rejectsBucket, options.dataset.name);

    return {
        async batchSettled(event, summary) {
            const now = new Date();
            const events: RunEvent[] = [];
            const failed = summary.counts.failed > 0;
            const byWindow = new Map<string, { source: string; dt: string; hour: string; raw?: { records: number; bytes: number }; rejects?: { records: number; bytes: number } }>();
            for (const window of summary.windows) {
                const id = `${window.source}|${window.dt}|${window.hour}`;
                const entry = byWindow.get(id) ?? { source: window.source, dt: window.dt, hour: window.hour };
                entry[window.zone === "raw" ? "raw" : "rejects"] = { records: window.records, bytes: window.bytes };
                byWindow.set(id, entry);
            }
            for (const window of byWindow.values()) {
                const runId = deterministicRunId("ingest", options.dataset.name, window.source, window.dt, window.hour);
                const input = streamDataset(options.engine, event, window.source);
                if (!started.has(runId)) {
                    events.push(buildRunEvent({ eventType: "START", eventTime: now, runId, job, inputs: [input], outputs: [{ ...raw, facets: { schema: facets.schema(options.dataset) } }] }));
                }
                const outputs = [
                    ...(window.raw ? [{ ...raw, outputFacets: { outputStatistics: facets.outputStatistics(window.raw.records, window.raw.bytes) } }] : []),
                    ...(window.rejects ? [{ ...rejects, outputFacets: { outputStatistics: facets.outputStatistics(window.rejects.records, window.rejects.bytes) } }] : []),
                ];
                events.push(
                    buildRunEvent({
                        eventType: failed ? "FAIL" : "OTHER",
                        eventTime: now,
                        runId,
                        job,
                        inputs: [input],
                        outputs,
                        ...(failed ? { runFacets: { errorMessage: facets.errorMessage(`${summary.counts.failed} of ${summary.counts.in} records could not be written; they will be redelivered`) } } : {}),
                    }),
                );
            }
            if (events.length === 0) {
                return;
            }
            const result = await options.emitter.emit(`batch-${batchName(options.engine, event)}`, events);
            if (result.failed === 0) {
                events.filter((candidate) => candidate.eventType === "START").forEach((candidate) => started.add(candidate.run.runId));
            }
        },
        async batchErrored(event, error) {
            const name = batchName(options.engine, event);
            const runId = deterministicRunId("ingest", options.dataset.name, "batch", name);
            await options.emitter.emit(`error-${name}`, [buildRunEvent({ eventType: "FAIL", runId, job, runFacets: { errorMessage: facets.errorMessage(error) } })]);
        },
    };
}

/**
 * COMPLETE for the stream ingest's window runs that a consumer has read. A window's run (one per
 * dataset, source and stream-time hour) has no natural end inside the ingest function: records of
 * its hour may still arrive, one batch at a time, from any shard or partition, until the event
 * source mapping's maximum record age, and no single invocation sees them all. So the run is
 * finished by the step that consumes the window: given the raw keys it read (each names its
 * source, `dt` and `hour`, see `layout.ts`), one COMPLETE per window, with the same deterministic
 * run id the ingest function used for its START and OTHER events, dated when the consumer
 * finished. Datasets that do not come from a stream have no ingest runs and get none.
 * The emission id names the windows, so reporting the same windows again the same day writes
 * nothing new (the lake transport's conditional create).
 */
export function ingestWindowCompletions(options: {
    readonly namespace: string;
    readonly dataset: DatasetDefinition;
    readonly rawBucket: string;
    /** Raw and rejects keys of the windows the consumer read (keys of other layouts, and of an unknown stream time, are ignored). */
    readonly keys: readonly string[];
    readonly completedAt: Date;
}): { readonly emissionId: string; readonly events: RunEvent[] } | undefined {
    const windows: IngestWindow[] = [];
    for (const key of options.keys) {
        const parsed = parseObjectKey(key);
        // Rejects count too: a window whose records were all rejected is still a run of the ingest.
        if (parsed && parsed.dataset === options.dataset.name && parsed.dt !== "unknown" && parsed.hour !== "unknown") {
            windows.push({ source: parsed.source, dt: parsed.dt, hour: parsed.hour });
        }
    }
    return ingestWindowCompletionsOf({ ...options, windows });
}

/** One stream ingest window: the run the ingest function keeps open for a source's hour. */
export interface IngestWindow {
    readonly source: string;
    readonly dt: string;
    readonly hour: string;
}

/**
 * The COMPLETE events of the given windows (as the Spark job's run summary lists the windows it
 * read, `inputs.windows`), with the same run ids and emission id as `ingestWindowCompletions`
 * gives for their keys.
 */
export function ingestWindowCompletionsOf(options: {
    readonly namespace: string;
    readonly dataset: DatasetDefinition;
    readonly rawBucket: string;
    readonly windows: readonly IngestWindow[];
    readonly completedAt: Date;
}): { readonly emissionId: string; readonly events: RunEvent[] } | undefined {
    if ((options.dataset.source ?? "stream") !== "stream") {
        return undefined;
    }
    const windows = new Map<string, IngestWindow>();
    for (const window of options.windows) {
        windows.set(`${window.source}|${window.dt}|${window.hour}`, { source: window.source, dt: window.dt, hour: window.hour });
    }
    if (windows.size === 0) {
        return undefined;
    }
    const job = { namespace: options.namespace, name: `ingest.${options.dataset.name}` };
    const raw = datasetNames.s3(options.rawBucket, options.dataset.name);
    const sorted = [...windows.values()].sort((a, b) => `${a.source}|${a.dt}|${a.hour}`.localeCompare(`${b.source}|${b.dt}|${b.hour}`));
    const events = sorted.map((window) =>
        buildRunEvent({ eventType: "COMPLETE", eventTime: options.completedAt, runId: deterministicRunId("ingest", options.dataset.name, window.source, window.dt, window.hour), job, outputs: [raw] }),
    );
    const digest = createHash("sha256").update([...windows.keys()].sort().join("\n")).digest("hex").slice(0, 16);
    return { emissionId: `complete-${digest}`, events };
}
