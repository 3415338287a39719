import { Environment, getStringFromEnv } from "../common/env";
import { ConfigurationError } from "../common/errors";
import { createS3ObjectStore, ObjectStore } from "../common/objectStore";
import { addLambdaContext, createLogger, createMetrics, Logger, Metrics, metricUnits } from "../common/telemetry";
import { databaseDatasets, DatasetDefinition } from "../datasets";
import { ingestEnvironmentVariables, s3SettingsFromEnv } from "../ingest/settings";
import { fileRefOfEvent } from "../files/event";
import { CdcError } from "./errors";
import { DatasetRef, datasetNames, functionLineage, LineageEmitter } from "../lineage";
import { CdcLineageOptions, emitChangeFileLineage } from "./lineage";
import { landChangeFile, LandResult } from "./land";

/**
 * The change-file landing Lambda handler factory, deployed by infra/databases with
 * `aws.lambda.CallbackFunction` as the target of an EventBridge rule on S3 "Object Created"
 * events under the raw bucket's DMS folder. The factory runs once per cold start (settings,
 * table map, S3 client, Powertools); the handler lands the one change file the event names with
 * `landChangeFile`. Landing is idempotent (conditional creates of objects named after the file),
 * so EventBridge's redelivery and the asynchronous invocation's retries write nothing twice. It
 * throws when the file cannot be read as a change file or a store call fails: the event is
 * retried, then goes to the function's dead-letter queue. With LINEAGE_BUCKET set, each change file
 * is one OpenLineage run (runtime/cdc/lineage.ts): START and COMPLETE, or START and FAIL.
 */

/** The environment variables the landing function reads. infra/databases sets them. */
export const cdcLandingEnvironmentVariables = {
    /** Required. Bucket of the raw zone, where valid change records land (and where DMS writes its files). */
    rawBucket: ingestEnvironmentVariables.rawBucket,
    /** Required. Bucket of the rejects zone. */
    rejectsBucket: ingestEnvironmentVariables.rejectsBucket,
    /** Required. Folder DMS writes change files under (`_dms`); keys are `<folder>/<schema>/<table>/<file>.csv`. */
    dmsFolder: "CDC_DMS_FOLDER",
    /** Required. Captured tables, comma-separated `schema.table=dataset` or `schema.table=dataset:key1+key2`. */
    tables: "CDC_TABLES",
    /** Optional. The source database as `postgres://host:port/database` or `mysql://host:port/database`: the tables' lineage name. */
    source: "CDC_SOURCE",
    /** Optional. CloudWatch namespace of the metrics. Defaults to `DataPlatform/Cdc`. */
    metricsNamespace: ingestEnvironmentVariables.metricsNamespace,
    /** Optional. Powertools service name. Defaults to `cdc-landing`. */
    serviceName: ingestEnvironmentVariables.serviceName,
    s3RequestTimeoutMs: ingestEnvironmentVariables.s3RequestTimeoutMs,
    s3MaxAttempts: ingestEnvironmentVariables.s3MaxAttempts,
    s3SseKmsKeyArn: ingestEnvironmentVariables.s3SseKmsKeyArn,
    s3Endpoint: ingestEnvironmentVariables.s3Endpoint,
    s3ForcePathStyle: ingestEnvironmentVariables.s3ForcePathStyle,
} as const;

export const defaultCdcMetricsNamespace = "DataPlatform/Cdc";

/** Metric names, with the `table` dimension (`schema.table`). Alarms read `RowsRejected` over `RowsIn`. */
export const cdcMetricNames = {
    rowsIn: "RowsIn",
    rowsLanded: "RowsLanded",
    rowsRejected: "RowsRejected",
    filesLanded: "FilesLanded",
    undeclaredColumns: "UndeclaredColumns",
} as const;

/** One captured table: where DMS writes it and the dataset (with the key) its rows land as. */
export interface CapturedTable {
    readonly schema: string;
    readonly table: string;
    readonly dataset: DatasetDefinition;
}

export interface CdcLandingSettings {
    readonly rawBucket: string;
    readonly rejectsBucket: string;
    readonly dmsFolder: string;
    readonly tables: readonly CapturedTable[];
    readonly metricsNamespace: string;
    readonly serviceName: string;
    readonly s3: { readonly requestTimeoutMs: number; readonly maxAttempts: number; readonly sseKmsKeyArn?: string; readonly endpoint?: string; readonly forcePathStyle: boolean };
    /** The source database, for the lineage name of its tables (`CDC_SOURCE`). */
    readonly source?: CdcSource;
}

export interface CdcSource {
    readonly kind: "postgres" | "mysql";
    readonly host: string;
    readonly port: number;
    readonly database: string;
}

/** `postgres://host:port/database` (or mysql://): the `CDC_SOURCE` value infra/databases writes. */
export function formatCdcSource(source: CdcSource): string {
    return `${source.kind}://${source.host}:${source.port}/${source.database}`;
}

/** Parses `CDC_SOURCE`; an error names the variable, what was expected, what was found and the fix. */
export function parseCdcSource(text: string, setting: string): CdcSource {
    const match = /^(postgres|mysql):\/\/([^/:]+):([0-9]{1,5})\/([^/]+)$/.exec(text.trim());
    if (!match) {
        throw new ConfigurationError(setting, `${setting} must be postgres://host:port/database or mysql://host:port/database, found '${text}'; set it to, for example, ${setting}=postgres://shop.example.internal:5432/shop`);
    }
    return { kind: match[1] as CdcSource["kind"], host: match[2] as string, port: Number(match[3]), database: match[4] as string };
}

/** A captured table as an OpenLineage dataset of its source database. */
export function sourceTableDataset(source: CdcSource): (table: Pick<CapturedTable, "schema" | "table">) => DatasetRef {
    return (table) => datasetNames.database(source.kind, source.host, source.port, source.database, table.schema, table.table);
}

const tablePattern = /^([a-z_][a-z0-9_$]*)\.([a-z_][a-z0-9_$]*)=([a-z][a-z0-9_]*)(?::([a-z_][a-z0-9_]*(?:\+[a-z_][a-z0-9_]*)*))?$/;

/** The `CDC_TABLES` value for a list of mappings (what infra/databases writes). */
export function formatCapturedTables(tables: readonly { readonly schema: string; readonly table: string; readonly dataset: string; readonly key?: readonly string[] }[]): string {
    return tables.map((t) => `${t.schema}.${t.table}=${t.dataset}${t.key && t.key.length > 0 ? `:${t.key.join("+")}` : ""}`).join(",");
}

/** Parses `CDC_TABLES`; a table's declared key replaces the dataset's key. Errors name the entry, what was expected and the fix. */
export function parseCapturedTables(text: string, setting: string, available: readonly DatasetDefinition[] = databaseDatasets): CapturedTable[] {
    const entries = text.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "");
    if (entries.length === 0) {
        throw new ConfigurationError(setting, `${setting} must list at least one captured table as schema.table=dataset, found '${text}'; set it to, for example, ${setting}=public.customers=customers`);
    }
    return entries.map((entry) => {
        const match = tablePattern.exec(entry);
        if (!match) {
            throw new ConfigurationError(setting, `${setting} entry '${entry}' must be schema.table=dataset or schema.table=dataset:key1+key2; fix the entry, for example public.customers=customers`);
        }
        const [, schema, table, datasetName, declaredKey] = match as unknown as [string, string, string, string, string | undefined];
        const dataset = available.find((d) => d.name === datasetName);
        if (!dataset) {
            throw new ConfigurationError(setting, `${setting} entry '${entry}' names dataset '${datasetName}', which is not a database dataset; expected one of ${available.map((d) => d.name).join(", ") || "none"}; map the table to one of them`);
        }
        if (!declaredKey) {
            return { schema, table, dataset };
        }
        const key = declaredKey.split("+");
        const unknown = key.filter((column) => !dataset.fields.some((field) => field.name === column));
        if (unknown.length > 0) {
            throw new ConfigurationError(setting, `${setting} entry '${entry}' keys on column(s) ${unknown.join(", ")} that dataset '${datasetName}' does not declare; expected columns among ${dataset.fields.map((f) => f.name).join(", ")}`);
        }
        return { schema, table, dataset: { ...dataset, key } };
    });
}

/** Reads and checks the settings; a `ConfigurationError` names the variable, expected, found and fix. */
export function readCdcLandingSettings(env: Environment, available?: readonly DatasetDefinition[]): CdcLandingSettings {
    const names = cdcLandingEnvironmentVariables;
    const dmsFolder = getStringFromEnv({ key: names.dmsFolder, env, purpose: "the folder DMS writes change files under" }).replace(/\/+$/, "");
    return {
        rawBucket: getStringFromEnv({ key: names.rawBucket, env, purpose: "the raw-zone bucket" }),
        rejectsBucket: getStringFromEnv({ key: names.rejectsBucket, env, purpose: "the rejects-zone bucket" }),
        dmsFolder,
        tables: parseCapturedTables(getStringFromEnv({ key: names.tables, env, purpose: "the captured tables" }), names.tables, available),
        metricsNamespace: getStringFromEnv({ key: names.metricsNamespace, env, defaultValue: defaultCdcMetricsNamespace }),
        serviceName: getStringFromEnv({ key: names.serviceName, env, defaultValue: "cdc-landing" }),
        s3: s3SettingsFromEnv(env, 30_000),
        ...(env[names.source] ? { source: parseCdcSource(env[names.source] as string, names.source) } : {}),
    };
}

/**
 * The captured table a change-file key belongs to: `<folder>/<schema>/<table>/<file>.csv`. Throws
 * `CdcError` for a key outside the folder, of another shape, or of a table not captured.
 */
export function tableOfChangeFile(key: string, settings: Pick<CdcLandingSettings, "dmsFolder" | "tables">): CapturedTable {
    const parts = key.split("/");
    const [folder, schema, table, file] = parts;
    if (parts.length !== 4 || folder !== settings.dmsFolder || !schema || !table || !file?.endsWith(".csv")) {
        throw new CdcError(`object key '${key}' is not ${settings.dmsFolder}/<schema>/<table>/<file>.csv as DMS writes change files; the rule must match the prefix ${settings.dmsFolder}/ and the suffix .csv`);
    }
    const found = settings.tables.find((t) => t.schema === schema && t.table === table);
    if (!found) {
        throw new CdcError(
            `change file '${key}' is of table ${schema}.${table}, which is not captured (captured: ${settings.tables.map((t) => `${t.schema}.${t.table}`).join(", ")}); add it to dbSourceTables or remove it from the replication's table mappings`,
        );
    }
    return found;
}

/** What one invocation did, returned to the caller (and logged). */
export interface ChangeFileOutcome {
    readonly bucket: string;
    readonly key: string;
    readonly table: string;
    readonly dataset: string;
    readonly rowsIn: number;
    readonly rowsLanded: number;
    readonly rowsRejected: number;
    readonly undeclaredColumns: readonly string[];
    /** Objects written by this invocation; a redelivery writes none (all `present`). */
    readonly objectsWritten: number;
    readonly objectsPresent: number;
}

export interface CdcLandingHandlerOptions {
    readonly env?: Environment;
    readonly datasets?: readonly DatasetDefinition[];
    readonly store?: ObjectStore;
    readonly logger?: Logger;
    readonly metrics?: Metrics;
    /** Where lineage events go. Defaults to the LINEAGE_* variables (written with `store` when given); none when LINEAGE_BUCKET is unset. */
    readonly lineage?: LineageEmitter;
}

export type CdcLandingHandler = (event: unknown, context?: unknown) => Promise<ChangeFileOutcome>;

export function createCdcLandingHandler(options: CdcLandingHandlerOptions = {}): CdcLandingHandler {
    const settings = readCdcLandingSettings(options.env ?? process.env, options.datasets);
    const s3 = settings.s3;
    const store =
        options.store ??
        createS3ObjectStore({
            maxAttempts: s3.maxAttempts,
            forcePathStyle: s3.forcePathStyle,
            requestTimeoutMs: s3.requestTimeoutMs,
            ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
            ...(s3.sseKmsKeyArn ? { sseKmsKeyArn: s3.sseKmsKeyArn } : {}),
        });
    const logger = options.logger ?? createLogger({ serviceName: settings.serviceName });
    const metrics = options.metrics ?? createMetrics({ namespace: settings.metricsNamespace, serviceName: settings.serviceName, logger });
    const targets = { store, rawBucket: settings.rawBucket, rejectsBucket: settings.rejectsBucket };
    // The change files' S3 endpoint serves the lineage writes too (moto locally).
    const emitting = functionLineage({
        env: options.env ?? process.env,
        ...(options.lineage ? { emitter: options.lineage } : {}),
        ...(options.store ? { store: options.store } : {}),
        ...(s3.endpoint ? { s3Endpoint: s3.endpoint } : {}),
        // The landing is unaffected; the metric counts what was not delivered.
        onFailure: (failure) => {
            logger.warn("lineage events could not be delivered; the change file is unaffected", { transport: failure.transport, error: failure.message });
            metrics.addMetric("LineageEmitFailures", metricUnits.count, 1);
        },
    });
    const lineage: CdcLineageOptions | undefined = emitting
        ? { ...emitting, rawBucket: settings.rawBucket, rejectsBucket: settings.rejectsBucket, ...(settings.source ? { sourceTable: sourceTableDataset(settings.source) } : {}) }
        : undefined;

    return async (event: unknown, context?: unknown): Promise<ChangeFileOutcome> => {
        addLambdaContext(logger, context);
        const ref = fileRefOfEvent(event);
        if (ref.bucket !== settings.rawBucket) {
            throw new CdcError(`event names bucket '${ref.bucket}', but DMS writes change files to the raw bucket '${settings.rawBucket}'; the rule must match the raw bucket only`);
        }
        const captured = tableOfChangeFile(ref.key, settings);
        const table = `${captured.schema}.${captured.table}`;
        const started = Date.now();
        let result: LandResult;
        try {
            result = await landChangeFile(captured.dataset, ref.bucket, ref.key, targets);
        } catch (error) {
            logger.error("change file landing failed; the event will be retried and rewrites the same objects", { bucket: ref.bucket, key: ref.key, table, error: error as Error });
            if (lineage) {
                await emitChangeFileLineage(lineage, ref, captured, { error });
            }
            throw error;
        }
        if (lineage) {
            await emitChangeFileLineage(lineage, ref, captured, { counts: { rowsIn: result.rowsIn, rowsLanded: result.landed, rowsRejected: result.rejected } });
        }
        const outcome: ChangeFileOutcome = {
            bucket: ref.bucket,
            key: ref.key,
            table,
            dataset: captured.dataset.name,
            rowsIn: result.rowsIn,
            rowsLanded: result.landed,
            rowsRejected: result.rejected,
            undeclaredColumns: result.undeclaredColumns,
            objectsWritten: result.objects.filter((o) => o.status === "written" || o.status === "conflict").length,
            objectsPresent: result.objects.filter((o) => o.status === "present").length,
        };
        const fields = { ...outcome, durationMs: Date.now() - started };
        if (result.undeclaredColumns.length > 0) {
            logger.warn("change file has source columns the dataset does not declare; they were left out", fields);
        } else {
            logger.info("change file landed", fields);
        }
        metrics.addDimensions({ table });
        metrics.addMetric(cdcMetricNames.rowsIn, metricUnits.count, result.rowsIn);
        metrics.addMetric(cdcMetricNames.rowsLanded, metricUnits.count, result.landed);
        metrics.addMetric(cdcMetricNames.rowsRejected, metricUnits.count, result.rejected);
        metrics.addMetric(cdcMetricNames.filesLanded, metricUnits.count, 1);
        metrics.addMetric(cdcMetricNames.undeclaredColumns, metricUnits.count, result.undeclaredColumns.length);
        metrics.publishStoredMetrics();
        return outcome;
    };
}

/** Zero-argument factory for `CallbackFunction.callbackFactory`. */
export function createChangeFileLandingHandler(): CdcLandingHandler {
    return createCdcLandingHandler();
}
