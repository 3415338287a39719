import { Environment } from "../common/env";
import { ObjectStore, createS3ObjectStore } from "../common/objectStore";
import { DatasetDefinition } from "../datasets/types";
import { defaultLineageNamespace, disabledLineageEmitter, functionLineage, LineageEmitter } from "../lineage";
import { IngestWriteError } from "./errors";
import { createIngestLineage } from "./lineage";
import { ingestEvent, IngestPipeline } from "./process";
import { readIngestSettings } from "./settings";
import { createPowertoolsTelemetry, IngestTelemetry } from "./telemetry";
import { BatchItemFailuresResponse, KinesisStreamEvent, MskEvent, SourceEngine } from "./types";
import { compileValidator } from "./validate";

/**
 * The ingest Lambda handler factories. Infra deploys them with `aws.lambda.CallbackFunction`:
 *
 *     new aws.lambda.CallbackFunction("ingest", {
 *         callbackFactory: createKinesisIngestHandler,        // or createKafkaIngestHandler
 *         runtime: aws.lambda.Runtime.NodeJS22dX,
 *         environment: { variables: { RAW_BUCKET, REJECTS_BUCKET, DATASET: "orders", ... } },
 *         role, ...
 *     });
 *
 * The factory runs once per cold start: it reads the settings from the environment, compiles the
 * validator and creates the S3 client and Powertools objects (the SDK and Powertools are
 * `require`d inside, so Pulumi's closure serialization never captures them). The returned handler
 * is a plain async function.
 */

export interface IngestHandlerOptions {
    readonly engine: SourceEngine;
    /** Datasets the DATASET variable is looked up in. Defaults to the platform's `datasets`. */
    readonly datasets?: readonly DatasetDefinition[];
    /** Environment to read settings from. Defaults to `process.env` when the factory runs. */
    readonly env?: Environment;
    /** Object store to write to. Defaults to S3 configured from the environment. */
    readonly store?: ObjectStore;
    /** Where logs and metrics go. Defaults to Powertools Logger and Metrics. */
    readonly telemetry?: IngestTelemetry;
    /**
     * Where lineage events go. Defaults to the lineage prefix named by LINEAGE_BUCKET (written with
     * the handler's store) and LINEAGE_HTTP_ENDPOINT; nothing when LINEAGE_BUCKET is unset.
     */
    readonly lineage?: LineageEmitter;
}

/** The MSK handler: resolves when every record is landed or rejected; throws so the batch is retried otherwise. */
export type KafkaIngestHandler = (event: MskEvent, context?: unknown) => Promise<BatchItemFailuresResponse>;
/** The Kinesis handler: reports records to retry in `batchItemFailures` (needs `ReportBatchItemFailures`). */
export type KinesisIngestHandler = (event: KinesisStreamEvent, context?: unknown) => Promise<BatchItemFailuresResponse>;

export function createIngestHandler(options: IngestHandlerOptions & { readonly engine: "kafka" }): KafkaIngestHandler;
export function createIngestHandler(options: IngestHandlerOptions & { readonly engine: "kinesis" }): KinesisIngestHandler;
export function createIngestHandler(options: IngestHandlerOptions): KafkaIngestHandler | KinesisIngestHandler;
/** Builds the ingest handler for one engine. See the module comment for how infra uses it. */
export function createIngestHandler(options: IngestHandlerOptions): KafkaIngestHandler | KinesisIngestHandler {
    const engine = options.engine;
    const settings = readIngestSettings(options.env ?? process.env, options.datasets);
    const store =
        options.store ??
        createS3ObjectStore({
            requestTimeoutMs: settings.s3.requestTimeoutMs,
            maxAttempts: settings.s3.maxAttempts,
            forcePathStyle: settings.s3.forcePathStyle,
            ...(settings.s3.endpoint ? { endpoint: settings.s3.endpoint } : {}),
            ...(settings.s3.sseKmsKeyArn ? { sseKmsKeyArn: settings.s3.sseKmsKeyArn } : {}),
        });
    const telemetry =
        options.telemetry ??
        createPowertoolsTelemetry({ namespace: settings.metricsNamespace, serviceName: settings.serviceName, dataset: settings.dataset.name, engine });
    // A given store (tests, local runs) holds the lineage prefix too; deployed, the lineage bucket gets its own S3 client and key.
    const emitting = functionLineage({
        env: options.env ?? process.env,
        ...(options.lineage ? { emitter: options.lineage } : {}),
        ...(options.store ? { store: options.store } : {}),
        ...(settings.s3.endpoint ? { s3Endpoint: settings.s3.endpoint } : {}),
        onFailure: (failure) => telemetry.lineageFailed?.(failure.transport, failure.message),
    });
    const lineage = createIngestLineage({
        emitter: emitting?.emitter ?? disabledLineageEmitter,
        namespace: emitting?.namespace ?? defaultLineageNamespace,
        engine,
        dataset: settings.dataset,
        rawBucket: settings.rawBucket,
        rejectsBucket: settings.rejectsBucket,
    });
    const pipeline: IngestPipeline = {
        validator: compileValidator(settings.dataset),
        targets: { store, rawBucket: settings.rawBucket, rejectsBucket: settings.rejectsBucket, concurrency: settings.writeConcurrency },
        maxRecordBytes: settings.maxRecordBytes,
    };

    return async (event: MskEvent | KinesisStreamEvent, context?: unknown): Promise<BatchItemFailuresResponse> => {
        const started = Date.now();
        telemetry.setContext(context);
        let settled;
        try {
            settled = await ingestEvent(engine, event, pipeline);
        } catch (error) {
            telemetry.batchErrored(error, Date.now() - started);
            await lineage.batchErrored(event, error);
            throw error;
        }
        telemetry.batchProcessed(settled.summary, Date.now() - started);
        await lineage.batchSettled(event, settled.summary);
        if (engine === "kafka" && settled.summary.counts.failed > 0) {
            const keys = settled.summary.failures.map((failure) => failure.key);
            throw new IngestWriteError(
                keys,
                `${settled.summary.counts.failed} of ${settled.summary.counts.in} records could not be written (${keys.length} objects: ${settled.summary.failures
                    .map((failure) => `${failure.key}: ${failure.error}`)
                    .join("; ")}); the batch will be retried and rewrites the same objects`,
            );
        }
        return { batchItemFailures: settled.batchItemFailures.map((itemIdentifier) => ({ itemIdentifier })) };
    };
}

/** Zero-argument factory for `CallbackFunction.callbackFactory` with an MSK event source mapping. */
export function createKafkaIngestHandler(): KafkaIngestHandler {
    return createIngestHandler({ engine: "kafka" });
}

/** Zero-argument factory for `CallbackFunction.callbackFactory` with a Kinesis event source mapping. */
export function createKinesisIngestHandler(): KinesisIngestHandler {
    return createIngestHandler({ engine: "kinesis" });
}
