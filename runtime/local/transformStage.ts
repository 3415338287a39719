import { spawn } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { S3Client } from "@aws-sdk/client-s3";
import { DatasetDefinition } from "../datasets";
import { aggregateTableName } from "../datasets/schema";
import { parseRunSummary, SparkRunSummary } from "../quality/summary";
import { hourTag, renderSparkTransformSpec, transformJobArguments } from "../spark/spec";
import { getObjectBytes, LakeBuckets, listObjects, mirrorRawPartition, publishCuratedPartition, putIfChanged } from "./lake";
import { projectRoot } from "./services";
import { LocalWindow } from "./sources";
import { LocalRunError } from "./errors";
import type { ObjectStore } from "../common/objectStore";
import { LocalLocation, publishSparkLineage } from "./lineage";

/**
 * The transform stage of `npm run local`: the platform's PySpark job over the window's raw
 * partition, on local paths (the spec rendered from the dataset definition, the stores dimension
 * written by runtime/spark/reference_stores.py, the raw partition mirrored from the raw bucket),
 * then its output published to the curated bucket the loader reads.
 *
 * Like a scheduler that only reprocesses windows whose input changed, the stage skips Spark when
 * the window's inputs (the raw objects with their ETags, the spec, the stores dimension and the
 * job's code) are exactly those of the last run recorded next to the run summary, and the curated
 * objects that run published are still there unchanged.
 */

export interface LocalLakePaths {
    readonly spec: string;
    readonly raw: string;
    readonly curated: string;
    readonly reference: string;
    /** Curated rows exported per Parquet file for the local warehouse. */
    readonly export: string;
}

export function localLakePaths(runDirectory: string, dataset: DatasetDefinition): LocalLakePaths {
    return {
        spec: path.join(runDirectory, "spec", `${dataset.name}.spec.json`),
        raw: path.join(runDirectory, "lake", "raw"),
        curated: path.join(runDirectory, "lake", "curated"),
        reference: path.join(runDirectory, "lake", "reference"),
        export: path.join(runDirectory, "lake", `${dataset.name}.curated-rows.ndjson`),
    };
}

/** Stores S0001..S0250 and WEB: the ids the order generator draws (runtime/producers/orders.ts). */
export const localStoreCount = 250;

/** The job's UTC hour range for a window: the whole day. */
export function windowRange(window: LocalWindow): { start: string; end: string } {
    return { start: new Date(window.startMs).toISOString().replace(/\.000Z$/, "Z"), end: new Date(window.endMs).toISOString().replace(/\.000Z$/, "Z") };
}

function writeIfChanged(file: string, text: string): void {
    if (fs.existsSync(file) && fs.readFileSync(file, "utf8") === text) {
        return;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
}

/** JAVA_HOME for Spark: the one set, or the JDK that `java` on the PATH belongs to. */
export function javaHome(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
    if (env.JAVA_HOME && fs.existsSync(path.join(env.JAVA_HOME, "bin", "java"))) {
        return env.JAVA_HOME;
    }
    for (const directory of (env.PATH ?? "").split(path.delimiter)) {
        const candidate = path.join(directory, "java");
        if (directory !== "" && fs.existsSync(candidate)) {
            return path.dirname(path.dirname(fs.realpathSync(candidate)));
        }
    }
    return undefined;
}

export interface ProcessResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs a command in the project root and collects its output (the Spark jobs of the local run). */
export function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ProcessResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd: projectRoot, env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
}

export interface TransformOutcome {
    readonly summary: SparkRunSummary;
    /** Where the run summary is in the curated bucket (what the quality step reads). */
    readonly summaryUri: string;
    /** Rows read back from the curated partitions the job wrote. */
    readonly curatedRows: number;
    readonly rawObjects: number;
    /** Curated data files of the dataset's table: `s3://` URI, ETag and the rows exported from each. */
    readonly files: readonly CuratedFileRecord[];
    readonly objectsWritten: number;
    /** True when Spark was not run because the inputs had not changed since the recorded run. */
    readonly reused: boolean;
}

export interface CuratedFileRecord {
    readonly uri: string;
    readonly etag: string;
    readonly localPath: string;
    readonly rows: number;
}

/** What `_runs/<dataset>/<range>.local-inputs.json` records about the last local run of a window. */
export interface TransformInputsRecord {
    readonly fingerprint: string;
    /** SHA-256 of the exported curated rows the run read back. */
    readonly exportSha256: string;
    readonly files: readonly CuratedFileRecord[];
}

/** A digest of everything the job's output depends on. */
export function transformInputsFingerprint(parts: { readonly raw: readonly { key: string; etag: string }[]; readonly texts: readonly string[] }): string {
    const digest = createHash("sha256");
    for (const object of [...parts.raw].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
        digest.update(`${object.key} ${object.etag}\n`);
    }
    for (const text of parts.texts) {
        digest.update(createHash("sha256").update(text).digest("hex"));
    }
    return digest.digest("hex");
}

/** Rows per file in an export (`{"file", "row"}` lines). */
export function exportedRowsPerFile(text: string): Map<string, number> {
    const rows = new Map<string, number>();
    for (const line of text.split("\n")) {
        if (line.trim() !== "") {
            const file = (JSON.parse(line) as { file: string }).file;
            rows.set(file, (rows.get(file) ?? 0) + 1);
        }
    }
    return rows;
}

function sha256Hex(bytes: Buffer | string): string {
    return createHash("sha256").update(bytes).digest("hex");
}

async function readRecord(s3: S3Client, bucket: string, key: string): Promise<TransformInputsRecord | undefined> {
    if (!(await listObjects(s3, bucket, key)).some((object) => object.key === key)) {
        return undefined;
    }
    return JSON.parse((await getObjectBytes(s3, bucket, key)).toString("utf8")) as TransformInputsRecord;
}

export interface TransformStageOptions {
    readonly s3: S3Client;
    readonly buckets: LakeBuckets;
    readonly dataset: DatasetDefinition;
    readonly window: LocalWindow;
    readonly paths: LocalLakePaths;
    /** The virtual environment's python (moto, PySpark). */
    readonly python: string;
    readonly log: (text: string) => void;
    /**
     * Other inputs the job reads for this dataset (the curated rates of a conversion, a reference
     * another dataset publishes), as their contents: a change in any of them reruns the job.
     * Defaults to none.
     */
    readonly extraInputs?: readonly string[];
    /**
     * Where the job's OpenLineage events go: it writes them under `directory` (`--lineage-uri`),
     * and they are published to the lineage prefix of the raw bucket with the local paths named as
     * the S3 locations they stand for. Defaults to none.
     */
    readonly lineage?: { readonly directory: string; readonly store: ObjectStore; readonly namespace: string };
}

/** The S3 locations the local Spark directories stand for, so the job's lineage names what it would on AWS. */
export function sparkLocations(paths: LocalLakePaths, buckets: LakeBuckets): LocalLocation[] {
    return [
        { directory: paths.raw, uri: `s3://${buckets.raw}` },
        { directory: paths.curated, uri: `s3://${buckets.curated}` },
        // On AWS the references live under reference/ of the artifacts bucket, which the local lake has no copy of.
        { directory: paths.reference, uri: `s3://${localArtifactsBucket}/reference` },
    ];
}

/** The name the local lineage gives the artifacts bucket (reference data), which the local run keeps on disk. */
export const localArtifactsBucket = "etl-local-artifacts";

async function publishLineage(options: TransformStageOptions): Promise<void> {
    const lineage = options.lineage;
    if (lineage) {
        await publishSparkLineage({ store: lineage.store, buckets: options.buckets, directory: lineage.directory, locations: sparkLocations(options.paths, options.buckets), job: `transform.${options.dataset.name}` });
    }
}

export async function runTransformStage(options: TransformStageOptions): Promise<TransformOutcome> {
    const { s3, buckets, dataset, window, paths, python } = options;
    writeIfChanged(paths.spec, renderSparkTransformSpec(dataset));
    const stores = await run(python, [path.join(projectRoot, "runtime", "spark", "reference_stores.py"), "--stores", String(localStoreCount)], process.env);
    if (stores.code !== 0) {
        throw new LocalRunError(`runtime/spark/reference_stores.py failed (${stores.code}): ${stores.stderr.trim()}`);
    }
    writeIfChanged(path.join(paths.reference, "stores", "stores.csv"), stores.stdout);
    const mirrored = await mirrorRawPartition(s3, dataset.name, window.date, paths.raw, buckets);
    const range = windowRange(window);
    const runKey = `_runs/${dataset.name}/${hourTag(range.start)}_${hourTag(range.end)}`;
    const summaryKey = `${runKey}.json`;
    const recordKey = `${runKey}.local-inputs.json`;
    const code = ["spark/transform_job.py", "local/transform_local.py"].map((file) => fs.readFileSync(path.join(projectRoot, "runtime", file), "utf8"));
    const fingerprint = transformInputsFingerprint({
        raw: await listObjects(s3, buckets.raw, `${dataset.name}/dt=${window.date}/`),
        texts: [renderSparkTransformSpec(dataset), stores.stdout, ...code, ...(options.extraInputs ?? [])],
    });

    const previous = await readRecord(s3, buckets.curated, recordKey);
    if (previous?.fingerprint === fingerprint && fs.existsSync(paths.export)) {
        const exported = fs.readFileSync(paths.export);
        const published = new Map((await listObjects(s3, buckets.curated, `${dataset.name}/dt=${window.date}/`)).map((object) => [`s3://${buckets.curated}/${object.key}`, object.etag]));
        const unchanged = sha256Hex(exported) === previous.exportSha256 && published.size === previous.files.length && previous.files.every((file) => published.get(file.uri) === file.etag);
        if (unchanged) {
            await publishLineage(options);
            const summaryText = (await getObjectBytes(s3, buckets.curated, summaryKey)).toString("utf8");
            const rows = exportedRowsPerFile(exported.toString("utf8"));
            const files = previous.files.map((file) => ({ ...file, rows: rows.get(file.localPath) ?? 0 }));
            return {
                summary: parseRunSummary(summaryText, `s3://${buckets.curated}/${summaryKey}`),
                summaryUri: `s3://${buckets.curated}/${summaryKey}`,
                curatedRows: files.reduce((sum, file) => sum + file.rows, 0),
                rawObjects: mirrored.objects,
                files,
                objectsWritten: 0,
                reused: true,
            };
        }
    }

    const home = javaHome();
    if (home === undefined) {
        throw new LocalRunError("no Java found for Spark: install a JDK (sudo apt-get install -y openjdk-17-jre-headless) or set JAVA_HOME");
    }
    const args = [
        ...transformJobArguments({ specUri: paths.spec, rawUri: paths.raw, curatedUri: paths.curated, referenceUri: paths.reference, start: range.start, end: range.end }),
        ...(options.lineage ? ["--lineage-uri", options.lineage.directory, "--lineage-namespace", options.lineage.namespace] : []),
    ];
    const result = await run(python, [path.join(projectRoot, "runtime", "local", "transform_local.py"), "--export", paths.export, "--", ...args], {
        ...process.env,
        JAVA_HOME: home,
        PYSPARK_PYTHON: python,
        PYSPARK_DRIVER_PYTHON: python,
        SPARK_LOCAL_IP: "127.0.0.1",
        TZ: "UTC",
    });
    if (result.code !== 0) {
        throw new LocalRunError(`the transform job failed (exit ${result.code}); last lines:\n${result.stderr.trim().split("\n").slice(-15).join("\n")}`);
    }
    const lastLine = result.stdout.trim().split("\n").pop() ?? "";
    const measured = JSON.parse(lastLine) as { summaryUri: string; curatedRows: number; files: Record<string, number> };
    const summaryText = fs.readFileSync(measured.summaryUri, "utf8");
    const summary = parseRunSummary(summaryText, measured.summaryUri);

    let objectsWritten = 0;
    const files: CuratedFileRecord[] = [];
    for (const table of [dataset.name, ...(dataset.aggregates ?? []).map((aggregate) => aggregateTableName(dataset, aggregate))]) {
        const published = await publishCuratedPartition(s3, paths.curated, table, window.date, buckets);
        objectsWritten += published.written + published.deleted;
        if (table === dataset.name) {
            for (const [localPath, file] of published.published) {
                files.push({ ...file, localPath, rows: measured.files[localPath] ?? 0 });
            }
        }
    }
    if (await putIfChanged(s3, buckets.curated, summaryKey, Buffer.from(summaryText), "application/json")) {
        objectsWritten += 1;
    }
    await publishLineage(options);
    const record: TransformInputsRecord = { fingerprint, exportSha256: sha256Hex(fs.readFileSync(paths.export)), files };
    if (await putIfChanged(s3, buckets.curated, recordKey, Buffer.from(`${JSON.stringify(record, null, 2)}\n`), "application/json")) {
        objectsWritten += 1;
    }
    return { summary, summaryUri: `s3://${buckets.curated}/${summaryKey}`, curatedRows: measured.curatedRows, rawObjects: mirrored.objects, files, objectsWritten, reused: false };
}
