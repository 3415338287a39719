import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { S3Client } from "@aws-sdk/client-s3";
import { DatasetDefinition } from "../datasets";
import { aggregateTableName } from "../datasets/schema";
import { parseRunSummary, SparkRunSummary } from "../quality/summary";
import { hourTag, renderSparkTransformSpec, transformJobArguments } from "../spark/spec";
import { LakeBuckets, mirrorRawPartition, publishCuratedPartition, putIfChanged } from "./lake";
import { projectRoot } from "./services";
import { LocalWindow } from "./sources";

/**
 * The transform stage of `npm run local`: the platform's PySpark job over the window's raw
 * partition, on local paths (the spec rendered from the dataset definition, the stores dimension
 * written by runtime/spark/reference_stores.py, the raw partition mirrored from the raw bucket),
 * then its output published to the curated bucket the loader reads.
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

interface ProcessResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ProcessResult> {
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
    readonly files: readonly { readonly uri: string; readonly etag: string; readonly localPath: string; readonly rows: number }[];
    readonly objectsWritten: number;
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
}

export async function runTransformStage(options: TransformStageOptions): Promise<TransformOutcome> {
    const { s3, buckets, dataset, window, paths, python } = options;
    writeIfChanged(paths.spec, renderSparkTransformSpec(dataset));
    const stores = await run(python, [path.join(projectRoot, "runtime", "spark", "reference_stores.py"), "--stores", String(localStoreCount)], process.env);
    if (stores.code !== 0) {
        throw new Error(`runtime/spark/reference_stores.py failed (${stores.code}): ${stores.stderr.trim()}`);
    }
    writeIfChanged(path.join(paths.reference, "stores", "stores.csv"), stores.stdout);
    const mirrored = await mirrorRawPartition(s3, dataset.name, window.date, paths.raw, buckets);

    const home = javaHome();
    if (home === undefined) {
        throw new Error("no Java found for Spark: install a JDK (sudo apt-get install -y openjdk-17-jre-headless) or set JAVA_HOME");
    }
    const range = windowRange(window);
    const args = transformJobArguments({ specUri: paths.spec, rawUri: paths.raw, curatedUri: paths.curated, referenceUri: paths.reference, start: range.start, end: range.end });
    const result = await run(python, [path.join(projectRoot, "runtime", "local", "transform_local.py"), "--export", paths.export, "--", ...args], {
        ...process.env,
        JAVA_HOME: home,
        PYSPARK_PYTHON: python,
        PYSPARK_DRIVER_PYTHON: python,
        SPARK_LOCAL_IP: "127.0.0.1",
        TZ: "UTC",
    });
    if (result.code !== 0) {
        throw new Error(`the transform job failed (exit ${result.code}); last lines:\n${result.stderr.trim().split("\n").slice(-15).join("\n")}`);
    }
    const lastLine = result.stdout.trim().split("\n").pop() ?? "";
    const measured = JSON.parse(lastLine) as { summaryUri: string; curatedRows: number; files: Record<string, number> };
    const summaryText = fs.readFileSync(measured.summaryUri, "utf8");
    const summary = parseRunSummary(summaryText, measured.summaryUri);

    let objectsWritten = 0;
    const files: { uri: string; etag: string; localPath: string; rows: number }[] = [];
    for (const table of [dataset.name, ...(dataset.aggregates ?? []).map((aggregate) => aggregateTableName(dataset, aggregate))]) {
        const published = await publishCuratedPartition(s3, paths.curated, table, window.date, buckets);
        objectsWritten += published.written + published.deleted;
        if (table === dataset.name) {
            for (const [localPath, file] of published.published) {
                files.push({ ...file, localPath, rows: measured.files[localPath] ?? 0 });
            }
        }
    }
    const summaryKey = `_runs/${dataset.name}/${hourTag(range.start)}_${hourTag(range.end)}.json`;
    if (await putIfChanged(s3, buckets.curated, summaryKey, Buffer.from(summaryText), "application/json")) {
        objectsWritten += 1;
    }
    return { summary, summaryUri: `s3://${buckets.curated}/${summaryKey}`, curatedRows: measured.curatedRows, rawObjects: mirrored.objects, files, objectsWritten };
}
