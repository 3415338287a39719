import { describeError } from "../common/errors";
import { FileIngestError } from "./errors";
import { DropSettings, FileRef } from "./types";

/**
 * Handing a file that is too large for the function to AWS Batch: the job definition's container
 * runs `main.js ingest-file …` (runtime/batch/main.ts), which calls the same `ingestFile` without
 * a size limit. The job name is derived from the file id, so jobs are recognisable in the console.
 */

/** The container command for one file. */
export function ingestFileCommand(ref: FileRef, drop: DropSettings, prefixes: { readonly manifestPrefix: string; readonly quarantinePrefix: string }): string[] {
    return [
        "node",
        "build/runtime/batch/main.js",
        "ingest-file",
        "--drop",
        drop.name,
        "--dataset",
        drop.dataset.name,
        "--formats",
        drop.formats.join(","),
        "--chunk-rows",
        String(drop.chunkRows),
        "--bucket",
        ref.bucket,
        "--key",
        ref.key,
        ...(ref.versionId ? ["--version-id", ref.versionId] : []),
        "--manifest-prefix",
        prefixes.manifestPrefix,
        "--quarantine-prefix",
        prefixes.quarantinePrefix,
    ];
}

/** The SubmitJob request (without the client) for one file. */
export function submitJobInput(ref: FileRef, drop: DropSettings, fileId: string, batch: { readonly jobQueue: string; readonly jobDefinition: string }, prefixes: { readonly manifestPrefix: string; readonly quarantinePrefix: string }) {
    return {
        jobName: `ingest-file-${drop.name}-${fileId}`.slice(0, 128),
        jobQueue: batch.jobQueue,
        jobDefinition: batch.jobDefinition,
        containerOverrides: { command: ingestFileCommand(ref, drop, prefixes) },
    };
}

/** Submits with `@aws-sdk/client-batch` (loaded here, so handlers serialize); returns the job id. */
export function createBatchSubmitter(options: { readonly region?: string; readonly endpoint?: string; readonly maxAttempts?: number } = {}) {
    const sdk = require("@aws-sdk/client-batch") as typeof import("@aws-sdk/client-batch");
    const client = new sdk.BatchClient({ region: options.region ?? process.env.AWS_REGION ?? "us-east-1", endpoint: options.endpoint, maxAttempts: options.maxAttempts ?? 3 });
    return async (input: ReturnType<typeof submitJobInput>): Promise<string> => {
        try {
            const response = await client.send(new sdk.SubmitJobCommand(input));
            if (response.jobId) {
                return response.jobId;
            }
        } catch (error) {
            throw new FileIngestError(`SubmitJob ${input.jobName} to ${input.jobQueue} failed: ${describeError(error)}; the event is retried`, { cause: error });
        }
        throw new FileIngestError(`SubmitJob ${input.jobName} to ${input.jobQueue} answered without a jobId; the event is retried`);
    };
}
