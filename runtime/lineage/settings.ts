import { Environment, getIntegerFromEnv, getOptionalStringFromEnv, getStringFromEnv } from "../common/env";
import { ConfigurationError } from "../common/errors";
import { createS3ObjectStore, ObjectStore } from "../common/objectStore";
import { createLineageEmitter, disabledLineageEmitter, EmitterOptions, LineageEmitter } from "./emitter";
import { LineageInputError } from "./errors";
import { checkHttpEndpoint, createHttpTransport, createLakeTransport, FetchLike, LineageTransport } from "./transport";

/** The environment variables every emitting function reads. Infra sets them from the `lineage` config area. */
export const lineageEnvironmentVariables = {
    /** Optional. Bucket of the lineage prefix; unset switches lineage off. */
    bucket: "LINEAGE_BUCKET",
    /** Optional. Key prefix of the events. Defaults to `lineage`. */
    prefix: "LINEAGE_PREFIX",
    /** Optional. Job namespace of every event. Defaults to `etl-platform`. */
    namespace: "LINEAGE_NAMESPACE",
    /** Optional. KMS key ARN the lineage objects are encrypted with (SSE-KMS). Defaults to the bucket's default encryption. */
    sseKmsKeyArn: "LINEAGE_SSE_KMS_KEY_ARN",
    /** Optional. An https OpenLineage endpoint (Marquez: `https://<host>/api/v1/lineage`) events are also posted to. */
    httpEndpoint: "LINEAGE_HTTP_ENDPOINT",
    /** Optional. Secrets Manager secret ARN holding `{"apiKey": "..."}` for the endpoint. */
    apiKeySecretArn: "LINEAGE_API_KEY_SECRET_ARN",
    /** Optional. Time limit of one HTTP post in milliseconds. Defaults to 5,000. */
    httpTimeoutMs: "LINEAGE_HTTP_TIMEOUT_MS",
} as const;

export interface LineageSettings {
    readonly bucket: string;
    readonly prefix: string;
    readonly namespace: string;
    readonly sseKmsKeyArn?: string;
    readonly httpEndpoint?: string;
    readonly apiKeySecretArn?: string;
    readonly httpTimeoutMs: number;
}

/** The lineage settings, or `undefined` when `LINEAGE_BUCKET` is unset (lineage off). Throws a `ConfigurationError` naming the variable. */
export function readLineageSettings(env: Environment): LineageSettings | undefined {
    const names = lineageEnvironmentVariables;
    const bucket = getOptionalStringFromEnv({ key: names.bucket, env });
    if (bucket === undefined) {
        return undefined;
    }
    const httpEndpoint = getOptionalStringFromEnv({ key: names.httpEndpoint, env });
    if (httpEndpoint !== undefined) {
        try {
            checkHttpEndpoint(names.httpEndpoint, httpEndpoint);
        } catch (error) {
            throw new ConfigurationError(names.httpEndpoint, `environment variable ${(error as Error).message}`, { cause: error });
        }
    }
    const apiKeySecretArn = getOptionalStringFromEnv({ key: names.apiKeySecretArn, env });
    if (apiKeySecretArn !== undefined && httpEndpoint === undefined) {
        throw new ConfigurationError(names.apiKeySecretArn, `environment variable ${names.apiKeySecretArn} is set but ${names.httpEndpoint} is not; the API key is only used for the HTTP endpoint. Fix: set ${names.httpEndpoint} or unset ${names.apiKeySecretArn}`);
    }
    const sseKmsKeyArn = getOptionalStringFromEnv({ key: names.sseKmsKeyArn, env });
    return {
        bucket,
        prefix: getStringFromEnv({ key: names.prefix, env, defaultValue: "lineage" }),
        namespace: getStringFromEnv({ key: names.namespace, env, defaultValue: "etl-platform" }),
        ...(sseKmsKeyArn ? { sseKmsKeyArn } : {}),
        ...(httpEndpoint ? { httpEndpoint } : {}),
        ...(apiKeySecretArn ? { apiKeySecretArn } : {}),
        httpTimeoutMs: getIntegerFromEnv({ key: names.httpTimeoutMs, env, defaultValue: 5_000, min: 100, max: 60_000 }),
    };
}

export interface EmitterFromSettingsOptions {
    readonly settings: LineageSettings | undefined;
    /** The store the lake transport writes with. Defaults to S3 with the settings' SSE-KMS key. */
    readonly store?: ObjectStore;
    /** The S3 endpoint of the default store, when the stage talks to one other than AWS's (S3_ENDPOINT: moto, a local run). Defaults to AWS's. */
    readonly s3Endpoint?: string;
    /** Reads a secret's string value (the endpoint's API key). Required when the settings name a secret. */
    readonly readSecret?: (secretArn: string) => Promise<string>;
    readonly fetch?: FetchLike;
    readonly onFailure: EmitterOptions["onFailure"];
}

/** The emitter a stage uses: the lake prefix and, when configured, the HTTP endpoint; a no-op when lineage is off. */
export function createLineageEmitterFromSettings(options: EmitterFromSettingsOptions): LineageEmitter {
    const settings = options.settings;
    if (settings === undefined) {
        return disabledLineageEmitter;
    }
    const store = options.store ?? createS3ObjectStore({ ...(settings.sseKmsKeyArn ? { sseKmsKeyArn: settings.sseKmsKeyArn } : {}), ...(options.s3Endpoint ? { endpoint: options.s3Endpoint } : {}) });
    const lake = createLakeTransport({ store, bucket: settings.bucket, prefix: settings.prefix });
    const others: LineageTransport[] = [];
    if (settings.httpEndpoint) {
        const secretArn = settings.apiKeySecretArn;
        const readSecret = options.readSecret;
        if (secretArn && !readSecret) {
            throw new LineageInputError("readSecret", `lineage: ${lineageEnvironmentVariables.apiKeySecretArn} is set but no secret reader was given to createLineageEmitterFromSettings`);
        }
        others.push(
            createHttpTransport({
                url: settings.httpEndpoint,
                timeoutMs: settings.httpTimeoutMs,
                ...(options.fetch ? { fetch: options.fetch } : {}),
                ...(secretArn && readSecret ? { apiKey: async () => apiKeyOf(secretArn, await readSecret(secretArn)) } : {}),
            }),
        );
    }
    return createLineageEmitter({ lake, others, onFailure: options.onFailure });
}

function apiKeyOf(secretArn: string, text: string): string {
    let document: unknown;
    try {
        document = JSON.parse(text);
    } catch (error) {
        throw new LineageInputError("apiKey", `secret ${secretArn}: expected JSON such as {"apiKey": "..."}; found text that is not JSON`, { cause: error });
    }
    const key = (document as { apiKey?: unknown } | null)?.apiKey;
    if (typeof key !== "string" || key.length === 0) {
        throw new LineageInputError("apiKey", `secret ${secretArn}: expected a non-empty string field apiKey; found ${key === undefined ? "none" : typeof key}`);
    }
    return key;
}

/** The namespace of a function's jobs when it is given an emitter but no LINEAGE_NAMESPACE. */
export const defaultLineageNamespace = "etl-platform";

export interface FunctionLineageOptions {
    readonly env: Environment;
    /** An emitter to use instead of the LINEAGE_* settings (tests and `npm run local` pass one). */
    readonly emitter?: LineageEmitter;
    /** The store of the function's data (tests, local runs), which then holds the lineage prefix too. */
    readonly store?: ObjectStore;
    /** The S3 endpoint of the function's data (moto locally), which the lineage writes use too. */
    readonly s3Endpoint?: string;
    /** Reads the https endpoint's API key secret; defaults to Secrets Manager. */
    readonly readSecret?: (secretArn: string) => Promise<string>;
    /** Reports an emission that could not be delivered; the function itself is unaffected. */
    readonly onFailure: EmitterOptions["onFailure"];
}

/**
 * The lineage of a deployed function, the same for every emitting handler: its namespace and
 * emitter from the LINEAGE_* settings, or the given emitter; undefined when lineage is off.
 */
export function functionLineage(options: FunctionLineageOptions): { readonly namespace: string; readonly emitter: LineageEmitter } | undefined {
    const settings = readLineageSettings(options.env);
    if (options.emitter) {
        return { namespace: settings?.namespace ?? defaultLineageNamespace, emitter: options.emitter };
    }
    if (settings === undefined) {
        return undefined;
    }
    const emitter = createLineageEmitterFromSettings({
        settings,
        ...(options.store ? { store: options.store } : {}),
        ...(options.s3Endpoint ? { s3Endpoint: options.s3Endpoint } : {}),
        // Loaded on first use: the SDK stays out of cold starts that never read a key.
        readSecret: options.readSecret ?? ((secretArn) => (require("../connectors/api/auth") as typeof import("../connectors/api/auth")).createSecretsManagerReader()(secretArn)),
        onFailure: options.onFailure,
    });
    return { namespace: settings.namespace, emitter };
}
