import { Environment, getEnumFromEnv, getIntegerFromEnv, getOptionalStringFromEnv, getStringFromEnv } from "../common/env";
import { ingestEnvironmentVariables, s3SettingsFromEnv } from "../ingest/settings";
import { LogLevel, logLevels } from "./log";

/**
 * The environment variables the batch job reads. Infra sets the buckets on the job definition;
 * AWS Batch sets the job id and attempt; the rest have defaults. The S3 and record-size variables
 * have the same names and meaning as the ingest function's.
 */
export const batchEnvironmentVariables = {
    /** Required. Bucket of the raw zone. */
    rawBucket: ingestEnvironmentVariables.rawBucket,
    /** Required. Bucket of the rejects zone (may be the raw bucket). */
    rejectsBucket: ingestEnvironmentVariables.rejectsBucket,
    /** Optional. Payloads larger than this stay rejected as `oversized` on replay. Defaults to 1,048,576. */
    maxRecordBytes: ingestEnvironmentVariables.maxRecordBytes,
    /** Optional. Objects read, written or replayed at the same time. Defaults to 8. */
    concurrency: "BATCH_CONCURRENCY",
    /**
     * Optional. Lifetime of a compaction lease in seconds; set it to at least the job definition's
     * timeout (attemptDurationSeconds). Defaults to 86,400 (24 hours, the longest timeout the stack
     * config allows).
     */
    leaseTtlSeconds: "LEASE_TTL_SECONDS",
    /** Optional. debug, info, warn or error. Defaults to info. */
    logLevel: "LOG_LEVEL",
    /** Optional. Time limit of one S3 HTTP attempt in milliseconds. Defaults to 60,000 (outputs can be large). */
    s3RequestTimeoutMs: ingestEnvironmentVariables.s3RequestTimeoutMs,
    /** Optional. Attempts per S3 request including the first. Defaults to 3. */
    s3MaxAttempts: ingestEnvironmentVariables.s3MaxAttempts,
    /** Optional. KMS key ARN to request SSE-KMS with on every write. Defaults to the bucket's default encryption. */
    s3SseKmsKeyArn: ingestEnvironmentVariables.s3SseKmsKeyArn,
    /** Optional, local runs only. S3 endpoint such as http://127.0.0.1:5055. Defaults to AWS. */
    s3Endpoint: ingestEnvironmentVariables.s3Endpoint,
    /** Optional. Path-style S3 addressing. Defaults to true when S3_ENDPOINT is set, else false. */
    s3ForcePathStyle: ingestEnvironmentVariables.s3ForcePathStyle,
    /** Set by AWS Batch: the job id, the same for every attempt of a job. Names the lease owner. */
    jobId: "AWS_BATCH_JOB_ID",
    /** Set by AWS Batch: the attempt number, starting at 1. Logged. */
    jobAttempt: "AWS_BATCH_JOB_ATTEMPT",
} as const;

export interface BatchSettings {
    readonly rawBucket: string;
    readonly rejectsBucket: string;
    readonly maxRecordBytes: number;
    readonly concurrency: number;
    readonly leaseTtlMs: number;
    readonly logLevel: LogLevel;
    /** `undefined` outside AWS Batch. */
    readonly jobId?: string;
    readonly jobAttempt?: string;
    readonly s3: {
        readonly requestTimeoutMs: number;
        readonly maxAttempts: number;
        readonly sseKmsKeyArn?: string;
        readonly endpoint?: string;
        readonly forcePathStyle: boolean;
    };
}

/** Reads and checks the settings; throws a `ConfigurationError` naming the variable and the fix. */
export function readBatchSettings(env: Environment): BatchSettings {
    const names = batchEnvironmentVariables;
    const jobId = getOptionalStringFromEnv({ key: names.jobId, env });
    const jobAttempt = getOptionalStringFromEnv({ key: names.jobAttempt, env });
    return {
        rawBucket: getStringFromEnv({ key: names.rawBucket, env, purpose: "the raw-zone bucket" }),
        rejectsBucket: getStringFromEnv({ key: names.rejectsBucket, env, purpose: "the rejects-zone bucket" }),
        maxRecordBytes: getIntegerFromEnv({ key: names.maxRecordBytes, env, defaultValue: 1024 * 1024, min: 1, max: 64 * 1024 * 1024 }),
        concurrency: getIntegerFromEnv({ key: names.concurrency, env, defaultValue: 8, min: 1, max: 64 }),
        leaseTtlMs: getIntegerFromEnv({ key: names.leaseTtlSeconds, env, defaultValue: 86_400, min: 60, max: 7 * 86_400 }) * 1000,
        logLevel: getEnumFromEnv({ key: names.logLevel, env, allowed: logLevels, defaultValue: "info" }),
        ...(jobId ? { jobId } : {}),
        ...(jobAttempt ? { jobAttempt } : {}),
        s3: s3SettingsFromEnv(env, 60_000),
    };
}
