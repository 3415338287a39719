import type { GlueClient } from "@aws-sdk/client-glue";
import type { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import type { S3Client } from "@aws-sdk/client-s3";
import { addLambdaContext, createLogger, Logger } from "../common/telemetry";
import { databaseDatasets, DatasetDefinition, datasets as streamDatasets, getDataset } from "../datasets";
import { CdcSyncResult, syncCdcTable } from "./cdc";
import { loaderSettingsFromEnv, withCdcKeys } from "./config";
import { DataApiExecutor } from "./dataApi";
import { functionLineage } from "../lineage";
import { WarehouseConfigError } from "./errors";
import { emitLoadFailure, emitLoadLineage, emitSyncLineage, LoadLineageOptions, warehouseTableDataset } from "./lineage";
import { loadCurated, LoadResult } from "./loader";
import { PartitionRegistration, registerCuratedPartitions } from "./partitions";

/** What the orchestrator sends: the dataset to load (Step Functions passes it through). */
export interface LoadEvent {
    readonly dataset: string;
}

/** The load's result, plus the Glue partitions registered for Spectrum when a catalog database is configured. */
export type LoadHandlerResult = (LoadResult & { readonly partitions?: readonly PartitionRegistration[] }) | (CdcSyncResult & { readonly mode: "cdc-sync" });

export interface LoadHandlerOptions {
    /** Defaults to process.env (read once, when the handler is created). */
    readonly env?: Readonly<Record<string, string | undefined>>;
    readonly s3?: S3Client;
    readonly redshiftData?: RedshiftDataClient;
    readonly glue?: Pick<GlueClient, "send">;
    /** Defaults to every dataset the platform deploys, stream and database alike; WAREHOUSE_CDC_KEYS re-keys captured ones. */
    readonly datasets?: readonly DatasetDefinition[];
    /** Where each step is logged. Defaults to a Powertools Logger with service `warehouse-load`. */
    readonly logger?: Logger;
    /** Where lineage events go. Defaults to the LINEAGE_* variables (runtime/lineage/settings.ts); none when LINEAGE_BUCKET is unset. */
    readonly lineage?: LoadLineageOptions;
}

/**
 * A Lambda/Batch handler that loads a dataset's new curated files into Redshift. Clients and
 * settings are created once per handler (the `callbackFactory` pattern); each call is
 * `loadCurated` for `event.dataset`, logging one JSON line per step and returning the result; a
 * database dataset (change data capture) is synchronised instead: the table is made equal to the
 * curated state the CDC apply rebuilt (runtime/warehouse/cdc.ts, staged DELETE + MERGE).
 * The AWS SDK and Powertools are loaded here, once per cold start, not at module scope (the reason
 * is in runtime/common/telemetry.ts).
 */
export function createLoadHandler(options: LoadHandlerOptions = {}): (event: LoadEvent) => Promise<LoadHandlerResult> {
    const settings = loaderSettingsFromEnv(options.env ?? process.env);
    const s3 = options.s3 ?? new (require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3")).S3Client({});
    const redshiftData = options.redshiftData ?? new (require("@aws-sdk/client-redshift-data") as typeof import("@aws-sdk/client-redshift-data")).RedshiftDataClient({});
    const warehouse = new DataApiExecutor(redshiftData, settings.target, { timeoutMs: settings.timeoutMs });
    // A captured dataset keyed by its table mapping (WAREHOUSE_CDC_KEYS) is synchronised on that key.
    const known = withCdcKeys(options.env ?? process.env, options.datasets ?? [...streamDatasets, ...databaseDatasets]);
    const glue = settings.glueDatabase ? (options.glue ?? new (require("@aws-sdk/client-glue") as typeof import("@aws-sdk/client-glue")).GlueClient({})) : undefined;
    const logger = options.logger ?? createLogger({ serviceName: "warehouse-load" });
    const log = (message: string, details: Record<string, unknown>) => logger.info(message, details);
    const env = options.env ?? process.env;
    const emitting = options.lineage
        ? undefined
        : functionLineage({
              env,
              // The load is unaffected; the line carries a metric filter's pattern (LineageEmitFailures).
              onFailure: (failure) => logger.warn("lineage events could not be delivered; the load is unaffected", { metric: "LineageEmitFailures", transport: failure.transport, error: failure.message }),
          });
    const lineage: LoadLineageOptions | undefined =
        options.lineage ??
        (emitting
            ? {
                  ...emitting,
                  table: warehouseTableDataset(settings.target, settings.schema, env.AWS_REGION ?? "us-east-1"),
              }
            : undefined);
    return async (event: LoadEvent, context?: unknown) => {
        addLambdaContext(logger, context);
        if (typeof event?.dataset !== "string") {
            throw new WarehouseConfigError(`load event must name a dataset, e.g. {"dataset":"orders"}; found ${JSON.stringify(event)}`);
        }
        const dataset = getDataset(event.dataset, known);
        if (dataset.source === "database") {
            const syncStartedAt = new Date();
            let synced: CdcSyncResult;
            try {
                synced = await syncCdcTable(
                    { warehouse, s3 },
                    { dataset, schema: settings.schema, curatedUri: settings.curatedUri, manifestUri: settings.manifestUri, dialect: { engine: "redshift", copyRoleArn: settings.copyRoleArn } },
                );
            } catch (error) {
                if (lineage) {
                    await emitSyncLineage(lineage, { dataset, curatedUri: settings.curatedUri, startedAt: syncStartedAt, syncId: `failed-${syncStartedAt.toISOString()}`, error });
                }
                throw error;
            }
            log("synchronised the change-data-capture table", { dataset: dataset.name, files: synced.files, statementId: synced.statementId });
            if (lineage) {
                await emitSyncLineage(lineage, { dataset, curatedUri: settings.curatedUri, startedAt: syncStartedAt, syncId: synced.loadId });
            }
            return { ...synced, mode: "cdc-sync" };
        }
        const startedAt = new Date();
        let loaded: LoadResult;
        try {
            loaded = await load(dataset);
        } catch (error) {
            if (lineage) {
                await emitLoadFailure(lineage, { dataset, curatedUri: settings.curatedUri, error });
            }
            throw error;
        }
        if (lineage) {
            await emitLoadLineage(lineage, { dataset, curatedUri: settings.curatedUri, startedAt, result: loaded });
        }
        if (!glue || !settings.glueDatabase) {
            return loaded;
        }
        const partitions = await registerCuratedPartitions({ s3, glue }, { dataset, curatedUri: settings.curatedUri, database: settings.glueDatabase });
        log("registered curated partitions", { dataset: dataset.name, partitions });
        return { ...loaded, partitions };
    };

    function load(dataset: DatasetDefinition): Promise<LoadResult> {
        return loadCurated(
            { s3, warehouse, log },
            {
                dataset,
                schema: settings.schema,
                curatedUri: settings.curatedUri,
                manifestUri: settings.manifestUri,
                dialect: { engine: "redshift", copyRoleArn: settings.copyRoleArn },
                batchLimits: settings.batchLimits,
                ...(settings.spectrum ? { spectrum: settings.spectrum } : {}),
            },
        );
    }
}
