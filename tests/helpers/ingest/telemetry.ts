import { BatchSummary } from "../../../runtime/ingest/accounting";
import { IngestTelemetry } from "../../../runtime/ingest/telemetry";

/** Telemetry that records what the handler reported. */
export function createRecordingTelemetry(): IngestTelemetry & { readonly batches: BatchSummary[]; readonly errors: unknown[]; readonly contexts: unknown[]; readonly lineageFailures: string[] } {
    const batches: BatchSummary[] = [];
    const lineageFailures: string[] = [];
    const errors: unknown[] = [];
    const contexts: unknown[] = [];
    return {
        batches,
        errors,
        contexts,
        lineageFailures,
        setContext: (context) => {
            contexts.push(context);
        },
        batchProcessed: (summary) => {
            batches.push(summary);
        },
        batchErrored: (error) => {
            errors.push(error);
        },
        lineageFailed: (transport, message) => {
            lineageFailures.push(`${transport}: ${message}`);
        },
    };
}
