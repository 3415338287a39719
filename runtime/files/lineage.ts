import { buildRunEvent, createFacets, datasetNames, deterministicRunId, LineageEmitter, OutputDataset, RunEvent } from "../lineage";
import { DropSettings, FileOutcome, FileRef } from "./types";

/**
 * Lineage of the file-drop ingest: one run per file version (deterministic: a retried event for
 * the same version is the same run and rewrites nothing), from the landing object to the raw and
 * rejects zones. Landed: START and COMPLETE with row counts; quarantined: START and FAIL with the
 * reason; handed off to Batch: START (the Batch job continues the run); duplicate or missing:
 * nothing (no data moved). A thrown error is a FAIL with the error.
 */
export interface FileLineageOptions {
    readonly emitter: LineageEmitter;
    readonly namespace: string;
    readonly drop: DropSettings;
    readonly rawBucket: string;
    readonly rejectsBucket: string;
}

export function fileRunId(drop: string, ref: FileRef): string {
    return deterministicRunId("file-ingest", drop, ref.bucket, ref.key, ref.versionId ?? "unversioned");
}

function fileEvents(options: FileLineageOptions, ref: FileRef, outcome: FileOutcome | undefined, error: unknown): RunEvent[] {
    const facets = createFacets();
    const runId = fileRunId(options.drop.name, ref);
    const job = { namespace: options.namespace, name: `file-ingest.${options.drop.name}` };
    const input = datasetNames.s3(ref.bucket, ref.key);
    const raw = datasetNames.s3(options.rawBucket, options.drop.dataset.name);
    const rejects = datasetNames.s3(options.rejectsBucket, options.drop.dataset.name);
    const start = buildRunEvent({ eventType: "START", runId, job, inputs: [input], outputs: [{ ...raw, facets: { schema: facets.schema(options.drop.dataset) } }] });
    if (outcome === undefined) {
        return [buildRunEvent({ eventType: "FAIL", runId, job, inputs: [input], runFacets: { errorMessage: facets.errorMessage(error) } })];
    }
    switch (outcome.status) {
        case "landed": {
            const outputs: OutputDataset[] = [
                { ...raw, outputFacets: { outputStatistics: facets.outputStatistics(outcome.rowsLanded) } },
                ...(outcome.rowsRejected > 0 ? [{ ...rejects, outputFacets: { outputStatistics: facets.outputStatistics(outcome.rowsRejected) } }] : []),
            ];
            const measured = { ...input, inputFacets: { dataQualityMetrics: facets.dataQualityMetrics({ rowCount: outcome.rowsIn, columnMetrics: {} }) } };
            return [start, buildRunEvent({ eventType: "COMPLETE", runId, job, inputs: [measured], outputs })];
        }
        case "quarantined":
            return [start, buildRunEvent({ eventType: "FAIL", runId, job, inputs: [input], runFacets: { errorMessage: facets.errorMessage(`quarantined (${outcome.quarantine?.reason ?? "unknown"}): ${outcome.quarantine?.message ?? ""}`) } })];
        case "handed_off":
            return [start];
        default:
            return [];
    }
}

/** Emits the file's events. Never throws. */
export async function emitFileLineage(options: FileLineageOptions, ref: FileRef, result: { readonly outcome: FileOutcome } | { readonly error: unknown }): Promise<void> {
    const events = "outcome" in result ? fileEvents(options, ref, result.outcome, undefined) : fileEvents(options, ref, undefined, result.error);
    await options.emitter.emit(events.map((event) => event.eventType.toLowerCase()).join("-") || "none", events);
}
