import { Environment, getIntegerFromEnv, getOptionalStringFromEnv, getStringFromEnv } from "../common/env";
import { BatchLimits, parseS3Uri } from "./manifest";
import { WarehouseTarget } from "./dataApi";
import { WarehouseConfigError } from "./errors";
import { quoteIdentifier } from "./sql";
import type { DatasetDefinition } from "../datasets";

/**
 * Settings of the loader (and of the quality step's warehouse queries), read from environment
 * variables that infra sets on the Lambda function or Batch job:
 *
 * | variable | meaning |
 * | --- | --- |
 * | `WAREHOUSE_WORKGROUP_NAME` | Redshift Serverless workgroup (or use `WAREHOUSE_CLUSTER_ID`) |
 * | `WAREHOUSE_CLUSTER_ID` | provisioned cluster identifier (or use `WAREHOUSE_WORKGROUP_NAME`) |
 * | `WAREHOUSE_DATABASE` | database name (required) |
 * | `WAREHOUSE_SECRET_ARN` | Secrets Manager secret with the credentials (optional for Serverless: IAM otherwise) |
 * | `WAREHOUSE_DB_USER` | cluster only: database user for IAM temporary credentials, instead of a secret |
 * | `WAREHOUSE_SCHEMA` | schema of the target and ledger tables; defaults to `analytics` |
 * | `WAREHOUSE_COPY_ROLE_ARN` | IAM role Redshift assumes for COPY (required by the loader) |
 * | `CURATED_URI` | curated zone root, the Spark job's `--curated-uri` (required by the loader) |
 * | `MANIFEST_URI` | where manifests go; defaults to `<CURATED_URI>/_manifests` |
 * | `LOAD_MAX_FILES_PER_BATCH` | files per load transaction; defaults to 500 |
 * | `STATEMENT_TIMEOUT_SECONDS` | how long to wait for one statement; defaults to 900 |
 * | `SPECTRUM_CATALOG_DATABASE` | Glue database to expose as a Spectrum external schema (optional) |
 * | `SPECTRUM_SCHEMA` | name of that external schema; defaults to `lake` |
 * | `GLUE_CURATED_DATABASE` | Glue database whose curated tables get their `dt` partitions registered after each load (optional) |
 * | `WAREHOUSE_CDC_KEYS` | captured datasets' keys as their table mappings declare them, `dataset=key1+key2,…` (optional; a dataset not listed keeps its definition's key) |
 */
export interface WarehouseSettings {
    readonly target: WarehouseTarget;
    readonly schema: string;
    readonly timeoutMs: number;
}

export interface LoaderSettings extends WarehouseSettings {
    readonly copyRoleArn: string;
    readonly curatedUri: string;
    readonly manifestUri: string;
    readonly batchLimits: BatchLimits;
    /** Set when GLUE_CURATED_DATABASE is: where the loader registers the curated date partitions. */
    readonly glueDatabase?: string;
    /** Set when SPECTRUM_CATALOG_DATABASE is: the external schema the loader creates with the tables. */
    readonly spectrum?: { readonly schema: string; readonly catalogDatabase: string; readonly iamRoleArn: string };
}

type Env = Environment;

// The runtime's one environment reader (common/env.ts): its errors are ConfigurationErrors naming
// the variable, what was expected, what was found and the fix.
function optional(env: Env, name: string): string | undefined {
    return getOptionalStringFromEnv({ key: name, env });
}

function required(env: Env, name: string, meaning: string): string {
    return getStringFromEnv({ key: name, env, purpose: meaning });
}

function positiveInteger(env: Env, name: string, fallback: number): number {
    return getIntegerFromEnv({ key: name, env, defaultValue: fallback, min: 1 });
}

/** Target, schema and timeout for running statements. */
export function warehouseSettingsFromEnv(env: Env = process.env): WarehouseSettings {
    const workgroupName = optional(env, "WAREHOUSE_WORKGROUP_NAME");
    const clusterIdentifier = optional(env, "WAREHOUSE_CLUSTER_ID");
    const database = required(env, "WAREHOUSE_DATABASE", "the Redshift database name");
    const secretArn = optional(env, "WAREHOUSE_SECRET_ARN");
    const dbUser = optional(env, "WAREHOUSE_DB_USER");
    if ((workgroupName === undefined) === (clusterIdentifier === undefined)) {
        throw new WarehouseConfigError(
            `set exactly one of WAREHOUSE_WORKGROUP_NAME (Serverless) and WAREHOUSE_CLUSTER_ID (provisioned); found ${workgroupName === undefined ? "neither" : "both"}`,
        );
    }
    if (workgroupName !== undefined && dbUser !== undefined) {
        throw new WarehouseConfigError("WAREHOUSE_DB_USER applies to provisioned clusters only; unset it or use WAREHOUSE_CLUSTER_ID");
    }
    const target: WarehouseTarget =
        workgroupName !== undefined
            ? { workgroupName, database, ...(secretArn ? { secretArn } : {}) }
            : { clusterIdentifier: clusterIdentifier as string, database, ...(secretArn ? { secretArn } : {}), ...(dbUser ? { dbUser } : {}) };
    const schema = optional(env, "WAREHOUSE_SCHEMA") ?? "analytics";
    quoteIdentifier(schema);
    return { target, schema, timeoutMs: positiveInteger(env, "STATEMENT_TIMEOUT_SECONDS", 900) * 1000 };
}

/** Everything the loader needs. */
export function loaderSettingsFromEnv(env: Env = process.env): LoaderSettings {
    const base = warehouseSettingsFromEnv(env);
    const curatedUri = required(env, "CURATED_URI", "the curated zone root, e.g. s3://<bucket>/curated").replace(/\/+$/, "");
    parseS3Uri(curatedUri);
    const manifestUri = (optional(env, "MANIFEST_URI") ?? `${curatedUri}/_manifests`).replace(/\/+$/, "");
    parseS3Uri(manifestUri);
    const copyRoleArn = required(env, "WAREHOUSE_COPY_ROLE_ARN", "the IAM role ARN Redshift assumes for COPY");
    const catalogDatabase = optional(env, "SPECTRUM_CATALOG_DATABASE");
    const glueDatabase = optional(env, "GLUE_CURATED_DATABASE");
    return {
        ...base,
        ...(glueDatabase ? { glueDatabase } : {}),
        ...(catalogDatabase ? { spectrum: { schema: optional(env, "SPECTRUM_SCHEMA") ?? "lake", catalogDatabase, iamRoleArn: copyRoleArn } } : {}),
        copyRoleArn,
        curatedUri,
        manifestUri,
        batchLimits: { maxFiles: positiveInteger(env, "LOAD_MAX_FILES_PER_BATCH", 500) },
    };
}

/** The variable naming the keys of captured (database) datasets: `dataset=key1+key2`, comma-separated. */
export const cdcKeysVariable = "WAREHOUSE_CDC_KEYS";

/** The `WAREHOUSE_CDC_KEYS` value for datasets (what infra/orchestration writes). */
export function formatCdcKeys(datasets: readonly Pick<DatasetDefinition, "name" | "key">[]): string {
    return datasets.map((dataset) => `${dataset.name}=${dataset.key.join("+")}`).join(",");
}

/**
 * The known datasets with the keys `WAREHOUSE_CDC_KEYS` declares for captured ones (a table
 * mapped as `schema.table=dataset:key1+key2` in dbSourceTables): the sync's DELETE, MERGE and
 * primary key then use the same key as the CDC apply. Errors name the variable, the entry, what
 * was expected and the fix.
 */
export function withCdcKeys(env: Env, known: readonly DatasetDefinition[]): DatasetDefinition[] {
    const text = optional(env, cdcKeysVariable);
    if (text === undefined) {
        return [...known];
    }
    const keys = new Map<string, string[]>();
    for (const entry of text.split(",").map((part) => part.trim()).filter((part) => part !== "")) {
        const match = /^([a-z][a-z0-9_]*)=([a-z_][a-z0-9_]*(?:\+[a-z_][a-z0-9_]*)*)$/.exec(entry);
        if (!match) {
            throw new WarehouseConfigError(`${cdcKeysVariable} entry '${entry}': expected dataset=key1+key2 (e.g. customers=id); fix the entry or unset ${cdcKeysVariable}`);
        }
        const [, name, keyText] = match as unknown as [string, string, string];
        const dataset = known.find((candidate) => candidate.name === name);
        if (!dataset || dataset.source !== "database") {
            const captured = known.filter((candidate) => candidate.source === "database").map((candidate) => candidate.name);
            throw new WarehouseConfigError(`${cdcKeysVariable} entry '${entry}': expected a captured (database) dataset, one of ${captured.join(", ") || "none"}; found '${name}'. Remove the entry or add the dataset's definition`);
        }
        const key = keyText.split("+");
        const unknown = key.filter((column) => !dataset.fields.some((field) => field.name === column));
        if (unknown.length > 0) {
            throw new WarehouseConfigError(`${cdcKeysVariable} entry '${entry}': expected key columns of dataset '${name}' (${dataset.fields.map((field) => field.name).join(", ")}); found unknown column(s) ${unknown.join(", ")}. Fix the table mapping's key in dbSourceTables`);
        }
        if (keys.has(name)) {
            throw new WarehouseConfigError(`${cdcKeysVariable}: expected each dataset once; found '${name}' twice. Keep one entry`);
        }
        keys.set(name, key);
    }
    return known.map((dataset) => (keys.has(dataset.name) ? { ...dataset, key: keys.get(dataset.name) as string[] } : dataset));
}
