import { GlueClient } from "@aws-sdk/client-glue";
import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { S3Client } from "@aws-sdk/client-s3";
import { DatasetDefinition, datasets as allDatasets, getDataset } from "../datasets";
import { loaderSettingsFromEnv } from "./config";
import { DataApiExecutor } from "./dataApi";
import { WarehouseConfigError } from "./errors";
import { loadCurated, LoadResult } from "./loader";
import { PartitionRegistration, registerCuratedPartitions } from "./partitions";

/** What the orchestrator sends: the dataset to load (Step Functions passes it through). */
export interface LoadEvent {
    readonly dataset: string;
}

/** The load's result, plus the Glue partitions registered for Spectrum when a catalog database is configured. */
export type LoadHandlerResult = LoadResult & { readonly partitions?: readonly PartitionRegistration[] };

export interface LoadHandlerOptions {
    /** Defaults to process.env (read once, when the handler is created). */
    readonly env?: Readonly<Record<string, string | undefined>>;
    readonly s3?: S3Client;
    readonly redshiftData?: RedshiftDataClient;
    readonly glue?: Pick<GlueClient, "send">;
    /** Defaults to every dataset the platform deploys. */
    readonly datasets?: readonly DatasetDefinition[];
}

/**
 * A Lambda/Batch handler that loads a dataset's new curated files into Redshift. Clients and
 * settings are created once per handler (the `callbackFactory` pattern); each call is
 * `loadCurated` for `event.dataset`, logging one JSON line per step and returning the result.
 */
export function createLoadHandler(options: LoadHandlerOptions = {}): (event: LoadEvent) => Promise<LoadHandlerResult> {
    const settings = loaderSettingsFromEnv(options.env ?? process.env);
    const s3 = options.s3 ?? new S3Client({});
    const warehouse = new DataApiExecutor(options.redshiftData ?? new RedshiftDataClient({}), settings.target, { timeoutMs: settings.timeoutMs });
    const known = options.datasets ?? allDatasets;
    const glue = settings.glueDatabase ? (options.glue ?? new GlueClient({})) : undefined;
    const log = (message: string, details: Record<string, unknown>) => console.log(JSON.stringify({ level: "INFO", message, ...details }));
    return async (event: LoadEvent) => {
        if (typeof event?.dataset !== "string") {
            throw new WarehouseConfigError(`load event must name a dataset, e.g. {"dataset":"orders"}; found ${JSON.stringify(event)}`);
        }
        const dataset = getDataset(event.dataset, known);
        const loaded = await loadCurated(
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
        if (!glue || !settings.glueDatabase) {
            return loaded;
        }
        const partitions = await registerCuratedPartitions({ s3, glue }, { dataset, curatedUri: settings.curatedUri, database: settings.glueDatabase });
        log("registered curated partitions", { dataset: dataset.name, partitions });
        return { ...loaded, partitions };
    };
}
