import * as fs from "fs";
import * as path from "path";
import { createS3ObjectStore, ObjectStore } from "../common/objectStore";
import { createLakeTransport, createLineageEmitterFromSettings, datasetNames, DatasetRef, LineageEmitter, readLineageSettings, RunEvent } from "../lineage";
import { LakeBuckets, localFiles } from "./lake";
import { LocalSettings } from "./settings";

/**
 * Lineage on the local platform: every stage of `npm run local` emits OpenLineage run events to
 * `lineage/` of the local raw bucket (moto), exactly as the stacks deploy it, and the run's report
 * draws the graph they make (datasets and jobs, edges) and checks that each source reaches a
 * warehouse table.
 */

/** Where the local events go: the raw bucket's `lineage/` prefix, outside every dataset's data. */
export const localLineagePrefix = "lineage";
export const localLineageNamespace = "etl-platform-local";

/** The LINEAGE_* variables of every local stage (runtime/lineage/settings.ts). */
export function localLineageEnv(buckets: LakeBuckets): Record<string, string> {
    return { LINEAGE_BUCKET: buckets.raw, LINEAGE_PREFIX: localLineagePrefix, LINEAGE_NAMESPACE: localLineageNamespace };
}

/** The S3 store of the local lake (moto), which the lineage transport writes with. */
export function localLakeStore(settings: LocalSettings): ObjectStore {
    return createS3ObjectStore({ endpoint: settings.motoEndpoint, region: settings.region, credentials: settings.credentials, forcePathStyle: true });
}

/**
 * The emitter every local stage shares: the lake transport on moto. A failed emission is logged
 * and counted, never thrown, as on AWS.
 */
export function localLineageEmitter(store: ObjectStore, buckets: LakeBuckets, log: (text: string) => void): LineageEmitter & { readonly failures: () => number } {
    let failures = 0;
    const emitter = createLineageEmitterFromSettings({
        settings: readLineageSettings(localLineageEnv(buckets)),
        store,
        onFailure: (failure) => {
            failures += 1;
            log(`   lineage: ${failure.transport} failed: ${failure.message}\n`);
        },
    });
    return { emit: (emissionId, events) => emitter.emit(emissionId, events), failures: () => failures };
}

/** The local warehouse (PostgreSQL standing in for Redshift) as an OpenLineage dataset. */
export function localWarehouseDataset(settings: LocalSettings, database: string, schema: string, table: string): DatasetRef {
    return datasetNames.redshift("local-postgres", settings.region, database, schema, table, Number(new URL(settings.postgresUrl).port || 5432));
}

/** A local directory and the S3 location it stands in for (the Spark job reads and writes directories locally). */
export interface LocalLocation {
    readonly directory: string;
    readonly uri: string;
}

/**
 * Names a dataset the local Spark job reported by its local path (`file`, `/…/lake/raw/orders`)
 * as the S3 dataset the directory mirrors (`s3://etl-local-raw`, `orders`), so the graph joins the
 * job to the stages around it as on AWS, where the job reads and writes S3 itself.
 */
export function stoodInDataset<T extends DatasetRef>(dataset: T, locations: readonly LocalLocation[]): T {
    if (dataset.namespace !== "file") {
        return dataset;
    }
    const local = path.resolve(dataset.name);
    for (const location of locations) {
        const directory = path.resolve(location.directory);
        if (local === directory || local.startsWith(`${directory}${path.sep}`)) {
            const rest = path.relative(directory, local).split(path.sep).join("/");
            const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location.uri);
            if (!match) {
                continue;
            }
            const key = [match[2], rest].filter((part) => part !== undefined && part !== "").join("/").replace(/\/+$/, "");
            return { ...dataset, ...datasetNames.s3(match[1] as string, key === "" ? "/" : key) };
        }
    }
    return dataset;
}

/**
 * Publishes the events the local Spark job wrote under `directory` (NDJSON files named
 * `<job>.<run id>.<event type>.json`) to the lineage prefix, their local paths named as the S3
 * datasets they stand for. Conditional creates: a reused or repeated run writes nothing new.
 * Returns the number of events published.
 */
export async function publishSparkLineage(options: { readonly store: ObjectStore; readonly buckets: LakeBuckets; readonly directory: string; readonly locations: readonly LocalLocation[]; readonly job: string }): Promise<number> {
    const lake = createLakeTransport({ store: options.store, bucket: options.buckets.raw, prefix: localLineagePrefix });
    let published = 0;
    for (const file of localFiles(options.directory).filter((name) => name.endsWith(".json") && path.basename(name).startsWith(`${options.job}.`))) {
        const events = fs
            .readFileSync(path.join(options.directory, file), "utf8")
            .split("\n")
            .filter((line) => line.trim() !== "")
            .map((line) => JSON.parse(line) as RunEvent)
            .map((event) => ({
                ...event,
                inputs: (event.inputs ?? []).map((dataset) => stoodInDataset(dataset, options.locations)),
                outputs: (event.outputs ?? []).map((dataset) => stoodInDataset(dataset, options.locations)),
            }));
        const emission = path.basename(file, ".json").split(".").pop() as string;
        await lake.sendAs(emission, events);
        published += events.length;
    }
    return published;
}

/** Every event under the lineage prefix of the local raw bucket. */
export async function readLocalLineage(store: ObjectStore, buckets: LakeBuckets): Promise<RunEvent[]> {
    const events: RunEvent[] = [];
    for (const key of await store.listKeys(buckets.raw, `${localLineagePrefix}/`)) {
        const body = await store.getObject(buckets.raw, key);
        for (const line of Buffer.from(body ?? new Uint8Array()).toString("utf8").split("\n")) {
            if (line.trim() !== "") {
                events.push(JSON.parse(line) as RunEvent);
            }
        }
    }
    return events;
}

/** A dataset's node id: `<namespace>/<name>` as OpenLineage writes it. */
export function datasetId(dataset: DatasetRef): string {
    return `${dataset.namespace}/${dataset.name.replace(/^\//, "")}`;
}

export interface LineageGraph {
    /** Job names (`<namespace>/<name>`). */
    readonly jobs: readonly string[];
    readonly datasets: readonly string[];
    /** dataset → job (an input) and job → dataset (an output), de-duplicated. */
    readonly edges: readonly { readonly from: string; readonly to: string }[];
    readonly events: number;
}

/** The graph the events describe, every run of a job folded into one node. */
export function lineageGraph(events: readonly RunEvent[]): LineageGraph {
    const jobs = new Set<string>();
    const datasets = new Set<string>();
    const edges = new Map<string, { from: string; to: string }>();
    const edge = (from: string, to: string) => edges.set(`${from}\u0000${to}`, { from, to });
    for (const event of events) {
        const job = `${event.job.namespace}/${event.job.name}`;
        jobs.add(job);
        for (const input of event.inputs ?? []) {
            datasets.add(datasetId(input));
            edge(datasetId(input), job);
        }
        for (const output of event.outputs ?? []) {
            datasets.add(datasetId(output));
            edge(job, datasetId(output));
        }
    }
    return { jobs: [...jobs].sort(), datasets: [...datasets].sort(), edges: [...edges.values()].sort((a, b) => `${a.from} ${a.to}`.localeCompare(`${b.from} ${b.to}`)), events: events.length };
}

/** Nodes reachable from `start` along the edges' direction. */
export function downstreamOf(graph: LineageGraph, start: string): Set<string> {
    const next = new Map<string, string[]>();
    for (const { from, to } of graph.edges) {
        next.set(from, [...(next.get(from) ?? []), to]);
    }
    const seen = new Set<string>([start]);
    const queue = [start];
    while (queue.length > 0) {
        for (const node of next.get(queue.shift() as string) ?? []) {
            if (!seen.has(node)) {
                seen.add(node);
                queue.push(node);
            }
        }
    }
    return seen;
}

/** What kind of source a dataset is, by its OpenLineage namespace; undefined for the lake and the warehouse. */
export function sourceKind(datasetNode: string, landingBucket: string): "kafka" | "kinesis" | "api" | "file" | "database" | undefined {
    if (datasetNode.startsWith("kafka://")) return "kafka";
    if (/^arn:[^:]+:kinesis:/.test(datasetNode)) return "kinesis";
    if (/^https?:\/\//.test(datasetNode)) return "api";
    if (datasetNode.startsWith(`s3://${landingBucket}/`)) return "file";
    if (/^(postgres|mysql):\/\//.test(datasetNode)) return "database";
    return undefined;
}

export interface LineageConnectivity {
    /** Each source dataset and the warehouse tables it reaches. */
    readonly sources: readonly { readonly dataset: string; readonly kind: string; readonly reaches: readonly string[] }[];
    readonly warehouseTables: readonly string[];
    /** Warehouse tables no source reaches. */
    readonly unreachedTables: readonly string[];
    /** Sources that reach no warehouse table. */
    readonly strandedSources: readonly string[];
}

/** Which warehouse tables (`redshift://…`) each source reaches in the graph. */
export function lineageConnectivity(graph: LineageGraph, landingBucket: string): LineageConnectivity {
    const tables = graph.datasets.filter((dataset) => dataset.startsWith("redshift://"));
    const sources = graph.datasets
        .map((dataset) => ({ dataset, kind: sourceKind(dataset, landingBucket) }))
        .filter((source): source is { dataset: string; kind: NonNullable<ReturnType<typeof sourceKind>> } => source.kind !== undefined)
        .map((source) => {
            const reached = downstreamOf(graph, source.dataset);
            return { ...source, reaches: tables.filter((table) => reached.has(table)) };
        });
    const reachedTables = new Set(sources.flatMap((source) => source.reaches));
    return {
        sources,
        warehouseTables: tables,
        unreachedTables: tables.filter((table) => !reachedTables.has(table)),
        strandedSources: sources.filter((source) => source.reaches.length === 0).map((source) => source.dataset),
    };
}
