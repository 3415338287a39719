import { DatasetDefinition } from "../../datasets/types";
import { buildRunEvent, createFacets, datasetNames, deterministicRunId, LineageEmitter, OutputDataset, RunEvent } from "../../lineage";
import { ConnectorRunSummary } from "./run";

/**
 * Lineage of an API connector run: one run per source and window (deterministic: a run that
 * repeats a claimed window reports to the same run), from the API endpoint to the raw and rejects
 * zones. A completed window: START and COMPLETE with row counts; a failed run: FAIL with the error
 * (its window is unknown when the failure came before the claim, so it is named by the attempt
 * time); a run that found nothing to do, or lost the claim, moved no data and emits nothing.
 */
export interface ConnectorLineageOptions {
    readonly emitter: LineageEmitter;
    readonly namespace: string;
    readonly source: { readonly name: string; readonly baseUrl: string };
    readonly dataset: DatasetDefinition;
    readonly rawBucket: string;
    readonly rejectsBucket: string;
}

export function connectorRunId(source: string, window: { readonly start: string; readonly end: string }): string {
    return deterministicRunId("api-connector", source, window.start, window.end);
}

function events(options: ConnectorLineageOptions, result: { readonly summary: ConnectorRunSummary } | { readonly error: unknown; readonly at: Date }): RunEvent[] {
    const facets = createFacets();
    const job = { namespace: options.namespace, name: `api-connector.${options.source.name}` };
    const input = datasetNames.http(options.source.baseUrl);
    const raw = datasetNames.s3(options.rawBucket, options.dataset.name);
    const rejects = datasetNames.s3(options.rejectsBucket, options.dataset.name);
    if ("error" in result) {
        const runId = deterministicRunId("api-connector", options.source.name, "failed", result.at.toISOString());
        return [buildRunEvent({ eventType: "FAIL", runId, job, inputs: [input], runFacets: { errorMessage: facets.errorMessage(result.error) } })];
    }
    const summary = result.summary;
    if (summary.outcome !== "completed" || summary.window === null) {
        return [];
    }
    const runId = connectorRunId(options.source.name, summary.window);
    const outputs: OutputDataset[] = [
        { ...raw, facets: { schema: facets.schema(options.dataset) }, outputFacets: { outputStatistics: facets.outputStatistics(summary.recordsLanded) } },
        ...(summary.recordsRejected > 0 ? [{ ...rejects, outputFacets: { outputStatistics: facets.outputStatistics(summary.recordsRejected) } }] : []),
    ];
    const measured = { ...input, inputFacets: { dataQualityMetrics: facets.dataQualityMetrics({ rowCount: summary.recordsIn, columnMetrics: {} }) } };
    return [
        buildRunEvent({ eventType: "START", runId, job, inputs: [input], outputs: [{ ...raw, facets: { schema: facets.schema(options.dataset) } }] }),
        buildRunEvent({ eventType: "COMPLETE", runId, job, inputs: [measured], outputs }),
    ];
}

/** Emits the run's events. Never throws. */
export async function emitConnectorLineage(options: ConnectorLineageOptions, result: { readonly summary: ConnectorRunSummary } | { readonly error: unknown; readonly at: Date }): Promise<void> {
    const list = events(options, result);
    await options.emitter.emit(list.map((event) => event.eventType.toLowerCase()).join("-") || "none", list);
}
