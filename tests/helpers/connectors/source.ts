import { fxRates } from "../../../runtime/datasets";
import { createAuthenticator, createMemoryCheckpointStore, ConnectorDependencies, RetryEnvironment, SecretReader } from "../../../runtime/connectors/api";
import { ApiSourceSettings, Pagination } from "../../../runtime/connectors/api";
import { createMemoryObjectStore, ObjectStore } from "../../../runtime/common";
import { compileValidator } from "../../../runtime/ingest/validate";
import { FakeStyle } from "./fakeApi";

/** Pagination settings matching the fake API's parameter names, per style. */
export function paginationFor(style: FakeStyle, pageSize: number): Pagination {
    switch (style) {
        case "cursor":
            return { style, cursorParam: "cursor", cursorField: "next_cursor" };
        case "nextLink":
            return { style, nextField: "links.next" };
        case "page":
            return { style, pageParam: "page", sizeParam: "per_page", pageSize, firstPage: 1 };
        case "offset":
            return { style, offsetParam: "offset", limitParam: "limit", limit: pageSize };
    }
}

/** The fx_rates source pointed at a fake API. */
export function fxSource(baseUrl: string, style: FakeStyle, pageSize: number, overrides: Partial<ApiSourceSettings> = {}): ApiSourceSettings {
    return {
        name: "fx-rates",
        dataset: "fx_rates",
        baseUrl,
        params: { base: "USD" },
        auth: { type: "apiKey", header: "X-Api-Key" },
        pagination: paginationFor(style, pageSize),
        recordsField: "data",
        incrementalField: "updated_at",
        windowParams: { start: "updated_since", end: "updated_before" },
        lookBackSeconds: 2 * 86_400,
        initialWindowSeconds: 7 * 86_400,
        rateLimitPerSecond: 1_000,
        timeoutSeconds: 1,
        maxAttempts: 4,
        maxPages: 1_000,
        ...overrides,
    };
}

/** A clock the tests move by hand; sleeps are recorded and return at once. */
export function manualEnvironment(startMs: number): RetryEnvironment & { nowMs: number; readonly sleeps: number[] } {
    const env = {
        nowMs: startMs,
        sleeps: [] as number[],
        now: () => env.nowMs,
        sleep: async (ms: number) => {
            env.sleeps.push(ms);
        },
        random: () => 0.5,
    };
    return env;
}

export const apiKey = "k-123";
export const secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:fx-rates-AbCdEf";
export const readKeySecret: SecretReader = async () => JSON.stringify({ apiKey });

/** Everything `runApiConnector` needs, in memory, against the given source. */
export function memoryDependencies(
    source: ApiSourceSettings,
    environment: RetryEnvironment,
    extra: Partial<ConnectorDependencies> & { readonly store?: ObjectStore } = {},
): ConnectorDependencies & { readonly checkpoints: ReturnType<typeof createMemoryCheckpointStore> } {
    const fetchFn = (url: string, init: Parameters<typeof fetch>[1]) => fetch(url, init);
    const policy = { maxAttempts: source.maxAttempts, baseDelayMs: 500, maxDelayMs: 30_000, timeoutMs: source.timeoutSeconds * 1000 };
    return {
        source,
        dataset: fxRates,
        validator: compileValidator(fxRates),
        fetch: fetchFn,
        authenticator: createAuthenticator(source.auth, secretArn, readKeySecret, fetchFn, policy, environment),
        store: createMemoryObjectStore(),
        rawBucket: "raw",
        rejectsBucket: "rejects",
        checkpoints: createMemoryCheckpointStore(),
        environment,
        ...extra,
    } as ConnectorDependencies & { readonly checkpoints: ReturnType<typeof createMemoryCheckpointStore> };
}
