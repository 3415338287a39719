import * as path from "path";
import { ConfigurationError } from "../common/errors";
import { DatasetDefinition } from "../datasets";
import { sparkTransformSpec } from "../datasets/schema";

/**
 * The contract between the platform and the transform job (`transform_job.py`): the spec document it
 * reads and the arguments it takes. Infra uploads the script and one rendered spec per dataset as
 * assets, and passes `transformJobArguments(...)` as the job's entry-point arguments.
 */

/** Absolute path of the PySpark script, for a `FileAsset`. */
export const transformJobScriptPath = path.join(__dirname, "transform_job.py");

/** The spec document of a dataset as the job reads it: stable, pretty-printed JSON with a final newline. */
export function renderSparkTransformSpec(dataset: DatasetDefinition): string {
    return `${JSON.stringify(sparkTransformSpec(dataset), null, 2)}\n`;
}

/** One run of the transform job. All URIs are `s3://` on AWS (any Hadoop file system URI works). */
export interface TransformJobRun {
    /** Where the rendered spec of the dataset is, e.g. `s3://artifacts/spark/orders.spec.json`. */
    readonly specUri: string;
    /** Raw zone root; the job reads `<rawUri>/<dataset>/dt=YYYY-MM-DD/hour=HH/*.ndjson.gz`. */
    readonly rawUri: string;
    /** Curated zone root; the job writes `<curatedUri>/<dataset>/` and `<curatedUri>/<dataset>_<aggregate>/`. */
    readonly curatedUri: string;
    /** Reference data root; enrichment `<name>` is read from `<referenceUri>/<name>/` (CSV with header). */
    readonly referenceUri: string;
    /** Start of the range, inclusive, on an hour boundary (`2024-05-01T00:00:00Z`). */
    readonly start: string;
    /** End of the range, exclusive, on an hour boundary. */
    readonly end: string;
    /** Where to write the run summary. Defaults to `runSummaryUri(curatedUri, dataset, start, end)`. */
    readonly summaryUri?: string;
    /** Split a date partition into Parquet files of at most this many rows. Defaults to one file per date. */
    readonly maxRecordsPerFile?: number;
    /** Identifier recorded in the run summary (for example the EMR job run id). Defaults to none. */
    readonly runId?: string;
}

/** Entry-point arguments of the transform job, in the order `transform_job.py --help` documents. */
export function transformJobArguments(run: TransformJobRun): string[] {
    const args = [
        "--spec", run.specUri,
        "--raw-uri", run.rawUri,
        "--curated-uri", run.curatedUri,
        "--reference-uri", run.referenceUri,
        "--start", run.start,
        "--end", run.end,
    ];
    if (run.summaryUri !== undefined) {
        args.push("--summary-uri", run.summaryUri);
    }
    if (run.maxRecordsPerFile !== undefined) {
        if (!Number.isInteger(run.maxRecordsPerFile) || run.maxRecordsPerFile < 1) {
            throw new ConfigurationError("maxRecordsPerFile", `maxRecordsPerFile must be a positive integer; found ${run.maxRecordsPerFile}; pass a whole number of records per Parquet file, such as 1000000, or leave it out`);
        }
        args.push("--max-records-per-file", String(run.maxRecordsPerFile));
    }
    if (run.runId !== undefined) {
        args.push("--run-id", run.runId);
    }
    return args;
}

/** Compact, sortable tag of an hour boundary: `2024-05-01T00:00:00Z` → `20240501T00`. */
export function hourTag(instant: string): string {
    const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})(?::00(?::00(?:\.0+)?)?)?(?:Z|\+00:00)$/.exec(instant);
    if (!match) {
        throw new ConfigurationError("start/end", `the run window bound '${instant}' is not a UTC hour boundary: expected YYYY-MM-DDTHH:00:00Z, such as 2024-05-01T00:00:00Z; round the window to whole hours in UTC`);
    }
    return `${match[1]}${match[2]}${match[3]}T${match[4]}`;
}

/** Default run summary location: `<curatedUri>/_runs/<dataset>/<start>_<end>.json` (a rerun overwrites it). */
export function runSummaryUri(curatedUri: string, datasetName: string, start: string, end: string): string {
    return `${curatedUri.replace(/\/+$/, "")}/_runs/${datasetName}/${hourTag(start)}_${hourTag(end)}.json`;
}
