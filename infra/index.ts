import * as aws from "@pulumi/aws";
import { datasets } from "../runtime/datasets";
import { readPlatformConfig, readSecret } from "./config/stack";
import { Batch } from "./batch";
import { Catalog } from "./catalog";
import { Ingest } from "./ingest";
import { Keys } from "./keys";
import { Lake } from "./lake";
import { Network } from "./network";
import { Observability } from "./observability";
import { Orchestration } from "./orchestration";
import { Streaming } from "./streaming";
import { Transform } from "./transform";
import { Warehouse } from "./warehouse";

// The program: read and validate the stack config (nothing is declared if it is invalid),
// compose the platform's components, export what a user needs.
const config = readPlatformConfig();

const provider = new aws.Provider("aws", { region: config.region as aws.Region, defaultTags: { tags: { ...config.tags } } });
const opts = { providers: { aws: provider } };
const identity = aws.getCallerIdentityOutput({}, { provider });
const partition = aws.getPartitionOutput({}, { provider }).partition;
const accountId = identity.accountId;
const base = { project: config.project, stack: config.stack };

const keys = new Keys("keys", { ...base, region: config.region, accountId, partition, protectData: config.protectData }, opts);

const observability = new Observability(
    "observability",
    {
        ...base,
        region: config.region,
        accountId,
        kmsKeyArn: keys.keys.observability.arn,
        alertEmails: config.alerting.emails,
        pagerDutyEndpoint: config.alerting.pagerDutyEndpointKey ? readSecret(config.alerting.pagerDutyEndpointKey) : undefined,
        budgetMonthlyUsd: config.budget.monthlyUsd,
    },
    opts,
);

const network = new Network(
    "network",
    { ...base, region: config.region, accountId, network: config.network, logsKeyArn: keys.keys.observability.arn, logRetentionDays: config.logRetentionDays, observability },
    opts,
);

const lake = new Lake("lake", { accountId, lake: config.lake, kmsKeyArn: keys.keys.lake.arn, protectData: config.protectData }, opts);

const streaming = new Streaming(
    "streaming",
    {
        ...base,
        streaming: config.streaming,
        datasets,
        vpcId: network.vpcId,
        privateSubnetIds: network.privateSubnetIds,
        kmsKeyArn: keys.keys.streaming.arn,
        logsKeyArn: keys.keys.observability.arn,
        logRetentionDays: config.logRetentionDays,
        protectData: config.protectData,
        observability,
    },
    opts,
);

const ingest = new Ingest(
    "ingest",
    {
        ...base,
        region: config.region,
        accountId,
        engine: streaming.engine,
        sources: streaming.sources,
        ingest: config.ingest,
        rawBucket: lake.buckets.raw,
        rejectsBucket: lake.buckets.rejects,
        lakeKeyArn: keys.keys.lake.arn,
        streamingKeyArn: keys.keys.streaming.arn,
        logsKeyArn: keys.keys.observability.arn,
        logRetentionDays: config.logRetentionDays,
        vpc: streaming.clientSecurityGroupId ? { subnetIds: network.privateSubnetIds, securityGroupId: streaming.clientSecurityGroupId } : undefined,
        observability,
    },
    opts,
);

const catalog = new Catalog(
    "catalog",
    {
        ...base,
        accountId,
        datasets,
        rawBucket: lake.buckets.raw,
        curatedBucket: lake.buckets.curated,
        lakeKeyArn: keys.keys.lake.arn,
        governance: config.governance,
        protectData: config.protectData,
    },
    opts,
);

const warehouse = new Warehouse(
    "warehouse",
    {
        ...base,
        region: config.region,
        accountId,
        partition,
        warehouse: config.warehouse,
        vpcId: network.vpcId,
        vpcCidr: network.cidr,
        privateSubnetIds: network.privateSubnetIds,
        kmsKeyArn: keys.keys.warehouse.arn,
        lakeKeyArn: keys.keys.lake.arn,
        curatedBucketArn: lake.buckets.curated.arn,
        artifactsBucketArn: lake.buckets.artifacts.arn,
        curatedDatabase: catalog.curatedDatabaseName,
        protectData: config.protectData,
        observability,
    },
    opts,
);
catalog.grant({ name: "warehouse", principalArn: warehouse.loadRole.arn, zone: "curated", tablePermissions: ["SELECT", "DESCRIBE"], databasePermissions: ["DESCRIBE"] });

const transform = new Transform(
    "transform",
    {
        ...base,
        region: config.region,
        accountId,
        partition,
        spark: config.spark,
        datasets,
        vpcId: network.vpcId,
        privateSubnetIds: network.privateSubnetIds,
        rawBucket: lake.buckets.raw,
        curatedBucket: lake.buckets.curated,
        artifactsBucket: lake.buckets.artifacts,
        lakeKeyArn: keys.keys.lake.arn,
        curatedDatabase: catalog.curatedDatabaseName,
        observability,
    },
    opts,
);
catalog.grant({ name: "spark", principalArn: transform.jobRole.arn, zone: "raw", tablePermissions: ["SELECT", "DESCRIBE"], databasePermissions: ["DESCRIBE"] });
catalog.grant({ name: "spark", principalArn: transform.jobRole.arn, zone: "curated", tablePermissions: ["SELECT", "DESCRIBE", "INSERT", "DELETE", "ALTER"], databasePermissions: ["DESCRIBE"] });
catalog.grantDataLocation("spark", transform.jobRole.arn, "curated");

const batch = new Batch(
    "batch",
    {
        ...base,
        region: config.region,
        accountId,
        batch: config.batch,
        datasets: datasets.map((d) => d.name),
        vpcId: network.vpcId,
        privateSubnetIds: network.privateSubnetIds,
        rawBucket: lake.buckets.raw,
        rejectsBucket: lake.buckets.rejects,
        lakeKeyArn: keys.keys.lake.arn,
        logsKeyArn: keys.keys.observability.arn,
        logRetentionDays: config.logRetentionDays,
        protectData: config.protectData,
        observability,
    },
    opts,
);

const orchestration = new Orchestration(
    "orchestration",
    {
        ...base,
        environment: config.environment,
        region: config.region,
        accountId,
        partition,
        schedule: config.orchestration.schedule,
        sweep: config.orchestration.sweep,
        datasets,
        spark: {
            mode: transform.mode,
            id: (transform.applicationId ?? transform.clusterId)!,
            arn: (transform.applicationArn ?? transform.clusterArn)!,
            jobRoleArn: transform.jobRole.arn,
            scriptUri: transform.scriptUri,
            specUris: transform.specUris,
        },
        rawBucket: lake.buckets.raw,
        curatedBucket: lake.buckets.curated,
        artifactsBucket: lake.buckets.artifacts,
        lakeKeyArn: keys.keys.lake.arn,
        warehouseKeyArn: keys.keys.warehouse.arn,
        observabilityKeyArn: keys.keys.observability.arn,
        curatedDatabase: catalog.curatedDatabaseName,
        warehouse: { ...warehouse.target, database: warehouse.database, arn: warehouse.arn, adminSecretArn: warehouse.adminSecretArn, loadRoleArn: warehouse.loadRole.arn },
        logRetentionDays: config.logRetentionDays,
        observability,
    },
    opts,
);

// The load function registers curated date partitions in Glue (for Spectrum) through Lake Formation.
catalog.grant({ name: "load", principalArn: orchestration.loadFunction.role, zone: "curated", tablePermissions: ["DESCRIBE", "ALTER"], databasePermissions: ["DESCRIBE"] });

const dashboard = observability.finish();

export const environment = config.environment;
export const rawBucket = lake.buckets.raw.bucket;
export const curatedBucket = lake.buckets.curated.bucket;
export const rejectsBucket = lake.buckets.rejects.bucket;
export const artifactsBucket = lake.buckets.artifacts.bucket;
export const accessLogsBucket = lake.buckets.accessLogs.bucket;
export const streamingEngine = streaming.engine;
export const streams = streaming.engine === "kinesis" ? streaming.sources.map((s) => s.name) : undefined;
export const kafkaTopics = streaming.engine === "msk" ? streaming.sources.map((s) => s.name) : undefined;
export const kafkaBootstrapBrokers = streaming.bootstrapBrokers;
export const warehouseEndpoint = warehouse.endpoint;
export const warehouseDatabase = warehouse.database;
export const warehouseTarget = warehouse.target;
export const glueDatabases = { raw: catalog.rawDatabaseName, curated: catalog.curatedDatabaseName };
export const alarmTopicArn = observability.alarmTopic.arn;
export const dashboardName = dashboard.dashboardName;
export const vpcId = network.vpcId;
export const ingestFunctions = ingest.functions.map((f) => f.name);
export const sparkApplicationId = transform.applicationId;
export const sparkClusterId = transform.clusterId;
export const batchJobQueue = batch.jobQueueArn;
export const batchJobDefinition = batch.jobDefinitionArn;
export const pipelineStateMachine = orchestration.stateMachineArn;
