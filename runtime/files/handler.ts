import { Environment } from "../common/env";
import { createS3ObjectStore, ObjectStore } from "../common/objectStore";
import { addLambdaContext, createLogger, createMetrics, Logger, Metrics, metricUnits } from "../common/telemetry";
import { DatasetDefinition } from "../datasets/types";
import { compileValidator } from "../ingest/validate";
import { functionLineage, LineageEmitter } from "../lineage";
import { fileRefOfEvent } from "./event";
import { emitFileLineage, FileLineageOptions } from "./lineage";
import { createBatchSubmitter, submitJobInput } from "./handoff";
import { FileIngestContext, ingestFile } from "./ingest";
import { fileIdOf } from "./layout";
import { readFileIngestSettings } from "./settings";
import { createS3FileStore, FileStore } from "./store";
import { FileOutcome } from "./types";

/**
 * The file-ingest Lambda handler factory, deployed with `aws.lambda.CallbackFunction` as the target
 * of the drop's EventBridge rule. The factory runs once per cold start (settings, validator, S3
 * and Batch clients, Powertools); the handler ingests the one file version the event names. It
 * throws only when a store or Batch call fails: EventBridge's asynchronous invocation retries the
 * event, and after the retries the event goes to the function's dead-letter queue.
 */

/** Metric names, with the `drop` dimension. Alarms read `FilesQuarantined`. */
export const fileMetricNames = {
    rowsIn: "RowsIn",
    rowsLanded: "RowsLanded",
    rowsRejected: "RowsRejected",
    filesLanded: "FilesLanded",
    filesQuarantined: "FilesQuarantined",
    filesHandedOff: "FilesHandedOff",
    filesDuplicate: "FilesDuplicate",
} as const;

export interface FileIngestHandlerOptions {
    readonly env?: Environment;
    readonly datasets?: readonly DatasetDefinition[];
    readonly store?: ObjectStore;
    readonly files?: FileStore;
    /** Replaces the Batch client (tests). */
    readonly submit?: (input: ReturnType<typeof submitJobInput>) => Promise<string>;
    readonly logger?: Logger;
    readonly metrics?: Metrics;
    /** Where lineage events go. Defaults to the LINEAGE_* variables (written with `store` when given); none when LINEAGE_BUCKET is unset. */
    readonly lineage?: LineageEmitter;
}

export type FileIngestHandler = (event: unknown, context?: unknown) => Promise<FileOutcome>;

export function createFileIngestHandler(options: FileIngestHandlerOptions = {}): FileIngestHandler {
    const settings = readFileIngestSettings(options.env ?? process.env, options.datasets);
    const s3 = settings.s3;
    const connection = { maxAttempts: s3.maxAttempts, forcePathStyle: s3.forcePathStyle, ...(s3.endpoint ? { endpoint: s3.endpoint } : {}), ...(s3.sseKmsKeyArn ? { sseKmsKeyArn: s3.sseKmsKeyArn } : {}) };
    const store = options.store ?? createS3ObjectStore({ ...connection, requestTimeoutMs: s3.requestTimeoutMs });
    const files = options.files ?? createS3FileStore({ ...connection, requestTimeoutMs: s3.requestTimeoutMs });
    const batch = settings.batch;
    const submit = batch ? (options.submit ?? createBatchSubmitter(batch.endpoint ? { endpoint: batch.endpoint } : {})) : undefined;
    const logger = options.logger ?? createLogger({ serviceName: settings.serviceName, persistentKeys: { drop: settings.drop.name, dataset: settings.drop.dataset.name } });
    const metrics = options.metrics ?? createMetrics({ namespace: settings.metricsNamespace, serviceName: settings.serviceName, dimensions: { drop: settings.drop.name }, logger });
    const emitting = functionLineage({
        env: options.env ?? process.env,
        ...(options.lineage ? { emitter: options.lineage } : {}),
        ...(options.store ? { store: options.store } : {}),
        ...(s3.endpoint ? { s3Endpoint: s3.endpoint } : {}),
        onFailure: (failure) => {
            logger.warn("lineage events could not be delivered; the file is unaffected", { transport: failure.transport, error: failure.message });
            metrics.addMetric("LineageEmitFailures", metricUnits.count, 1);
        },
    });
    const lineage: FileLineageOptions | undefined = emitting ? { ...emitting, drop: settings.drop, rawBucket: settings.rawBucket, rejectsBucket: settings.rejectsBucket } : undefined;
    const prefixes = { manifestPrefix: settings.manifestPrefix, quarantinePrefix: settings.quarantinePrefix };
    const ctx: FileIngestContext = {
        files,
        store,
        rawBucket: settings.rawBucket,
        rejectsBucket: settings.rejectsBucket,
        ...prefixes,
        validator: compileValidator(settings.drop.dataset),
        ...(settings.maxFileBytes !== undefined && batch && submit
            ? { maxFileBytes: settings.maxFileBytes, handOff: (ref, drop, info) => submit(submitJobInput(ref, drop, fileIdOf(ref, info.etag), batch, prefixes)) }
            : {}),
    };

    return async (event: unknown, context?: unknown): Promise<FileOutcome> => {
        addLambdaContext(logger, context);
        const ref = fileRefOfEvent(event);
        const started = Date.now();
        let outcome: FileOutcome;
        try {
            outcome = await ingestFile(ref, settings.drop, ctx);
        } catch (error) {
            logger.error("file ingest failed; the event will be retried and rewrites the same objects", { bucket: ref.bucket, key: ref.key, versionId: ref.versionId, error: error as Error });
            if (lineage) {
                await emitFileLineage(lineage, ref, { error });
            }
            throw error;
        }
        if (lineage) {
            await emitFileLineage(lineage, ref, { outcome });
        }
        const { objects, ...summary } = outcome;
        const fields = { bucket: ref.bucket, key: ref.key, versionId: ref.versionId ?? null, durationMs: Date.now() - started, objectCount: objects.length, ...summary };
        if (outcome.status === "quarantined") {
            logger.warn("file quarantined", fields);
        } else {
            logger.info(`file ${outcome.status}`, fields);
        }
        metrics.addMetric(fileMetricNames.rowsIn, metricUnits.count, outcome.status === "landed" ? outcome.rowsIn : 0);
        metrics.addMetric(fileMetricNames.rowsLanded, metricUnits.count, outcome.status === "landed" ? outcome.rowsLanded : 0);
        metrics.addMetric(fileMetricNames.rowsRejected, metricUnits.count, outcome.status === "landed" ? outcome.rowsRejected : 0);
        metrics.addMetric(fileMetricNames.filesLanded, metricUnits.count, outcome.status === "landed" ? 1 : 0);
        metrics.addMetric(fileMetricNames.filesQuarantined, metricUnits.count, outcome.status === "quarantined" ? 1 : 0);
        metrics.addMetric(fileMetricNames.filesHandedOff, metricUnits.count, outcome.status === "handed_off" ? 1 : 0);
        metrics.addMetric(fileMetricNames.filesDuplicate, metricUnits.count, outcome.status === "duplicate" ? 1 : 0);
        metrics.publishStoredMetrics();
        return outcome;
    };
}

/** Zero-argument factory for `CallbackFunction.callbackFactory`. */
export function createFileDropHandler(): FileIngestHandler {
    return createFileIngestHandler();
}
