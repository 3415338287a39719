import { buildRunEvent, createFacets, DatasetRef, datasetNames, deterministicRunId, LineageEmitter, OutputDataset, RunEvent } from "../lineage";
import type { FileRef } from "../files/types";
import type { CapturedTable } from "./handler";

/**
 * Lineage of the change-file landing: one run per DMS change file (deterministic: a redelivered
 * event for the same file is the same run and rewrites nothing), from the change file's object
 * (the DMS folder of the raw bucket) to the dataset's raw zone and, for rejected rows, its rejects
 * zone. Landed: START and COMPLETE with the rows in (input metrics) and the rows landed and
 * rejected (output statistics). A thrown error: START and FAIL with the error. The raw output's
 * schema is the dataset's fields plus the change columns every landed record carries.
 */
export interface CdcLineageOptions {
    readonly emitter: LineageEmitter;
    readonly namespace: string;
    readonly rawBucket: string;
    readonly rejectsBucket: string;
    /**
     * The captured source table as an OpenLineage dataset (`postgres://host:port`,
     * `database.schema.table`), the first input of each run, so the graph starts at the database;
     * without it the runs start at the change file.
     */
    readonly sourceTable?: (table: Pick<CapturedTable, "schema" | "table">) => DatasetRef;
}

/** What one landed change file moved (ChangeFileOutcome's counts). */
export interface LandedCounts {
    readonly rowsIn: number;
    readonly rowsLanded: number;
    readonly rowsRejected: number;
}

/** The change columns runtime/cdc/land.ts adds to every raw record, after the dataset's fields. */
export const changeColumns = [
    { name: "cdc_op", type: "string", description: "I (insert or full-load row), U (update) or D (delete)" },
    { name: "cdc_commit_ts", type: "timestamp", description: "Commit time of the change at the source (UTC)" },
    { name: "cdc_change_seq", type: "string", description: "Change order: the commit's log position, then the change's place in its transaction" },
    { name: "cdc_source", type: "string", description: "Change file and line the record came from" },
] as const;

export function changeFileRunId(ref: FileRef): string {
    return deterministicRunId("cdc-landing", ref.bucket, ref.key, ref.versionId ?? "unversioned");
}

/** The job of a captured table's landing: `cdc-landing.<schema>.<table>`. */
export function landingJobName(table: Pick<CapturedTable, "schema" | "table">): string {
    return `cdc-landing.${table.schema}.${table.table}`;
}

export function changeFileEvents(options: CdcLineageOptions, ref: FileRef, table: CapturedTable, result: { readonly counts: LandedCounts } | { readonly error: unknown }): RunEvent[] {
    const facets = createFacets();
    const runId = changeFileRunId(ref);
    const job = { namespace: options.namespace, name: landingJobName(table) };
    const input = datasetNames.s3(ref.bucket, ref.key);
    const schema = facets.schema(table.dataset);
    const raw = { ...datasetNames.s3(options.rawBucket, table.dataset.name), facets: { schema: { ...schema, fields: [...schema.fields, ...changeColumns] } } };
    const rejects = datasetNames.s3(options.rejectsBucket, table.dataset.name);
    const source = options.sourceTable ? [options.sourceTable(table)] : [];
    const start = buildRunEvent({ eventType: "START", runId, job, inputs: [...source, input], outputs: [raw] });
    if ("error" in result) {
        return [start, buildRunEvent({ eventType: "FAIL", runId, job, inputs: [...source, input], outputs: [raw], runFacets: { errorMessage: facets.errorMessage(result.error) } })];
    }
    const { counts } = result;
    const outputs: OutputDataset[] = [
        { ...raw, outputFacets: { outputStatistics: facets.outputStatistics(counts.rowsLanded) } },
        ...(counts.rowsRejected > 0 ? [{ ...rejects, outputFacets: { outputStatistics: facets.outputStatistics(counts.rowsRejected) } }] : []),
    ];
    const measured = { ...input, inputFacets: { dataQualityMetrics: facets.dataQualityMetrics({ rowCount: counts.rowsIn, columnMetrics: {} }) } };
    return [start, buildRunEvent({ eventType: "COMPLETE", runId, job, inputs: [...source, measured], outputs })];
}

/** Emits the change file's events. Never throws (the emitter reports delivery failures itself). */
export async function emitChangeFileLineage(options: CdcLineageOptions, ref: FileRef, table: CapturedTable, result: { readonly counts: LandedCounts } | { readonly error: unknown }): Promise<void> {
    const events = changeFileEvents(options, ref, table, result);
    await options.emitter.emit(events.map((event) => event.eventType.toLowerCase()).join("-"), events);
}
