import { describeError } from "../common/errors";
import { createApiConnectorHandlerWith, PowertoolsConnectorTelemetry, windowId } from "../connectors/api";
import { ApiSourceSettings } from "../connectors/api/settings";
import { DatasetDefinition } from "../datasets";
import { countLakeRecords, totalOf } from "./lake";
import { localRatesFor, startFakeApi } from "./ratesApi";
import { LocalLanding, LocalSourceContext, LocalSourceStage, plural } from "./sourceStage";

/**
 * The API source of `npm run local`: the fx_rates connector (runtime/connectors/api, the deployed
 * handler factory) against the local FX rates API (runtime/local/ratesApi.ts) started for the run,
 * with its API key in moto's Secrets Manager and its checkpoint on moto's S3, as deployed.
 *
 * Each local window is a schedule of its own: the connector's clock is the window's end and its
 * checkpoint is kept per window, so the first run fetches exactly the window's day and a second
 * run finds the checkpoint at the window's end and fetches nothing (outcome `idle`).
 */

export interface ApiSourceOptions {
    readonly dataset: DatasetDefinition;
    /** The connector's name (object keys, checkpoint). */
    readonly sourceName: string;
    /** A currency the API has no rate for, so orders in it keep a null amount_usd. */
    readonly withoutRate: string;
    /** Records per page (the API paginates with a cursor, as the stack's source config says). */
    readonly pageSize: number;
    /** Records the API serves that the dataset's rules reject. */
    readonly badRecords: number;
}

export interface ApiLanding extends LocalLanding {
    /** What the connector's run reported (`completed`, or `idle` when the window was already fetched). */
    readonly outcome: string;
    readonly pages: number;
}

const localApiKey = "local-run-api-key";

/** The stack's fx-rates source (Pulumi.dev.yaml `platform:apiSources`) pointed at the local API. */
export function localApiSource(options: ApiSourceOptions, baseUrl: string): ApiSourceSettings {
    return {
        name: options.sourceName,
        dataset: options.dataset.name,
        baseUrl,
        params: { base: "USD" },
        auth: { type: "apiKey", header: "X-Api-Key" },
        pagination: { style: "cursor", cursorParam: "cursor", cursorField: "next_cursor" },
        recordsField: "data",
        incrementalField: "updated_at",
        windowParams: { start: "updated_since", end: "updated_before" },
        // One window is one UTC day: no look-back into the previous window, the whole day at first.
        lookBackSeconds: 0,
        initialWindowSeconds: 86_400,
        rateLimitPerSecond: 100,
        timeoutSeconds: 10,
        maxAttempts: 3,
        maxPages: 1_000,
    };
}

/** Creates the source's secret in moto's Secrets Manager when missing; returns its ARN. */
async function ensureSecret(context: LocalSourceContext, name: string): Promise<string> {
    const sdk = require("@aws-sdk/client-secrets-manager") as typeof import("@aws-sdk/client-secrets-manager");
    const client = new sdk.SecretsManagerClient({ region: context.settings.region, endpoint: context.settings.motoEndpoint, credentials: context.settings.credentials });
    try {
        try {
            return (await client.send(new sdk.DescribeSecretCommand({ SecretId: name }))).ARN as string;
        } catch (error) {
            if ((error as { name?: string }).name !== "ResourceNotFoundException") {
                throw error;
            }
            return (await client.send(new sdk.CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ apiKey: localApiKey }) }))).ARN as string;
        }
    } finally {
        client.destroy();
    }
}

/** Keeps the connector quiet (the summary reports the counts); failures are logged. */
function quietTelemetry(log: (text: string) => void): PowertoolsConnectorTelemetry {
    return {
        setContext: () => undefined,
        pageFetched: () => undefined,
        apiError: (problem) => log(`api: attempt ${problem.attempt} failed (${problem.status ?? problem.reason}); retrying in ${problem.waitMs} ms\n`),
        runFinished: () => undefined,
        runFailed: (error) => log(`api: the connector run failed: ${describeError(error)}\n`),
    };
}

export function apiSourceStage(options: ApiSourceOptions): LocalSourceStage<ApiLanding> {
    return {
        kind: "api",
        dataset: options.dataset,
        land: async (context: LocalSourceContext): Promise<ApiLanding> => {
            const { window, buckets, settings } = context;
            return context.step(`${options.dataset.name}: fetch`, async () => {
                const api = await startFakeApi({ style: "cursor", pageSize: options.pageSize, apiKey: localApiKey });
                try {
                    api.records.push(...localRatesFor(window.date, { withoutRate: options.withoutRate, badRecords: options.badRecords }));
                    const secretArn = await ensureSecret(context, `local/api-sources/${options.sourceName}`);
                    const handler = createApiConnectorHandlerWith({
                        env: {
                            API_SOURCE: JSON.stringify(localApiSource(options, api.baseUrl)),
                            SECRET_ARN: secretArn,
                            RAW_BUCKET: buckets.raw,
                            REJECTS_BUCKET: buckets.rejects,
                            CHECKPOINT_BUCKET: buckets.state,
                            CHECKPOINT_KEY: `connectors/${options.sourceName}/${window.date}.json`,
                            S3_ENDPOINT: settings.motoEndpoint,
                            SECRETS_ENDPOINT: settings.motoEndpoint,
                            AWS_REGION: settings.region,
                            ...context.lineageEnv,
                        },
                        lineage: context.lineage,
                        environment: { now: () => window.endMs, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)), random: () => Math.random() },
                        telemetry: quietTelemetry(context.log),
                    });
                    const run = await handler({ "detail-type": "Scheduled Event", source: "aws.scheduler" });
                    const served = api.records.filter((record) => record.updated_at >= new Date(window.startMs).toISOString() && record.updated_at < new Date(window.endMs).toISOString()).length;
                    // This window's objects: their names carry the connector's window (raw by event hour, rejects by the window's end).
                    const id = windowId(window.startMs, window.endMs);
                    const counts = (await countLakeRecords(context.s3, options.dataset.name, (parsed) => (parsed.source === options.sourceName && parsed.partition === id ? id : undefined), new Map(), buckets)).get(id);
                    const landed = counts?.rawByDt[window.date] ?? 0;
                    const rejected = totalOf(counts?.rejectedByType ?? {});
                    return {
                        value: {
                            outcome: run.outcome,
                            pages: run.pages,
                            sources: [{ name: `${options.dataset.name} via api`, produced: served, landed, rejected }],
                            rejectedByErrorType: counts?.rejectedByType ?? {},
                        },
                        detail:
                            `connector ${options.sourceName}: ${run.outcome === "idle" ? "window already fetched (checkpoint at its end), nothing requested" : `${plural(run.pages, "page")}, ${plural(run.recordsIn, "record")} fetched`}; ` +
                            `${plural(landed, "record")} in the raw zone, ${plural(rejected, "record")} in the rejects zone of ${plural(served, "record")} the API holds for ${window.date}`,
                    };
                } finally {
                    await api.close();
                }
            });
        },
    };
}
