import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { readPlatformConfig, readSecret } from "./config/stack";
import { capturedDatasets as capturedDatasetsOf } from "./config/databaseSources";
import { Audit, trailBucketName } from "./audit";
import { Batch } from "./batch";
import { ApiConnectors } from "./connectors";
import { Databases } from "./databases";
import { Catalog } from "./catalog";
import { FileDrops } from "./filedrops";
import { FirehoseDelivery } from "./firehose";
import { landingBucketArn } from "./filedrops/decisions";
import { Ingest } from "./ingest";
import { Keys } from "./keys";
import { Lake } from "./lake";
import { Lineage } from "./lineage";
import { Network } from "./network";
import { Observability } from "./observability";
import { cdcScriptKey, Orchestration } from "./orchestration";
import { Query, resultsBucketName } from "./query";
import { Streaming } from "./streaming";
import { Transform } from "./transform";
import { Warehouse } from "./warehouse";
import { zeroEtlEncryptionContext } from "./warehouse/decisions";
import { contextPrefix, keyArns, PlatformBase, PlatformContext } from "./shared/context";

// The program: read and validate the stack config (nothing is declared if it is invalid), build
// the platform context every component shares, compose the components, export what a user needs.
const config = readPlatformConfig();

const provider = new aws.Provider("aws", { region: config.region as aws.Region, defaultTags: { tags: { ...config.tags } } });
const opts = { providers: { aws: provider } };
const base: PlatformBase = {
    project: config.project,
    stack: config.stack,
    environment: config.environment,
    region: config.region,
    accountId: aws.getCallerIdentityOutput({}, { provider }).accountId,
    partition: aws.getPartitionOutput({}, { provider }).partition,
    logRetentionDays: config.logRetentionDays,
    lambdaArchitecture: config.lambdaArchitecture,
    protectData: config.protectData,
};

// A zero-ETL integration (dbSourceZeroEtl) replicates the Aurora source straight into the warehouse, encrypted with the warehouse key.
const zeroEtl = config.databaseSource?.zeroEtl
    ? { ...config.databaseSource.zeroEtl, database: config.databaseSource.database, tables: config.databaseSource.tables }
    : undefined;
const keys = new Keys("keys", { context: base, ...(zeroEtl ? { zeroEtlEncryptionContext: zeroEtlEncryptionContext(contextPrefix(base)) } : {}) }, opts);
const observability = new Observability(
    "observability",
    {
        context: base,
        kmsKeyArn: keys.keys.observability.arn,
        alertEmails: config.alerting.emails,
        pagerDutyEndpoint: config.alerting.pagerDutyEndpointKey ? readSecret(config.alerting.pagerDutyEndpointKey) : undefined,
        budgetMonthlyUsd: config.budget.monthlyUsd,
    },
    opts,
);
const context: PlatformContext = { ...base, keys: keyArns(keys.keys), alarms: observability };

const network = new Network("network", { context, network: config.network }, opts);
// The file-drop landing, Athena results and audit trail buckets have fixed names, so the lake's
// access-log bucket can admit their server access logs before they exist.
const landingArn = pulumi.all([base.partition, base.accountId]).apply(([partition, accountId]) => landingBucketArn(partition, contextPrefix(base), accountId));
const outsideLakeBuckets = [resultsBucketName, ...(config.audit.organizationTrailArn === undefined ? [trailBucketName] : [])].map((bucketName) =>
    pulumi.interpolate`arn:${base.partition}:s3:::${pulumi.output(base.accountId).apply((accountId) => bucketName(config.project, config.stack, accountId))}`,
);
const lake = new Lake("lake", { context, lake: config.lake, accessLogSources: [landingArn, ...outsideLakeBuckets] }, opts);
// Where every stage reports its runs (OpenLineage): a prefix of the raw bucket, and the endpoint the stack names.
const lineage = new Lineage(
    "lineage",
    { context, lineage: config.lineage, rawBucket: lake.buckets.raw, ...(config.lineage.http?.apiKey?.kind === "create" ? { apiKey: readSecret(config.lineage.http.apiKey.configKey) } : {}) },
    opts,
);
const streaming = new Streaming("streaming", { context, streaming: config.streaming, network }, opts);
// Records reach the lake through the ingest function's event source mapping or, on Kinesis stacks
// with ingestDelivery firehose, through a Firehose delivery stream per dataset.
const ingest =
    config.ingest.firehose === undefined
        ? new Ingest("ingest", { context, streaming, ingest: config.ingest, rawBucket: lake.buckets.raw, rejectsBucket: lake.buckets.rejects, lineage }, opts)
        : new FirehoseDelivery("firehose", { context, streaming, ingest: config.ingest, firehose: config.ingest.firehose, rawBucket: lake.buckets.raw }, opts);
const warehouse = new Warehouse(
    "warehouse",
    { context, warehouse: config.warehouse, network: { vpcId: network.vpcId, cidr: network.cidr, privateSubnetIds: network.privateSubnetIds }, curatedBucketArn: lake.buckets.curated.arn, artifactsBucketArn: lake.buckets.artifacts.arn, ...(zeroEtl ? { zeroEtl } : {}) },
    opts,
);
// The captured database's datasets (change data capture), once each, keyed as their table mappings declare: the pipeline applies them, the catalog and the analysts' grants cover them.
const capturedDatasets = capturedDatasetsOf(config.databaseSource);
const transform = new Transform(
    "transform",
    {
        context,
        spark: config.spark,
        network,
        rawBucket: lake.buckets.raw,
        curatedBucket: lake.buckets.curated,
        artifactsBucket: lake.buckets.artifacts,
        // Glue mode runs the CDC apply as a job of its own; the orchestration uploads its script.
        cdcApply: capturedDatasets.length > 0 ? { scriptKey: cdcScriptKey } : undefined,
        lineage,
    },
    opts,
);
const connectors = new ApiConnectors(
    "connectors",
    {
        context,
        sources: config.apiSources,
        rawBucket: lake.buckets.raw,
        rejectsBucket: lake.buckets.rejects,
        lineage,
    },
    opts,
);
const batch = new Batch("batch", { context, batch: config.batch, network, rawBucket: lake.buckets.raw, rejectsBucket: lake.buckets.rejects }, opts);
const orchestration = new Orchestration(
    "orchestration",
    {
        context,
        orchestrator: config.orchestration.orchestrator,
        ...(config.orchestration.airflow ? { airflow: config.orchestration.airflow, network: { vpcId: network.vpcId, privateSubnetIds: network.privateSubnetIds } } : {}),
        schedule: config.orchestration.schedule,
        sweep: config.orchestration.sweep,
        spark: { compute: transform.compute, jobRoleArn: transform.jobRole.arn, jobRoleName: transform.jobRole.name, scriptUri: transform.scriptUri, specUris: transform.specUris },
        // The captured database's datasets: their changes are applied (and references written) before the transforms.
        databaseDatasets: capturedDatasets,
        rawBucket: lake.buckets.raw,
        curatedBucket: lake.buckets.curated,
        artifactsBucket: lake.buckets.artifacts,
        warehouse: { ...warehouse.target, database: warehouse.database, arn: warehouse.arn, adminSecretArn: warehouse.adminSecretArn, loadRoleArn: warehouse.loadRole.arn },
        lineage,
    },
    opts,
);
// The catalog applies the access its consumers declared where they created their principals.
const catalog = new Catalog(
    "catalog",
    {
        context,
        rawBucket: lake.buckets.raw,
        curatedBucket: lake.buckets.curated,
        governance: config.governance,
        databaseDatasets: capturedDatasets,
        access: [...warehouse.catalogAccess, ...transform.catalogAccess, ...orchestration.catalogAccess],
    },
    opts,
);
const fileDrops = new FileDrops(
    "files",
    {
        context,
        fileDrops: config.fileDrops,
        lake: config.lake,
        rawBucket: lake.buckets.raw,
        rejectsBucket: lake.buckets.rejects,
        accessLogsBucket: lake.buckets.accessLogs,
        lineage,
        batch: { jobQueueArn: batch.jobQueueArn, jobDefinitionArn: batch.jobDefinitionArn, jobRoleName: batch.jobRoleName },
        // The drafts database and its Lake Formation grants wait for the catalog's settings.
        catalogDependencies: catalog.dependencies,
    },
    opts,
);
// The operational database captured into the lake (change data capture), when the stack declares one.
const databases = config.databaseSource
    ? new Databases("databases", { context, source: config.databaseSource, network: { vpcId: network.vpcId, privateSubnetIds: network.privateSubnetIds }, rawBucket: lake.buckets.raw, rejectsBucket: lake.buckets.rejects, lineage }, opts)
    : undefined;
const query = new Query(
    "query",
    {
        context,
        query: config.query,
        databaseDatasets: capturedDatasets,
        catalog,
        rawBucket: lake.buckets.raw,
        rejectsBucket: lake.buckets.rejects,
        accessLogsBucket: lake.buckets.accessLogs,
        ...(config.lineage.enabled ? { lineage: { prefix: config.lineage.prefix } } : {}),
    },
    opts,
);
const audit = new Audit(
    "audit",
    {
        context,
        audit: config.audit,
        lakeBuckets: [lake.buckets.raw, lake.buckets.curated, lake.buckets.rejects, lake.buckets.artifacts],
        curatedBucket: lake.buckets.curated,
        accessLogsBucket: lake.buckets.accessLogs,
        catalogEncryption: catalog.encryptionSettings,
        workgroupName: query.workgroups.pipeline.name,
    },
    opts,
);
const dashboard = observability.createDashboard([network, streaming, ingest, warehouse, transform, batch, orchestration, connectors, fileDrops, query, audit, lineage, ...(databases ? [databases] : [])].flatMap((component) => component.alarms));

export const environment = config.environment;
export const rawBucket = lake.buckets.raw.bucket;
export const curatedBucket = lake.buckets.curated.bucket;
export const rejectsBucket = lake.buckets.rejects.bucket;
export const artifactsBucket = lake.buckets.artifacts.bucket;
export const accessLogsBucket = lake.buckets.accessLogs.bucket;
export const streamingEngine = streaming.engine;
export const streams = streaming.engine === "kinesis" ? streaming.sources.map((s) => s.name) : undefined;
export const kafkaTopics = streaming.engine === "msk" ? streaming.sources.map((s) => s.name) : undefined;
export const kafkaBootstrapBrokers = streaming.kafka?.bootstrapBrokers;
/** The AmazonMSK_ secrets associated with the cluster when mskClientAuth includes scram (`npm run produce -- --scram-secret <ARN>`). */
export const mskScramSecretArns = streaming.kafka?.clientAuth.modes.includes("scram") ? streaming.kafka.clientAuth.scramSecretArns : undefined;
export const warehouseEndpoint = warehouse.endpoint;
export const warehouseDatabase = warehouse.database;
export const warehouseTarget = warehouse.target;
export const glueDatabases = { raw: catalog.rawDatabaseName, curated: catalog.curatedDatabaseName };
export const alarmTopicArn = observability.alarmTopic.arn;
export const dashboardName = dashboard.dashboardName;
export const vpcId = network.vpcId;
export const ingestFunctions = ingest instanceof Ingest ? ingest.functions.map((f) => f.name) : undefined;
export const firehoseDeliveryStreams = ingest instanceof FirehoseDelivery ? ingest.deliveryStreams.map((s) => s.name) : undefined;
export const firehoseTransformFunctions = ingest instanceof FirehoseDelivery ? ingest.functions.map((f) => f.name) : undefined;
export const apiConnectorFunctions = connectors.functions.map((f) => f.name);
export const sparkApplicationId = transform.compute.mode === "serverless" ? transform.compute.applicationId : undefined;
export const sparkClusterId = transform.compute.mode === "cluster" ? transform.compute.clusterId : undefined;
export const sparkGlueJobs = transform.compute.mode === "glue" ? { transform: transform.compute.transformJob.name, cdcApply: transform.compute.cdcApplyJob?.name } : undefined;
export const batchJobQueue = batch.jobQueueArn;
export const batchJobDefinition = batch.jobDefinitionArn;
export const pipelineStateMachine = orchestration.stateMachineArn;
/** orchestrator airflow: the MWAA environment and its private web server (reach it from the VPC). */
export const airflowEnvironment = orchestration.airflowEnvironmentName;
export const airflowWebserverUrl = orchestration.airflowWebserverUrl;
export const athenaWorkgroups = { analysts: query.workgroups.analysts.name, pipeline: query.workgroups.pipeline.name };
export const athenaResultsBucket = query.resultsBucket.bucket;
export const analystRoleArn = query.analystRole.arn;
export const auditTrailArn = audit.trailArn;
export const landingBucket = fileDrops.landingBucket.bucket;
export const fileDropFunctions = fileDrops.functions.map((f) => f.name);
export const fileDropDraftsCrawler = fileDrops.draftsCrawlerName;
export const databaseReplication = databases?.replicationConfigArn;
export const changeFileLandingFunction = databases?.landingFunction.name;
export const zeroEtlIntegration = warehouse.zeroEtlIntegrationArn;
export const lineageLocation = lineage.sparkUri;
