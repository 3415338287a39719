import { ConfigurationError, PlatformError } from "../common/errors";

/** A runner stopped because a batch failed more often than `maxRetryAttempts` allows. */
export class EventSourceStoppedError extends PlatformError {
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "EventSourceStoppedError";
    }
}

/** Counters every local event source runner keeps. */
export interface RunnerStats {
    /** Handler invocations, including retries. */
    invocations: number;
    /** Records checkpointed (committed) after the handler accepted them. */
    records: number;
    /** Invocations that threw or reported the whole batch failed. */
    failedInvocations: number;
    /** Kinesis invocations that reported some records in `batchItemFailures`. */
    partialFailures: number;
    lastError?: string;
}

export interface EventSourceRunner {
    readonly stats: Readonly<RunnerStats>;
    /** Settles when the runner stops: resolves after `stop()`, rejects when a batch ran out of retries. */
    readonly finished: Promise<void>;
    /** Stops polling, waits for the batch in progress, releases connections. */
    stop(): Promise<void>;
}

/** Settings shared by the runners, with Lambda's names and limits. */
export interface BatchingOptions {
    /** Records per invocation (Lambda `BatchSize`, 1-10,000). Defaults to 100. */
    readonly batchSize?: number;
    /** Longest wait to fill a batch in milliseconds (`MaximumBatchingWindowInSeconds` × 1000, ≤ 300,000). Defaults to 500 for Kafka, 0 for Kinesis. */
    readonly batchingWindowMs?: number;
    /** Retries of a failed batch before the runner stops (`MaximumRetryAttempts`; -1 = until it succeeds). Defaults to -1. */
    readonly maxRetryAttempts?: number;
    /** Pause before retrying a failed batch, in milliseconds. Defaults to 500. */
    readonly retryDelayMs?: number;
}

export interface ResolvedBatching {
    readonly batchSize: number;
    readonly batchingWindowMs: number;
    readonly maxRetryAttempts: number;
    readonly retryDelayMs: number;
}

/** Applies defaults and Lambda's limits, failing with the option name, the range and the value found. */
export function resolveBatching(options: BatchingOptions, defaultWindowMs: number): ResolvedBatching {
    const check = (name: string, value: number, min: number, max: number) => {
        if (!Number.isInteger(value) || value < min || value > max) {
            throw new ConfigurationError(name, `${name} must be an integer between ${min} and ${max}, found ${value}`);
        }
        return value;
    };
    const retries = options.maxRetryAttempts ?? -1;
    return {
        batchSize: check("batchSize", options.batchSize ?? 100, 1, 10_000),
        batchingWindowMs: check("batchingWindowMs", options.batchingWindowMs ?? defaultWindowMs, 0, 300_000),
        maxRetryAttempts: retries === -1 ? Number.POSITIVE_INFINITY : check("maxRetryAttempts", retries, 0, 10_000),
        retryDelayMs: check("retryDelayMs", options.retryDelayMs ?? 500, 0, 600_000),
    };
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A promise with its settle functions, for `finished`. */
export function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void } {
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
    });
    // The runner owner may never await `finished`; an unobserved rejection must not crash the process.
    promise.catch(() => undefined);
    return { promise, resolve, reject };
}
