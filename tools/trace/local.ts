import { gunzipSync } from "zlib";
import type { Pool } from "pg";
import type { S3Client } from "@aws-sdk/client-s3";
import { createHttp1RequestHandler } from "../../runtime/common/http";
import { DatasetDefinition, provenanceColumns } from "../../runtime/datasets";
import { ledgerTable } from "../../runtime/warehouse/ddl";
import { qualifiedName, quoteIdentifier } from "../../runtime/warehouse/sql";
import { getObjectBytes, LakeBuckets, lakeS3Client, listObjects, localBuckets } from "../../runtime/local/lake";
import { isReachable, LocalSettings, serviceAddress, unreachableMessage } from "../../runtime/local/settings";
import { localWarehouseSchema } from "../../runtime/local/warehouseStage";
import { describeKey, KeyValue } from "./keys";
import { apiWindow, findRawRecord, Provenance, provenanceDifferences, provenanceOf, recordKey, sourceDifferences, TraceHop } from "./hops";

/**
 * Follows one row on the local platform (after `npm run local`): the warehouse row in PostgreSQL,
 * the load that wrote it (ledger), the curated Parquet row in the curated bucket, the raw record in
 * the raw object, and the record at its source coordinates (re-read from the Kafka topic, the
 * Kinesis stream or the dropped file where the source still holds it).
 */

/** The trace cannot go on: a service is down, a table is missing, the row is not there. */
export class TraceError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "TraceError";
    }
}

export interface LocalTraceDeps {
    readonly settings: LocalSettings;
    readonly pool: Pool;
    readonly s3: S3Client;
    readonly buckets?: LakeBuckets;
    readonly schema?: string;
}

/** Opens PostgreSQL and moto clients after checking that both answer (the message says how to start them). */
export async function openLocalTrace(settings: LocalSettings): Promise<LocalTraceDeps> {
    for (const service of ["postgres", "moto"] as const) {
        if (!(await isReachable(serviceAddress(settings, service)))) {
            throw new TraceError(`${unreachableMessage(settings, service)}; the trace reads the platform that \`npm run local\` built there`);
        }
    }
    const pg = require("pg") as typeof import("pg");
    return { settings, pool: new pg.Pool({ connectionString: settings.postgresUrl, max: 2 }), s3: lakeS3Client(settings) };
}

/** The hops of one row, warehouse first. Throws `TraceError` when a hop cannot be found. */
export async function traceLocal(deps: LocalTraceDeps, dataset: DatasetDefinition, key: readonly KeyValue[]): Promise<TraceHop[]> {
    const buckets = deps.buckets ?? localBuckets;
    const schema = deps.schema ?? localWarehouseSchema;
    const hops: TraceHop[] = [];

    const warehouseRow = await findWarehouseRow(deps.pool, schema, dataset, key);
    const provenance = provenanceOf(warehouseRow);
    const loadId = warehouseRow[provenanceColumns.loadId] as string | null;
    hops.push({
        hop: "warehouse",
        where: `${schema}.${dataset.name} (PostgreSQL, standing in for Redshift)`,
        summary: `row ${describeKey(key)} was written by load ${loadId ?? "(none)"}`,
        details: { [provenanceColumns.loadId]: loadId, ...provenance },
    });

    // The load: the ledger's files of that batch (CDC syncs read the whole curated table, which has no ledger).
    let curatedKeys: string[];
    if (dataset.source === "database") {
        curatedKeys = (await listObjects(deps.s3, buckets.curated, `${dataset.name}/`)).map((object) => object.key).filter((name) => name.endsWith(".parquet"));
        hops.push({ hop: "load", where: `sync ${loadId ?? "(none)"}`, summary: `a change-data-capture sync: the table is made equal to the ${curatedKeys.length} curated file(s) of ${dataset.name}`, details: { files: curatedKeys } });
    } else {
        const ledger = await deps.pool.query(`SELECT "file_uri", "etag", "loaded_at" FROM ${qualifiedName(schema, ledgerTable)} WHERE "batch_id" = $1 ORDER BY "file_uri"`, [loadId]);
        if (ledger.rowCount === 0) {
            throw new TraceError(`the load ledger ${schema}.${ledgerTable} has no files for load '${loadId}' of row ${describeKey(key)}; the warehouse and the ledger disagree: rerun \`npm run local\``);
        }
        const files = ledger.rows.map((row) => String(row.file_uri));
        curatedKeys = files.map((uri) => uri.replace(`s3://${buckets.curated}/`, ""));
        hops.push({ hop: "load", where: `${schema}.${ledgerTable}`, summary: `load ${loadId} read ${files.length} curated file(s) at ${new Date(ledger.rows[0].loaded_at as string).toISOString()}`, details: { files } });
    }

    const curated = await findCuratedRow(deps.s3, buckets.curated, curatedKeys, provenance);
    if (!curated) {
        throw new TraceError(`no row of the curated file(s) ${curatedKeys.join(", ")} carries the provenance of warehouse row ${describeKey(key)} (${provenance[provenanceColumns.rawObject]} at ${provenance[provenanceColumns.position]}); the curated table changed since the load: rerun \`npm run local\``);
    }
    hops.push({ hop: "curated", where: `s3://${buckets.curated}/${curated.key}`, summary: `the curated row with the same key and provenance (row ${curated.index + 1} of the file)`, details: { [provenanceColumns.rawObject]: provenance[provenanceColumns.rawObject] } });

    const rawKey = provenance[provenanceColumns.rawObject];
    if (!rawKey) {
        throw new TraceError(`row ${describeKey(key)} carries no ${provenanceColumns.rawObject}; it was loaded before provenance existed: rerun \`npm run local\` on a fresh lake`);
    }
    const rawBytes = await getObjectBytes(deps.s3, buckets.raw, rawKey).catch((error: unknown) => {
        throw new TraceError(`the raw object s3://${buckets.raw}/${rawKey} cannot be read (${error instanceof Error ? error.message : String(error)}); the raw zone lost it or moto was restarted: rerun \`npm run local\``);
    });
    const raw = findRawRecord(dataset, rawBytes, provenance);
    if (!raw) {
        throw new TraceError(`no record of s3://${buckets.raw}/${rawKey} is at partition ${provenance[provenanceColumns.partition]}, position ${provenance[provenanceColumns.position]}; the raw object was rewritten: rerun \`npm run local\``);
    }
    const rawKeyText = recordKey(dataset, raw.record);
    hops.push({ hop: "raw", where: `s3://${buckets.raw}/${rawKey} line ${raw.line}`, summary: `the landed record (key ${rawKeyText})`, details: { record: raw.record } });

    hops.push(await sourceHop(deps, dataset, provenance, raw.record));
    return hops;
}

async function findWarehouseRow(pool: Pool, schema: string, dataset: DatasetDefinition, key: readonly KeyValue[]): Promise<Record<string, unknown>> {
    const table = qualifiedName(schema, dataset.name);
    const condition = key.map((part, index) => `${quoteIdentifier(part.column)} = $${index + 1}`).join(" AND ");
    let rows: Record<string, unknown>[];
    try {
        rows = (await pool.query(`SELECT * FROM ${table} WHERE ${condition}`, key.map((part) => part.value))).rows as Record<string, unknown>[];
    } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === "42P01") {
            throw new TraceError(`the local warehouse has no table ${schema}.${dataset.name}; run \`npm run local\` first`);
        }
        if (code === "22P02" || code === "22007" || code === "22008") {
            throw new TraceError(`--key ${describeKey(key)} does not fit the key column types of ${dataset.name} (${(error as Error).message})`);
        }
        throw error;
    }
    if (rows.length === 0) {
        const sample = await pool.query(`SELECT ${dataset.key.map(quoteIdentifier).join(", ")} FROM ${table} ORDER BY 1 LIMIT 3`);
        const examples = sample.rows.map((row: Record<string, unknown>) => recordKey(dataset, row)).join("; ");
        throw new TraceError(`no ${dataset.name} row has key ${describeKey(key)} in ${schema}.${dataset.name}${examples ? `; for example: ${examples}` : " (the table is empty: run `npm run local`)"}`);
    }
    return rows[0] as Record<string, unknown>;
}

async function findCuratedRow(s3: S3Client, bucket: string, keys: readonly string[], provenance: Provenance): Promise<{ key: string; index: number } | null> {
    const hyparquet = require("hyparquet") as typeof import("hyparquet");
    for (const key of keys) {
        const bytes = await getObjectBytes(s3, bucket, key);
        const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
        const rows = (await hyparquet.parquetReadObjects({ file: buffer })) as Record<string, unknown>[];
        const index = rows.findIndex((row) => provenanceDifferences(provenanceOf(row), provenance).length === 0);
        if (index >= 0) {
            return { key, index };
        }
    }
    return null;
}

/** The last hop: the coordinates, and the record re-read from the source where it still holds it. */
async function sourceHop(deps: LocalTraceDeps, dataset: DatasetDefinition, provenance: Provenance, raw: Readonly<Record<string, unknown>>): Promise<TraceHop> {
    const engine = provenance[provenanceColumns.engine];
    const name = provenance[provenanceColumns.name];
    const partition = provenance[provenanceColumns.partition];
    const position = provenance[provenanceColumns.position];
    const coordinates = Object.fromEntries(Object.entries(provenance).filter(([column, value]) => column !== provenanceColumns.rawObject && value !== null));
    const verdict = (sent: unknown): Record<string, unknown> => {
        const differences = sourceDifferences(dataset, sent, raw);
        return { sent, matchesRaw: differences.length === 0, ...(differences.length > 0 ? { differences } : {}) };
    };
    switch (engine) {
        case "kafka": {
            const sent = await readKafkaRecord(deps.settings, name as string, Number(partition), position as string);
            return { hop: "source", where: `Kafka topic ${name}, partition ${partition}, offset ${position}`, summary: "the record as the broker holds it, normalised by the dataset's validator, equals the raw record", details: { ...coordinates, ...verdict(sent) } };
        }
        case "kinesis": {
            const sent = await readKinesisRecord(deps.settings, name as string, partition as string, position as string);
            return { hop: "source", where: `Kinesis stream ${name}, shard ${partition}, sequence number ${position}`, summary: "the record as the stream holds it, normalised by the dataset's validator, equals the raw record", details: { ...coordinates, ...verdict(sent) } };
        }
        case "file": {
            const line = await readFileLine(deps.s3, provenance);
            return { hop: "source", where: `${provenance[provenanceColumns.object]} (version ${provenance[provenanceColumns.objectVersion] ?? "none"}), line ${provenance[provenanceColumns.line]}`, summary: "the line of the dropped file the row came from", details: { ...coordinates, line } };
        }
        case "api": {
            const window = apiWindow(partition ?? "");
            return { hop: "source", where: `API source ${name}, window ${window ? `${window.start} to ${window.end}` : partition}, record ${position} of the window`, summary: "an HTTP API is not re-read: the window and the record's index in it are the coordinates", details: { ...coordinates, ...(window ? { windowStart: window.start, windowEnd: window.end } : {}) } };
        }
        default:
            return { hop: "source", where: `source table ${name}, commit position ${partition}, change ${position}`, summary: `a database change (${engine}): change file ${provenance[provenanceColumns.object]} line ${provenance[provenanceColumns.line]}`, details: { ...coordinates, operation: raw.cdc_op, committedAt: raw.cdc_commit_ts } };
    }
}

async function readKafkaRecord(settings: LocalSettings, topic: string, partition: number, offset: string): Promise<unknown> {
    if (!(await isReachable(serviceAddress(settings, "kafka")))) {
        throw new TraceError(`${unreachableMessage(settings, "kafka")}; it holds topic ${topic}, where the row's record is`);
    }
    const kafkajs = require("kafkajs") as typeof import("kafkajs");
    const kafka = new kafkajs.Kafka({ clientId: "trace", brokers: [...settings.kafkaBrokers], logLevel: kafkajs.logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `trace-${process.pid}-${Date.now()}`, allowAutoTopicCreation: false });
    await consumer.connect();
    try {
        await consumer.subscribe({ topics: [topic], fromBeginning: false });
        const value = await new Promise<string>((resolve, reject) => {
            const timer = setTimeout(() => reject(new TraceError(`Kafka topic ${topic} gave no record at partition ${partition}, offset ${offset} within 30 s; the topic was recreated or its retention removed the record`)), 30_000);
            consumer
                .run({
                    eachMessage: async ({ partition: got, message }) => {
                        if (got === partition && message.offset === offset) {
                            clearTimeout(timer);
                            resolve(message.value?.toString("utf8") ?? "null");
                        }
                    },
                })
                .then(() => consumer.seek({ topic, partition, offset }))
                .catch((error: unknown) => {
                    clearTimeout(timer);
                    reject(error);
                });
        });
        return JSON.parse(value) as unknown;
    } finally {
        await consumer.disconnect().catch(() => undefined);
    }
}

async function readKinesisRecord(settings: LocalSettings, stream: string, shard: string, sequence: string): Promise<unknown> {
    const kinesis = require("@aws-sdk/client-kinesis") as typeof import("@aws-sdk/client-kinesis");
    // HTTP/1.1, as every local Kinesis client: moto does not speak the SDK's HTTP/2.
    const client = new kinesis.KinesisClient({ region: settings.region, endpoint: settings.motoEndpoint, credentials: settings.credentials, requestHandler: createHttp1RequestHandler() as never });
    try {
        const iterator = await client.send(new kinesis.GetShardIteratorCommand({ StreamName: stream, ShardId: shard, ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: sequence }));
        const records = await client.send(new kinesis.GetRecordsCommand({ ShardIterator: iterator.ShardIterator, Limit: 1 }));
        const record = records.Records?.[0];
        if (!record || record.SequenceNumber !== sequence) {
            throw new TraceError(`Kinesis stream ${stream} shard ${shard} holds no record with sequence number ${sequence}; the stream was recreated or its retention removed the record`);
        }
        return JSON.parse(Buffer.from(record.Data ?? new Uint8Array()).toString("utf8")) as unknown;
    } finally {
        client.destroy();
    }
}

async function readFileLine(s3: S3Client, provenance: Provenance): Promise<string> {
    const uri = provenance[provenanceColumns.object] ?? "";
    const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
    const lineNumber = Number(provenance[provenanceColumns.line]);
    if (!match || !Number.isInteger(lineNumber) || lineNumber < 1) {
        throw new TraceError(`the row's source file '${uri}' line '${provenance[provenanceColumns.line]}' are not an s3:// URI and a line number`);
    }
    const api = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    const version = provenance[provenanceColumns.objectVersion];
    const object = await s3.send(new api.GetObjectCommand({ Bucket: match[1], Key: match[2], ...(version ? { VersionId: version } : {}) }));
    const body = Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    const text: Buffer = body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body;
    const line = text.toString("utf8").split(/\r?\n/)[lineNumber - 1];
    if (line === undefined) {
        throw new TraceError(`${uri} has fewer than ${lineNumber} lines; the file was replaced since it was ingested`);
    }
    return line;
}
