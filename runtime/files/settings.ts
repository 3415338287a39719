import { Environment, getIntegerFromEnv, getOptionalStringFromEnv, getStringFromEnv } from "../common/env";
import { ConfigurationError } from "../common/errors";
import { datasets as platformDatasets } from "../datasets";
import { DatasetDefinition } from "../datasets/types";
import { ingestEnvironmentVariables, s3SettingsFromEnv } from "../ingest/settings";
import { defaultManifestPrefix, defaultQuarantinePrefix } from "./ingest";
import { DropSettings, FileFormat, fileFormats } from "./types";

/** The environment variables the file-ingest function reads. Infra sets them per drop. */
export const fileIngestEnvironmentVariables = {
    /** Required. Bucket of the raw zone. */
    rawBucket: ingestEnvironmentVariables.rawBucket,
    /** Required. Bucket of the rejects zone. */
    rejectsBucket: ingestEnvironmentVariables.rejectsBucket,
    /** Required. Name of the dataset the drop delivers. */
    dataset: ingestEnvironmentVariables.dataset,
    /** Required. Name of the drop (lower snake case). */
    drop: "FILE_DROP",
    /** Required. Accepted formats, comma-separated: csv, jsonl, parquet. */
    formats: "FILE_FORMATS",
    /** Optional. Rows per raw/rejects object. Defaults to 100,000. */
    chunkRows: "FILE_CHUNK_ROWS",
    /** Optional. Files larger than this many bytes go to the Batch job. Defaults to no limit. */
    maxFileBytes: "FILE_MAX_BYTES",
    /** Optional. Prefix of manifests in the landing bucket. Defaults to `_manifests/`. */
    manifestPrefix: "FILE_MANIFEST_PREFIX",
    /** Optional. Prefix of quarantined files in the landing bucket. Defaults to `_quarantine/`. */
    quarantinePrefix: "FILE_QUARANTINE_PREFIX",
    /** Required with FILE_MAX_BYTES. The Batch job queue (name or ARN) large files are submitted to. */
    batchJobQueue: "BATCH_JOB_QUEUE",
    /** Required with FILE_MAX_BYTES. The Batch job definition (name or ARN) whose container runs `ingest-file`. */
    batchJobDefinition: "BATCH_JOB_DEFINITION",
    /** Optional. CloudWatch namespace of the metrics. Defaults to `DataPlatform/Files`. */
    metricsNamespace: ingestEnvironmentVariables.metricsNamespace,
    /** Optional. Powertools service name. Defaults to `file-ingest`. */
    serviceName: ingestEnvironmentVariables.serviceName,
    s3RequestTimeoutMs: ingestEnvironmentVariables.s3RequestTimeoutMs,
    s3MaxAttempts: ingestEnvironmentVariables.s3MaxAttempts,
    s3SseKmsKeyArn: ingestEnvironmentVariables.s3SseKmsKeyArn,
    s3Endpoint: ingestEnvironmentVariables.s3Endpoint,
    s3ForcePathStyle: ingestEnvironmentVariables.s3ForcePathStyle,
    /** Optional, local runs only. AWS Batch endpoint. Defaults to AWS. */
    batchEndpoint: "BATCH_ENDPOINT",
} as const;

export const defaultFileMetricsNamespace = "DataPlatform/Files";
export const defaultChunkRows = 100_000;

export interface FileIngestSettings {
    readonly drop: DropSettings;
    readonly rawBucket: string;
    readonly rejectsBucket: string;
    readonly maxFileBytes?: number;
    readonly manifestPrefix: string;
    readonly quarantinePrefix: string;
    readonly batch?: { readonly jobQueue: string; readonly jobDefinition: string; readonly endpoint?: string };
    readonly metricsNamespace: string;
    readonly serviceName: string;
    readonly s3: { readonly requestTimeoutMs: number; readonly maxAttempts: number; readonly sseKmsKeyArn?: string; readonly endpoint?: string; readonly forcePathStyle: boolean };
}

/** Parses a comma-separated format list; `setting` names where it came from in errors. */
export function parseFormats(text: string, setting: string): FileFormat[] {
    const formats = text.split(",").map((part) => part.trim().toLowerCase()).filter((part) => part !== "");
    const unknown = formats.filter((format) => !(fileFormats as readonly string[]).includes(format));
    if (formats.length === 0 || unknown.length > 0) {
        throw new ConfigurationError(setting, `${setting} must list formats from ${fileFormats.join(", ")}, found '${text}'; set it to, for example, ${setting}=csv,jsonl`);
    }
    return [...new Set(formats)] as FileFormat[];
}

/** Looks a dataset up for a drop, with the known names in the error. */
export function datasetForDrop(name: string, setting: string, available: readonly DatasetDefinition[] = platformDatasets): DatasetDefinition {
    const found = available.find((dataset) => dataset.name === name);
    if (!found) {
        throw new ConfigurationError(setting, `${setting} names dataset '${name}', which does not exist; expected one of ${available.map((d) => d.name).join(", ")}; fix the drop's dataset`);
    }
    return found;
}

/** Reads and checks the settings; a `ConfigurationError` names the variable, expected, found and fix. */
export function readFileIngestSettings(env: Environment, available?: readonly DatasetDefinition[]): FileIngestSettings {
    const names = fileIngestEnvironmentVariables;
    const dataset = datasetForDrop(getStringFromEnv({ key: names.dataset, env, purpose: "the dataset the drop delivers" }), names.dataset, available);
    const dropName = getStringFromEnv({ key: names.drop, env, purpose: "the drop's name" });
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(dropName)) {
        throw new ConfigurationError(names.drop, `environment variable ${names.drop} must be lower snake case, found '${dropName}'; set it to, for example, ${names.drop}=store_inventory`);
    }
    const maxFileBytesText = getOptionalStringFromEnv({ key: names.maxFileBytes, env });
    const maxFileBytes = maxFileBytesText === undefined ? undefined : getIntegerFromEnv({ key: names.maxFileBytes, env, min: 1 });
    const jobQueue = getOptionalStringFromEnv({ key: names.batchJobQueue, env });
    const jobDefinition = getOptionalStringFromEnv({ key: names.batchJobDefinition, env });
    if (maxFileBytes !== undefined && (!jobQueue || !jobDefinition)) {
        throw new ConfigurationError(
            jobQueue ? names.batchJobDefinition : names.batchJobQueue,
            `${names.maxFileBytes} is set, so files above it go to AWS Batch, but ${jobQueue ? names.batchJobDefinition : names.batchJobQueue} is not set; set both ${names.batchJobQueue} and ${names.batchJobDefinition}, or unset ${names.maxFileBytes}`,
        );
    }
    const batchEndpoint = getOptionalStringFromEnv({ key: names.batchEndpoint, env });
    return {
        drop: {
            name: dropName,
            dataset,
            formats: parseFormats(getStringFromEnv({ key: names.formats, env, purpose: "the accepted formats" }), names.formats),
            chunkRows: getIntegerFromEnv({ key: names.chunkRows, env, defaultValue: defaultChunkRows, min: 1, max: 10_000_000 }),
        },
        rawBucket: getStringFromEnv({ key: names.rawBucket, env, purpose: "the raw-zone bucket" }),
        rejectsBucket: getStringFromEnv({ key: names.rejectsBucket, env, purpose: "the rejects-zone bucket" }),
        ...(maxFileBytes !== undefined ? { maxFileBytes } : {}),
        manifestPrefix: getStringFromEnv({ key: names.manifestPrefix, env, defaultValue: defaultManifestPrefix }),
        quarantinePrefix: getStringFromEnv({ key: names.quarantinePrefix, env, defaultValue: defaultQuarantinePrefix }),
        ...(jobQueue && jobDefinition ? { batch: { jobQueue, jobDefinition, ...(batchEndpoint ? { endpoint: batchEndpoint } : {}) } } : {}),
        metricsNamespace: getStringFromEnv({ key: names.metricsNamespace, env, defaultValue: defaultFileMetricsNamespace }),
        serviceName: getStringFromEnv({ key: names.serviceName, env, defaultValue: "file-ingest" }),
        s3: s3SettingsFromEnv(env, 30_000),
    };
}
