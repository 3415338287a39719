import { hostname } from "os";
import { Environment } from "../common/env";
import { ConfigurationError, describeError } from "../common/errors";
import { createS3ObjectStore, MaintenanceObjectStore } from "../common/objectStore";
import { datasets as platformDatasets } from "../datasets";
import { DatasetDefinition } from "../datasets/types";
import { ingestFile } from "../files/ingest";
import { createS3FileStore, FileStore } from "../files/store";
import { compileValidator } from "../ingest/validate";
import { BatchCommand, parseCommandLine, usageText } from "./args";
import { compactPartitions } from "./compact";
import { UsageError } from "./errors";
import { createJobLogger, JobLogger } from "./log";
import { replayRejects } from "./replay";
import { BatchSettings, readBatchSettings } from "./settings";

/**
 * The container's entry point, `node build/runtime/batch/main.js <command> [flags]`:
 *
 *   replay-rejects --dataset orders --from 2024-05-01T00 --to 2024-05-02T00 [--error-type T[,T]] [--include-unknown-time] [--dry-run]
 *   compact --dataset orders (--dt 2024-05-01 | --day-before 2024-05-02T02:30:00Z) [--hour 13] [--target-bytes 134217728] [--dry-run] [--break-lease]
 *   ingest-file --drop store_inventory --dataset store_inventory --formats csv --chunk-rows 100000 --bucket B --key K [--version-id V]
 *
 * Settings come from the environment (`batchEnvironmentVariables`). Logs are JSON lines on stdout;
 * the last line is the run's report. Exit codes: 0 success, 1 failure (a rerun is safe and
 * continues where this run stopped), 2 bad flags or settings (a rerun fails the same way).
 */

export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;
export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

export interface CliContext {
    /** Defaults to `process.env`. */
    readonly env?: Environment;
    /** Receives the `--help` text. Defaults to stdout. */
    readonly print?: (text: string) => void;
    /** Defaults to S3 configured from the environment. */
    readonly store?: MaintenanceObjectStore;
    /** Defaults to the platform's datasets. */
    readonly datasets?: readonly DatasetDefinition[];
    /** Defaults to `Date.now`. */
    readonly now?: () => number;
    /** Where `ingest-file` reads the file. Defaults to S3 configured from the environment. */
    readonly files?: FileStore;
}

function storeFor(settings: BatchSettings): MaintenanceObjectStore {
    return createS3ObjectStore({
        requestTimeoutMs: settings.s3.requestTimeoutMs,
        maxAttempts: settings.s3.maxAttempts,
        forcePathStyle: settings.s3.forcePathStyle,
        ...(settings.s3.endpoint ? { endpoint: settings.s3.endpoint } : {}),
        ...(settings.s3.sseKmsKeyArn ? { sseKmsKeyArn: settings.s3.sseKmsKeyArn } : {}),
    });
}

async function run(command: Exclude<BatchCommand, { kind: "help" }>, settings: BatchSettings, store: MaintenanceObjectStore, logger: JobLogger, now: () => number, files?: FileStore): Promise<ExitCode> {
    if (command.kind === "ingest-file") {
        // The same code the file-ingest function runs, without its size limit (no hand-off from here).
        const outcome = await ingestFile(
            { bucket: command.bucket, key: command.key, ...(command.versionId ? { versionId: command.versionId } : {}) },
            { name: command.drop, dataset: command.dataset, formats: command.formats, chunkRows: command.chunkRows },
            {
                files:
                    files ??
                    createS3FileStore({
                        maxAttempts: settings.s3.maxAttempts,
                        forcePathStyle: settings.s3.forcePathStyle,
                        requestTimeoutMs: settings.s3.requestTimeoutMs,
                        ...(settings.s3.endpoint ? { endpoint: settings.s3.endpoint } : {}),
                        ...(settings.s3.sseKmsKeyArn ? { sseKmsKeyArn: settings.s3.sseKmsKeyArn } : {}),
                    }),
                store,
                rawBucket: settings.rawBucket,
                rejectsBucket: settings.rejectsBucket,
                manifestPrefix: command.manifestPrefix,
                quarantinePrefix: command.quarantinePrefix,
                concurrency: settings.concurrency,
            },
        );
        const { objects, ...summary } = outcome;
        logger.info(`file ${outcome.status}`, { report: { ...summary, objectCount: objects.length } });
        return exitCodes.ok;
    }
    if (command.kind === "replay-rejects") {
        const report = await replayRejects({
            store,
            rawBucket: settings.rawBucket,
            rejectsBucket: settings.rejectsBucket,
            validator: compileValidator(command.dataset),
            fromMs: command.fromMs,
            toMs: command.toMs,
            errorTypes: command.errorTypes,
            includeUnknownTime: command.includeUnknownTime,
            dryRun: command.dryRun,
            maxRecordBytes: settings.maxRecordBytes,
            concurrency: settings.concurrency,
            logger,
        });
        const { results, ...summary } = report;
        const failed = report.failures.length > 0;
        (failed ? logger.error : logger.info)(failed ? "replay finished with failures; rerun the same command to continue" : "replay finished", { report: summary });
        return failed ? exitCodes.failure : exitCodes.ok;
    }
    const report = await compactPartitions({
        store,
        rawBucket: settings.rawBucket,
        rejectsBucket: settings.rejectsBucket,
        dataset: command.dataset.name,
        dt: command.dt,
        ...(command.hour !== undefined ? { hour: command.hour } : {}),
        targetBytes: command.targetBytes,
        dryRun: command.dryRun,
        concurrency: settings.concurrency,
        owner: settings.jobId ?? `local:${hostname()}`,
        leaseTtlMs: settings.leaseTtlMs,
        breakLease: command.breakLease,
        now,
        logger,
    });
    const failed = report.failures.length > 0;
    const summary = { ...report, partitions: report.partitions.map((partition) => ({ ...partition, groups: partition.groups.map(({ inputKeys, ...group }) => ({ ...group, inputs: inputKeys.length })) })) };
    (failed ? logger.error : logger.info)(failed ? "compaction finished with failures; rerun the same command to continue" : "compaction finished", { report: summary });
    return failed ? exitCodes.failure : exitCodes.ok;
}

/** Runs one command line; resolves to the exit code and never throws. */
export async function runBatchCli(argv: readonly string[], context: CliContext = {}): Promise<ExitCode> {
    const env = context.env ?? process.env;
    const now = context.now ?? Date.now;
    const base = { command: argv[0] ?? null, jobId: env.AWS_BATCH_JOB_ID ?? null, jobAttempt: env.AWS_BATCH_JOB_ATTEMPT ?? null };
    let logger = createJobLogger({ fields: base });
    let command: BatchCommand;
    try {
        command = parseCommandLine(argv, context.datasets ?? platformDatasets);
    } catch (error) {
        if (error instanceof UsageError) {
            logger.error(error.message, { error: error.name, flag: error.flag, expected: error.expected, found: error.found, fix: error.fix });
            return exitCodes.usage;
        }
        logger.error("the command line could not be read", { error: describeError(error) });
        return exitCodes.usage;
    }
    if (command.kind === "help") {
        (context.print ?? ((text: string) => process.stdout.write(text)))(usageText);
        return exitCodes.ok;
    }
    let settings: BatchSettings;
    try {
        settings = readBatchSettings(env);
    } catch (error) {
        if (error instanceof ConfigurationError) {
            logger.error(error.message, { error: error.name, setting: error.setting });
            return exitCodes.usage;
        }
        logger.error("the settings could not be read", { error: describeError(error) });
        return exitCodes.failure;
    }
    logger = createJobLogger({ level: settings.logLevel, fields: { ...base, dataset: command.dataset.name } });
    const started = now();
    logger.info("job started", {
        flags: argv.slice(1),
        rawBucket: settings.rawBucket,
        rejectsBucket: settings.rejectsBucket,
        datasetVersion: command.dataset.version,
        concurrency: settings.concurrency,
    });
    try {
        const code = await run(command, settings, context.store ?? storeFor(settings), logger, now, context.files);
        logger.info("job ended", { exitCode: code, durationMs: now() - started });
        return code;
    } catch (error) {
        logger.error("job failed; nothing was deleted before the data it held was stored and verified elsewhere, so rerunning the same command is safe", {
            error: describeError(error),
            durationMs: now() - started,
        });
        return exitCodes.failure;
    }
}

if (require.main === module) {
    void runBatchCli(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
    });
}
