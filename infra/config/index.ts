/**
 * The stack config, read once and handed to components as plain typed objects. Each area
 * (environment, network, streaming, ingest, lake, governance, spark, batch, warehouse,
 * orchestration, budget, alerting) has its own module with its keys and its parser; this module
 * composes them over one `ConfigReader`, so every problem of every area is reported at once.
 */
import { AlertingConfig, parseAlerting } from "./alerting";
import { AuditConfig, parseAudit } from "./audit";
import { ApiSourceConfig, parseApiSources } from "./apiSources";
import { BatchConfig, parseBatch } from "./batch";
import { BudgetConfig, parseBudget } from "./budget";
import { DatabaseSourceConfig, parseDatabaseSource } from "./databaseSources";
import { Environment } from "./catalog";
import { LambdaArchitecture, parseEnvironment } from "./environment";
import { FileDropsConfig, parseFileDrops } from "./fileDrops";
import { GovernanceConfig, parseGovernance } from "./governance";
import { IngestConfig, parseIngest } from "./ingest";
import { configKeys } from "./keys";
import { LakeConfig, parseLake } from "./lake";
import { lakeDataPrefixes, LineageConfig, parseLineage } from "./lineage";
import { databaseDatasets as capturableDatasets, datasets as platformDatasets } from "../../runtime/datasets";
import { NetworkConfig, parseNetwork } from "./network";
import { OrchestrationConfig, parseOrchestration } from "./orchestration";
import { parseQuery, QueryConfig } from "./query";
import { ConfigError, ConfigReader, RawStackConfig } from "./reader";
import { parseSpark, SparkConfig } from "./spark";
import { parseStreaming, StreamingConfig } from "./streaming";
import { parseWarehouse, WarehouseConfig } from "./warehouse";

export { configKeys, configNamespace } from "./keys";
export { ConfigError } from "./reader";
export type { ConfigKey, ConfigProblem, RawStackConfig } from "./reader";
export type { Environment } from "./catalog";
export type { AlertingConfig } from "./alerting";
export type { ApiSourceConfig } from "./apiSources";
export type { BatchConfig } from "./batch";
export type { BudgetConfig } from "./budget";
export type { CapturedTableConfig, DatabaseSourceConfig } from "./databaseSources";
export type { GovernanceConfig } from "./governance";
export type { FirehoseDeliveryConfig, IngestConfig, IngestDelivery } from "./ingest";
export type { LakeConfig } from "./lake";
export type { LineageApiKeyConfig, LineageConfig } from "./lineage";
export type { NatStrategy, NetworkConfig } from "./network";
export type { OrchestrationConfig } from "./orchestration";
export type { SparkConfig } from "./spark";
export type { KinesisConfig, MskClientAuthConfig, MskClientAuthMode, MskConfig, StreamingConfig } from "./streaming";
export type { WarehouseConfig } from "./warehouse";
export type { QueryConfig } from "./query";
export type { AuditConfig } from "./audit";
export type { FileDropConfig, FileDropsConfig } from "./fileDrops";

/**
 * The stack's configuration, parsed, defaulted and validated: plain typed objects that
 * components receive. Components never read `pulumi.Config` themselves.
 */
export interface PlatformConfig {
    readonly project: string;
    readonly stack: string;
    readonly environment: Environment;
    readonly region: string;
    /** Tags applied to every taggable resource through the provider's default tags. */
    readonly tags: Readonly<Record<string, string>>;
    readonly protectData: boolean;
    readonly logRetentionDays: number;
    readonly lambdaArchitecture: LambdaArchitecture;
    readonly network: NetworkConfig;
    readonly streaming: StreamingConfig;
    readonly ingest: IngestConfig;
    readonly lake: LakeConfig;
    readonly governance: GovernanceConfig;
    readonly spark: SparkConfig;
    readonly batch: BatchConfig;
    readonly warehouse: WarehouseConfig;
    readonly orchestration: OrchestrationConfig;
    readonly budget: BudgetConfig;
    readonly alerting: AlertingConfig;
    readonly query: QueryConfig;
    readonly audit: AuditConfig;
    /** Where the stages' OpenLineage run events go. */
    readonly lineage: LineageConfig;
    /** Scheduled HTTP API connectors, one per source. */
    readonly apiSources: readonly ApiSourceConfig[];
    readonly fileDrops: FileDropsConfig;
    /** The operational database captured by change data capture; undefined when the stack has none. */
    readonly databaseSource?: DatabaseSourceConfig;
}

/**
 * Reads, defaults and validates the whole stack config. Throws a `ConfigError` listing every
 * problem (key, expected, found, fix) before any resource is declared.
 */
export function parsePlatformConfig(raw: RawStackConfig): PlatformConfig {
    const reader = new ConfigReader(raw, configKeys);
    // The areas run in this order so problems are listed the way a reader meets the stack file:
    // the stack itself first, then the network the others depend on, then each workload.
    const { environment, region, tags, protectData, logRetentionDays, lambdaArchitecture } = parseEnvironment(reader);
    const { subnets, ...network } = parseNetwork(reader, environment);
    const streaming = parseStreaming(reader, environment, network.availabilityZones);
    const ingest = parseIngest(reader, streaming.engine);
    const lake = parseLake(reader);
    const governance = parseGovernance(reader);
    const spark = parseSpark(reader, environment);
    const batch = parseBatch(reader, environment);
    const warehouse = parseWarehouse(reader, environment, network.availabilityZones);
    const orchestration = parseOrchestration(reader, environment);
    if (orchestration.orchestrator === "airflow" && spark.mode === "glue") {
        // The DAG renders EMR Serverless and EMR cluster runs (runtime/airflow); Glue runs are the state machine's.
        reader.fail("orchestrator", "stepfunctions with sparkMode glue (the Airflow DAG runs Spark on EMR Serverless or an EMR cluster)", "airflow", "pulumi config set platform:orchestrator stepfunctions, or pulumi config set platform:sparkMode serverless");
    }
    const budget = parseBudget(reader);
    const alerting = parseAlerting(reader, environment);
    const query = parseQuery(reader);
    const audit = parseAudit(reader);
    const apiSources = parseApiSources(reader, region);
    const fileDrops = parseFileDrops(reader);
    const databaseSource = parseDatabaseSource(reader);
    // Every dataset the lake may hold, captured or not, so turning a capture on never collides with lineage.
    const lineage = parseLineage(reader, { project: raw.project, stack: raw.stack, region, dataPrefixes: lakeDataPrefixes([...platformDatasets, ...capturableDatasets]) });

    if (reader.problems.length > 0 || !subnets || !region) {
        throw new ConfigError(raw.stack, reader.problems);
    }
    return {
        project: raw.project,
        stack: raw.stack,
        environment,
        region,
        tags,
        protectData,
        logRetentionDays,
        lambdaArchitecture,
        network: { ...network, subnets },
        streaming,
        ingest,
        lake,
        governance,
        spark,
        batch,
        warehouse,
        orchestration,
        budget,
        alerting,
        query,
        audit,
        lineage,
        apiSources,
        fileDrops,
        ...(databaseSource ? { databaseSource } : {}),
    };
}
