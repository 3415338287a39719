import { Environment, getIntegerFromEnv, getOptionalStringFromEnv, getBooleanFromEnv, getStringFromEnv } from "../common/env";
import { ConfigurationError } from "../common/errors";
import { checkDatasetDefinition, DatasetDefinitionError, datasets as platformDatasets } from "../datasets";
import { DatasetDefinition } from "../datasets/types";
import { defaultMetricsNamespace } from "./telemetry";

/** The environment variables the ingest function reads. Infra sets these on the Lambda function. */
export const ingestEnvironmentVariables = {
    /** Required. Bucket of the raw zone. */
    rawBucket: "RAW_BUCKET",
    /**
     * Required. Bucket of the rejects zone. It may be the raw bucket (reject keys start with
     * `<dataset>/error_type=`, so they never collide with raw keys), but a separate bucket keeps
     * access to rejected payloads apart.
     */
    rejectsBucket: "REJECTS_BUCKET",
    /** Required. Name of the dataset the stream carries (see runtime/datasets). */
    dataset: "DATASET",
    /** Optional. CloudWatch namespace of the EMF metrics. Defaults to `DataPlatform/Ingest`. */
    metricsNamespace: "METRICS_NAMESPACE",
    /** Optional. Powertools service name (log `service` and metric dimension). Defaults to `ingest`. */
    serviceName: "POWERTOOLS_SERVICE_NAME",
    /** Optional. Largest accepted payload in bytes; larger ones are rejected as `oversized`. Defaults to 1,048,576. */
    maxRecordBytes: "MAX_RECORD_BYTES",
    /** Optional. Objects written in parallel per batch. Defaults to 16. */
    writeConcurrency: "WRITE_CONCURRENCY",
    /** Optional. Time limit of one S3 HTTP attempt in milliseconds. Defaults to 10,000. */
    s3RequestTimeoutMs: "S3_REQUEST_TIMEOUT_MS",
    /** Optional. Attempts per S3 request including the first. Defaults to 3. */
    s3MaxAttempts: "S3_MAX_ATTEMPTS",
    /** Optional. KMS key ARN to request SSE-KMS with on every write. Defaults to the bucket's default encryption. */
    s3SseKmsKeyArn: "S3_SSE_KMS_KEY_ARN",
    /** Optional, local runs only. S3 endpoint such as http://127.0.0.1:5055. Defaults to AWS. */
    s3Endpoint: "S3_ENDPOINT",
    /** Optional. Path-style S3 addressing. Defaults to true when S3_ENDPOINT is set, else false. */
    s3ForcePathStyle: "S3_FORCE_PATH_STYLE",
} as const;

export interface IngestSettings {
    readonly rawBucket: string;
    readonly rejectsBucket: string;
    readonly dataset: DatasetDefinition;
    readonly metricsNamespace: string;
    readonly serviceName: string;
    readonly maxRecordBytes: number;
    readonly writeConcurrency: number;
    readonly s3: S3ClientSettings;
}

/** How a runtime's S3 client behaves: the same variables for ingest, file drops, CDC landing and the batch job. */
export interface S3ClientSettings {
    readonly requestTimeoutMs: number;
    readonly maxAttempts: number;
    readonly sseKmsKeyArn?: string;
    readonly endpoint?: string;
    readonly forcePathStyle: boolean;
}

/**
 * Reads the S3 client variables (S3_REQUEST_TIMEOUT_MS, S3_MAX_ATTEMPTS, S3_SSE_KMS_KEY_ARN,
 * S3_ENDPOINT, S3_FORCE_PATH_STYLE); each runtime chooses its default attempt time limit.
 */
export function s3SettingsFromEnv(env: Environment, defaultRequestTimeoutMs: number): S3ClientSettings {
    const names = ingestEnvironmentVariables;
    const endpoint = getOptionalStringFromEnv({ key: names.s3Endpoint, env });
    const sseKmsKeyArn = getOptionalStringFromEnv({ key: names.s3SseKmsKeyArn, env });
    return {
        requestTimeoutMs: getIntegerFromEnv({ key: names.s3RequestTimeoutMs, env, defaultValue: defaultRequestTimeoutMs, min: 100, max: 900_000 }),
        maxAttempts: getIntegerFromEnv({ key: names.s3MaxAttempts, env, defaultValue: 3, min: 1, max: 10 }),
        ...(sseKmsKeyArn ? { sseKmsKeyArn } : {}),
        ...(endpoint ? { endpoint } : {}),
        forcePathStyle: getBooleanFromEnv({ key: names.s3ForcePathStyle, env, defaultValue: endpoint !== undefined }),
    };
}

/** The Lambda synchronous payload limit: no record can be larger than this. */
const lambdaPayloadLimitBytes = 6 * 1024 * 1024;

/**
 * The dataset named by DATASET, checked. Throws a `ConfigurationError` naming the variable, the
 * datasets it may name, or what is wrong with the definition. Shared by the ingest function and
 * the Firehose transformation function.
 */
export function readDatasetFromEnv(env: Environment, datasets?: readonly DatasetDefinition[]): DatasetDefinition {
    const names = ingestEnvironmentVariables;
    const datasetName = getStringFromEnv({ key: names.dataset, env, purpose: "the dataset this function ingests" });
    const known = datasets ?? platformDatasets;
    const found = known.find((candidate) => candidate.name === datasetName);
    if (!found) {
        throw new ConfigurationError(
            names.dataset,
            `environment variable ${names.dataset}: unknown dataset '${datasetName}'; expected one of: ${known.map((candidate) => candidate.name).join(", ")}`,
        );
    }
    try {
        return checkDatasetDefinition(found);
    } catch (error) {
        if (error instanceof DatasetDefinitionError) {
            throw new ConfigurationError(names.dataset, `environment variable ${names.dataset}: dataset '${datasetName}' is not a valid definition: ${error.message}`, { cause: error });
        }
        throw error;
    }
}

/** Largest accepted payload in bytes (MAX_RECORD_BYTES), at most the Lambda synchronous payload limit. */
export function readMaxRecordBytes(env: Environment): number {
    return getIntegerFromEnv({ key: ingestEnvironmentVariables.maxRecordBytes, env, defaultValue: 1024 * 1024, min: 1, max: lambdaPayloadLimitBytes });
}

/**
 * Reads and checks the ingest settings. Throws a `ConfigurationError` naming the variable, what
 * was expected, what was found and the fix.
 */
export function readIngestSettings(env: Environment, datasets?: readonly DatasetDefinition[]): IngestSettings {
    const names = ingestEnvironmentVariables;
    const dataset = readDatasetFromEnv(env, datasets);
    return {
        rawBucket: getStringFromEnv({ key: names.rawBucket, env, purpose: "the raw-zone bucket" }),
        rejectsBucket: getStringFromEnv({ key: names.rejectsBucket, env, purpose: "the rejects-zone bucket" }),
        dataset,
        metricsNamespace: getStringFromEnv({ key: names.metricsNamespace, env, defaultValue: defaultMetricsNamespace }),
        serviceName: getStringFromEnv({ key: names.serviceName, env, defaultValue: "ingest" }),
        maxRecordBytes: readMaxRecordBytes(env),
        writeConcurrency: getIntegerFromEnv({ key: names.writeConcurrency, env, defaultValue: 16, min: 1, max: 256 }),
        s3: s3SettingsFromEnv(env, 10_000),
    };
}
