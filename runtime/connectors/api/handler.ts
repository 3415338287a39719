import { Environment, getIntegerFromEnv, getOptionalStringFromEnv, getStringFromEnv } from "../../common/env";
import { ConfigurationError, describeError } from "../../common/errors";
import { createS3ObjectStore, ObjectStore } from "../../common/objectStore";
import { getDataset } from "../../datasets";
import { DatasetDefinition } from "../../datasets/types";
import { compileValidator } from "../../ingest/validate";
import { createAuthenticator, createSecretsManagerReader, SecretReader } from "./auth";
import { CheckpointStore, createS3CheckpointStore } from "./checkpoint";
import { FetchFunction, RetryEnvironment, systemRetryEnvironment } from "./retry";
import { ConnectorRunSummary, runApiConnector } from "./run";
import { functionLineage, LineageEmitter } from "../../lineage";
import { ConnectorLineageOptions, emitConnectorLineage } from "./lineage";
import { ApiSourceSettings, apiSourceProblems } from "./settings";
import { createConnectorTelemetry, PowertoolsConnectorTelemetry } from "./telemetry";

/**
 * The connector's Lambda handler factory, deployed with `aws.lambda.CallbackFunction`
 * (`callbackFactory: createApiConnectorHandler`) and started by an EventBridge Scheduler schedule.
 * The factory runs once per cold start: it reads and checks the settings, compiles the dataset's
 * validator and creates the S3 and Secrets Manager clients (SDKs and Powertools are `require`d
 * inside, never captured). The secret itself is read on the first request and kept per container.
 *
 * Environment:
 * - `API_SOURCE`: the source's settings as JSON (`ApiSourceSettings`, from stack config).
 * - `SECRET_ARN`: the Secrets Manager secret with the source's credentials.
 * - `RAW_BUCKET`, `REJECTS_BUCKET`: the lake zones.
 * - `CHECKPOINT_BUCKET`, `CHECKPOINT_KEY`: where the checkpoint object lives.
 * - `LAKE_KEY_ARN` (optional): SSE-KMS key for every write.
 * - `S3_ENDPOINT`, `SECRETS_ENDPOINT` (optional): local stand-ins (moto).
 * - `METRICS_NAMESPACE` (optional): defaults to `DataPlatform/Connectors`.
 */

export interface ApiConnectorHandlerOptions {
    readonly env?: Environment;
    readonly datasets?: readonly DatasetDefinition[];
    readonly fetch?: FetchFunction;
    readonly store?: ObjectStore;
    readonly checkpoints?: CheckpointStore;
    readonly readSecret?: SecretReader;
    readonly environment?: RetryEnvironment;
    readonly telemetry?: PowertoolsConnectorTelemetry;
    /** Where lineage events go. Defaults to the LINEAGE_* variables (written with `store` when given); none when LINEAGE_BUCKET is unset. */
    readonly lineage?: LineageEmitter;
}

export type ApiConnectorHandler = (event?: unknown, context?: unknown) => Promise<ConnectorRunSummary>;

/** Reads `API_SOURCE`, naming the variable and every problem when it is not valid settings. */
export function readApiSourceSettings(env: Environment, datasets?: readonly DatasetDefinition[]): ApiSourceSettings {
    const text = getStringFromEnv({ key: "API_SOURCE", env, purpose: "the API source's settings as JSON" });
    let value: ApiSourceSettings;
    try {
        value = JSON.parse(text) as ApiSourceSettings;
    } catch (error) {
        throw new ConfigurationError("API_SOURCE", `environment variable API_SOURCE must be the source's settings as JSON, found text that does not parse (${describeError(error)}); redeploy the stack to set it`);
    }
    const problems = typeof value === "object" && value !== null ? apiSourceProblems(value, "API_SOURCE", datasets, true) : ["API_SOURCE must be a JSON object"];
    if (problems.length > 0) {
        throw new ConfigurationError("API_SOURCE", `environment variable API_SOURCE is not valid: ${problems.join("; ")}`);
    }
    return value;
}

export function createApiConnectorHandlerWith(options: ApiConnectorHandlerOptions = {}): ApiConnectorHandler {
    const env = options.env ?? process.env;
    const source = readApiSourceSettings(env, options.datasets);
    const dataset = getDataset(source.dataset, options.datasets);
    const s3Endpoint = getOptionalStringFromEnv({ key: "S3_ENDPOINT", env });
    const lakeKeyArn = getOptionalStringFromEnv({ key: "LAKE_KEY_ARN", env });
    const secretArn = getStringFromEnv({ key: "SECRET_ARN", env, purpose: "the source's credentials in Secrets Manager" });
    const requestTimeoutMs = getIntegerFromEnv({ key: "S3_REQUEST_TIMEOUT_MS", env, defaultValue: 10_000, min: 100, max: 120_000 });
    const store = options.store ?? createS3ObjectStore({ requestTimeoutMs, ...(s3Endpoint ? { endpoint: s3Endpoint } : {}), ...(lakeKeyArn ? { sseKmsKeyArn: lakeKeyArn } : {}) });
    const checkpoints =
        options.checkpoints ??
        createS3CheckpointStore({
            source: source.name,
            bucket: getStringFromEnv({ key: "CHECKPOINT_BUCKET", env, purpose: "the bucket of the connector's checkpoint" }),
            key: getStringFromEnv({ key: "CHECKPOINT_KEY", env, purpose: "the connector's checkpoint object key" }),
            ...(lakeKeyArn ? { sseKmsKeyArn: lakeKeyArn } : {}),
            ...(s3Endpoint ? { endpoint: s3Endpoint } : {}),
        });
    const secretsEndpoint = getOptionalStringFromEnv({ key: "SECRETS_ENDPOINT", env });
    const readSecret = options.readSecret ?? createSecretsManagerReader(secretsEndpoint ? { endpoint: secretsEndpoint } : {});
    const fetchFn: FetchFunction = options.fetch ?? ((url, init) => fetch(url, init));
    const environment = options.environment ?? systemRetryEnvironment;
    const policy = { maxAttempts: source.maxAttempts, baseDelayMs: 500, maxDelayMs: 30_000, timeoutMs: source.timeoutSeconds * 1000 };
    const authenticator = createAuthenticator(source.auth, secretArn, readSecret, fetchFn, policy, environment);
    const telemetry = options.telemetry ?? createConnectorTelemetry({ source: source.name, dataset: dataset.name, ...(env.METRICS_NAMESPACE ? { namespace: env.METRICS_NAMESPACE } : {}) });
    const validator = compileValidator(dataset);
    const rawBucket = getStringFromEnv({ key: "RAW_BUCKET", env, purpose: "the raw zone bucket" });
    const rejectsBucket = getStringFromEnv({ key: "REJECTS_BUCKET", env, purpose: "the rejects zone bucket" });

    const emitting = functionLineage({
        env,
        ...(options.lineage ? { emitter: options.lineage } : {}),
        ...(options.store ? { store: options.store } : {}),
        ...(s3Endpoint ? { s3Endpoint } : {}),
        readSecret,
        // The run is unaffected; the line names the metric a filter counts (LineageEmitFailures).
        onFailure: (failure) => console.warn(JSON.stringify({ level: "WARN", message: "lineage events could not be delivered; the run is unaffected", metric: "LineageEmitFailures", transport: failure.transport, error: failure.message })),
    });
    const lineage: ConnectorLineageOptions | undefined = emitting ? { ...emitting, source, dataset, rawBucket, rejectsBucket } : undefined;

    return async (_event?: unknown, context?: unknown) => {
        telemetry.setContext(context);
        let summary: ConnectorRunSummary;
        try {
            summary = await runApiConnector({ source, dataset, validator, fetch: fetchFn, authenticator, store, rawBucket, rejectsBucket, checkpoints, environment, telemetry });
        } catch (error) {
            telemetry.runFailed(error);
            if (lineage) {
                await emitConnectorLineage(lineage, { error, at: new Date(environment.now()) });
            }
            throw error;
        }
        if (lineage) {
            await emitConnectorLineage(lineage, { summary });
        }
        return summary;
    };
}

/** Zero-argument factory for `CallbackFunction.callbackFactory`. */
export function createApiConnectorHandler(): ApiConnectorHandler {
    return createApiConnectorHandlerWith();
}
