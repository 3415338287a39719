import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cdcApplyScriptPath, renderCdcApplySpec } from "../../runtime/cdc/spec";
import { cdcKeysVariable, formatCdcKeys } from "../../runtime/warehouse/config";
import { DatasetDefinition, datasets as platformDatasets } from "../../runtime/datasets";
import { createQualityHandler } from "../../runtime/quality/handler";
import { createLoadHandler } from "../../runtime/warehouse/handler";
import { catalogDatabaseNames, CatalogGrant } from "../catalog/decisions";
import { contextPrefix, PlatformContext, RegisteredAlarm } from "../shared/context";
import { PolicyDocument, Statement } from "../shared/iam";
import { serviceRole } from "../shared/role";
import { scheduledStarts } from "../shared/schedule";
import { SparkCompute, sparkComputeIdentity } from "../transform/decisions";
import { AirflowConfig } from "../config/orchestration";
import { pipelineAlarms, pipelineDefinition, PipelineContext, pipelineTimeouts, SparkTarget, windowHoursOf } from "./decisions";
import { cdcApplyRolePolicy, loadRolePolicy, qualityRolePolicy, stateMachinePolicy, StateMachineAccess, WarehouseAccess } from "./iam";
import { airflowEnvironment, Orchestrated } from "./mwaa";
import { countLineageFailures, LineageWiring, policyWithLineage } from "../lineage";

/** Where the CDC apply's script and each database dataset's spec go in the artifacts bucket (beside the transform's under `spark/`). */
export const cdcScriptKey = "spark/cdc_apply.py";
export const cdcSpecKey = (dataset: string) => `spark/cdc-specs/${dataset}.json`;

export interface OrchestrationArgs {
    /**
     * What runs the pipeline: a Step Functions state machine with EventBridge Scheduler schedules,
     * or the same pipeline as Airflow DAGs on an Amazon MWAA environment (then `airflow` and
     * `network` are required). Defaults to stepfunctions.
     */
    readonly orchestrator?: "stepfunctions" | "airflow";
    /** The MWAA environment's class and workers (orchestrator airflow). */
    readonly airflow?: AirflowConfig;
    /** The VPC whose private subnets (the first two) host the MWAA environment (orchestrator airflow). */
    readonly network?: { readonly vpcId: pulumi.Input<string>; readonly privateSubnetIds: pulumi.Output<string[]> };
    /**
     * The stack's shared settings. The observability key encrypts the functions, logs, state
     * machine and schedules; the functions may use the lake key (curated reads) and the warehouse
     * key (the admin secret).
     */
    readonly context: PlatformContext;
    /** When the pipeline runs: `rate(...)` or `cron(...)`, in UTC; its period is each run's window. */
    readonly schedule: string;
    /** The late-data sweep: every `schedule`, rebuild the previous `days` UTC days (0: no sweep). */
    readonly sweep: { readonly schedule: string; readonly days: number };
    /** The datasets the pipeline transforms, checks and loads. Defaults to every dataset of `runtime/datasets`. */
    readonly datasets?: readonly DatasetDefinition[];
    /**
     * Database datasets the stack captures (change data capture): the pipeline applies their
     * changes with runtime/spark/cdc_apply.py, writes their references, synchronises their
     * warehouse tables and checks them, before the transforms. Each carries the key its table
     * mappings declare (the apply spec's key and the load function's WAREHOUSE_CDC_KEYS). Defaults to none.
     */
    readonly databaseDatasets?: readonly DatasetDefinition[];
    /** The Spark job: where it runs, its role, its script and each dataset's spec (the Transform component has this shape). */
    readonly spark: {
        readonly compute: SparkCompute;
        readonly jobRoleArn: pulumi.Output<string>;
        /** The job role's name: the CDC apply's grants are added to it. Needed only with database datasets. */
        readonly jobRoleName?: pulumi.Input<string>;
        readonly scriptUri: pulumi.Output<string>;
        readonly specUris: Readonly<Record<string, pulumi.Output<string>>>;
    };
    /** The raw zone the Spark job reads (its URI goes into the pipeline definition). */
    readonly rawBucket: aws.s3.Bucket;
    /** Read by the quality and load functions. */
    readonly curatedBucket: aws.s3.Bucket;
    /** Holds reference data and the Spark logs. */
    readonly artifactsBucket: aws.s3.Bucket;
    /** The Redshift target of the loads and the warehouse quality checks. */
    readonly warehouse: {
        readonly kind: "serverless" | "provisioned";
        /** Workgroup name (serverless) or cluster identifier (provisioned). */
        readonly name: string;
        readonly database: string;
        readonly arn: pulumi.Output<string>;
        readonly adminSecretArn: pulumi.Output<string>;
        /** The role COPY and Spectrum use. */
        readonly loadRoleArn: pulumi.Output<string>;
    };
    /** Glue database the loader exposes in Redshift as the Spectrum schema `lake`. Defaults to the stack's curated database (`<project>_<stack>_curated`). */
    readonly curatedDatabase?: string;
    /**
     * Where the quality and load functions and the Spark transform report their runs'
     * OpenLineage events (the Lineage component): the functions' LINEAGE_* variables and grants,
     * the job's `--lineage-uri`. Defaults to none: no emission.
     */
    readonly lineage?: LineageWiring;
}

/** The pipeline's view of the Spark compute, from its resolved id (application, cluster or Glue transform job name). */
function sparkTargetOf(compute: SparkCompute, sparkId: string, jobRoleArn: string, cdcApplyJobName: string): SparkTarget {
    switch (compute.mode) {
        case "serverless":
            return { mode: "serverless", applicationId: sparkId, executionRoleArn: jobRoleArn };
        case "cluster":
            return { mode: "cluster", clusterId: sparkId };
        case "glue":
            return { mode: "glue", transformJobName: sparkId, ...(cdcApplyJobName ? { cdcApplyJobName } : {}) };
    }
}

/** Packages the quality and load closures never load. */
const excludedFromBundle = ["@pulumi/awsx", "@pulumi/policy", "@aws-sdk/client-emr-serverless", "@aws-sdk/client-kinesis", "@aws-sdk/client-sqs", "aws-msk-iam-sasl-signer-js", "cli-progress", "js-yaml", "kafkajs", "pg", "@aws-lambda-powertools/logger", "@aws-lambda-powertools/metrics"];

/**
 * The transform-and-load pipeline: the quality and load functions (inline callbacks from
 * `runtime/quality` and `runtime/warehouse`), and either a Step Functions state machine with
 * retries, timeouts, logging and X-Ray, an EventBridge Scheduler schedule from config, and alarms
 * on failed and timed-out executions and on quality failures; or (orchestrator airflow) the same
 * pipeline as Airflow DAGs on a private Amazon MWAA environment (./mwaa.ts).
 */
export class Orchestration extends pulumi.ComponentResource {
    /** The state machine (orchestrator stepfunctions). */
    readonly stateMachineArn?: pulumi.Output<string>;
    /** The MWAA environment and its private web server's URL (orchestrator airflow). */
    readonly airflowEnvironmentName?: pulumi.Output<string>;
    readonly airflowWebserverUrl?: pulumi.Output<string>;
    readonly qualityFunction: aws.lambda.Function;
    readonly loadFunction: aws.lambda.Function;
    /** What the load function needs from the catalog: register curated date partitions (for Spectrum). */
    readonly catalogAccess: readonly CatalogGrant[];
    readonly alarms: readonly RegisteredAlarm[];

    constructor(name: string, args: OrchestrationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:orchestration:Orchestration", name, {}, opts);
        const context = args.context;
        const prefix = contextPrefix(context);
        const datasets = args.datasets ?? platformDatasets;
        const databaseDatasets = args.databaseDatasets ?? [];
        const loaded = [...datasets, ...databaseDatasets];
        const curatedDatabase = args.curatedDatabase ?? catalogDatabaseNames(context.project, context.stack).curated;
        const spark = sparkComputeIdentity(args.spark.compute);
        // Glue mode runs the CDC apply as its own job; elsewhere it runs on the same compute.
        const glueCdcJob = args.spark.compute.mode === "glue" ? args.spark.compute.cdcApplyJob : undefined;
        const cdcApplyJob = { name: glueCdcJob ? glueCdcJob.name : pulumi.output(""), arn: glueCdcJob ? glueCdcJob.arn : pulumi.output("") };
        const curatedUri = pulumi.interpolate`s3://${args.curatedBucket.bucket}`;
        const warehouseAccess = pulumi.all([context.partition, context.accountId, args.warehouse.arn, args.warehouse.adminSecretArn, context.keys.warehouse]).apply(
            ([partition, accountId, warehouseArn, secretArn, warehouseKeyArn]): WarehouseAccess => ({ partition, accountId, region: context.region, warehouseArn, secretArn, warehouseKeyArn }),
        );
        const warehouseEnv = {
            ...(args.warehouse.kind === "serverless" ? { WAREHOUSE_WORKGROUP_NAME: args.warehouse.name } : { WAREHOUSE_CLUSTER_ID: args.warehouse.name }),
            WAREHOUSE_DATABASE: args.warehouse.database,
            WAREHOUSE_SECRET_ARN: args.warehouse.adminSecretArn,
            WAREHOUSE_SCHEMA: "analytics",
        };

        const fn = (kind: "quality" | "load", description: string, policy: (logGroupArn: string, access: WarehouseAccess, curated: string, lakeKey: string) => PolicyDocument, factory: () => (event: any) => Promise<unknown>, env: Record<string, pulumi.Input<string>>) => {
            const functionName = `${prefix}-${kind}`;
            const logGroup = new aws.cloudwatch.LogGroup(`${name}-${kind}-logs`, { name: `/aws/lambda/${functionName}`, retentionInDays: context.logRetentionDays, kmsKeyId: context.keys.observability }, { parent: this });
            if (kind === "load") {
                // The load logs a failed emission (LineageEmitFailures); quality counts its own in EMF.
                countLineageFailures(this, `${name}-load-lineage-failures`, logGroup.name, args.lineage);
            }
            const { role, policy: rolePolicy } = serviceRole(
                `${name}-${kind}`,
                {
                    service: "lambda.amazonaws.com",
                    description,
                    accountId: context.accountId,
                    policy: policyWithLineage(
                        pulumi.all([logGroup.arn, warehouseAccess, args.curatedBucket.arn, context.keys.lake]).apply(([logGroupArn, access, curated, lakeKey]) => policy(logGroupArn, access, curated, lakeKey)),
                        args.lineage,
                    ),
                },
                this,
            );
            return new aws.lambda.CallbackFunction(
                `${name}-${kind}`,
                {
                    name: functionName,
                    description,
                    callbackFactory: factory,
                    runtime: aws.lambda.Runtime.NodeJS22dX,
                    architectures: [context.lambdaArchitecture],
                    role,
                    memorySize: 512,
                    timeout: 900,
                    reservedConcurrentExecutions: 5,
                    tracingConfig: { mode: "Active" },
                    loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
                    kmsKeyArn: context.keys.observability,
                    environment: { variables: { ...env, ...args.lineage?.environment } },
                    codePathOptions: { extraExcludePackages: [...excludedFromBundle] },
                },
                { parent: this, dependsOn: [rolePolicy, logGroup] },
            );
        };

        this.qualityFunction = fn(
            "quality",
            "Evaluates the datasets' quality checks on Spark run summaries and on the warehouse",
            (logGroupArn, access, curated, lakeKey) => qualityRolePolicy(access, curated, lakeKey, logGroupArn),
            () => createQualityHandler(),
            { ...warehouseEnv, QUALITY_METRICS_NAMESPACE: "DataPlatform/Quality", PLATFORM_ENVIRONMENT: context.environment },
        );
        this.loadFunction = fn(
            "load",
            "Loads new curated files into Redshift: manifest, COPY, de-duplicated MERGE, load ledger",
            (logGroupArn, access, curated, lakeKey) => loadRolePolicy(access, curated, lakeKey, loaded.map((d) => d.name), logGroupArn, curatedDatabase),
            () => createLoadHandler(),
            {
                ...warehouseEnv,
                CURATED_URI: curatedUri,
                WAREHOUSE_COPY_ROLE_ARN: args.warehouse.loadRoleArn,
                SPECTRUM_CATALOG_DATABASE: curatedDatabase,
                SPECTRUM_SCHEMA: "lake",
                GLUE_CURATED_DATABASE: curatedDatabase,
                // The captured datasets' keys as their table mappings declare them: the sync merges on the key the CDC apply used.
                ...(databaseDatasets.length > 0 ? { [cdcKeysVariable]: formatCdcKeys(databaseDatasets) } : {}),
            },
        );

        const cdc = this.cdcApply(name, args, databaseDatasets);
        const specUris = pulumi.all(datasets.map((d) => args.spark.specUris[d.name]));
        const sparkInputs = pulumi.all([spark.id, args.spark.jobRoleArn, args.spark.scriptUri, specUris, cdc.scriptUri, pulumi.all(cdc.specUris), cdcApplyJob.name]);
        const buckets = pulumi.all([args.rawBucket.bucket, args.curatedBucket.bucket, args.artifactsBucket.bucket]);
        // One pipeline definition, rendered as a state machine or as an Airflow DAG.
        const pipeline = pulumi
            .all([sparkInputs, buckets, this.qualityFunction.arn, this.loadFunction.arn, context.alarms.alarmTopicArn, pulumi.output(args.lineage?.sparkUri)])
            .apply(([[sparkId, jobRoleArn, scriptUri, specs, cdcScriptUri, cdcSpecs, cdcJobName], [raw, curated, artifacts], qualityArn, loadArn, topicArn, lineageUri]): PipelineContext => {
                const target = sparkTargetOf(args.spark.compute, sparkId, jobRoleArn, cdcJobName);
                return {
                    datasets: datasets.map((d, i) => ({ name: d.name, specUri: specs[i] })),
                    ...(databaseDatasets.length > 0 ? { cdc: { scriptUri: cdcScriptUri, datasets: databaseDatasets.map((d, i) => ({ name: d.name, specUri: cdcSpecs[i] as string })) } } : {}),
                    spark: target,
                    scriptUri,
                    rawUri: `s3://${raw}`,
                    curatedUri: `s3://${curated}`,
                    referenceUri: `s3://${artifacts}/reference`,
                    logUri: `s3://${artifacts}/spark-logs/`,
                    qualityFunctionArn: qualityArn,
                    loadFunctionArn: loadArn,
                    alarmTopicArn: topicArn,
                    defaultWindowHours: windowHoursOf(args.schedule),
                    timeouts: pipelineTimeouts,
                    ...(lineageUri && args.lineage ? { lineage: { uri: lineageUri, namespace: args.lineage.namespace } } : {}),
                };
            });
        const sparkAccess = pulumi
            .all([spark.arn, spark.id, args.spark.jobRoleArn, cdcApplyJob.name, cdcApplyJob.arn])
            .apply(([sparkArn, sparkId, jobRoleArn, cdcJobName, cdcJobArn]): StateMachineAccess["spark"] => ({
                ...sparkTargetOf(args.spark.compute, sparkId, jobRoleArn, cdcJobName),
                resourceArn: sparkArn,
                jobRoleArn,
                ...(cdcJobArn ? { cdcApplyJobArn: cdcJobArn } : {}),
            }));
        const orchestrated =
            (args.orchestrator ?? "stepfunctions") === "airflow"
                ? airflowEnvironment(name, this, { ...args, pipeline, sparkAccess, functionArns: [this.qualityFunction.arn, this.loadFunction.arn], datasets: loaded.map((d) => d.name) })
                : this.stepFunctions(name, args, pipeline, sparkAccess, loaded.map((d) => d.name));
        this.stateMachineArn = orchestrated.stateMachineArn;
        this.airflowEnvironmentName = orchestrated.airflowEnvironmentName;
        this.airflowWebserverUrl = orchestrated.airflowWebserverUrl;
        this.catalogAccess = [{ name: "load", principalArn: this.loadFunction.role, zone: "curated", tablePermissions: ["DESCRIBE", "ALTER"], databasePermissions: ["DESCRIBE"] }];
        this.alarms = orchestrated.alarms;
        this.registerOutputs({ stateMachineArn: this.stateMachineArn, airflowEnvironmentName: this.airflowEnvironmentName, qualityFunctionName: this.qualityFunction.name, loadFunctionName: this.loadFunction.name, alarms: this.alarms });
    }

    /** The Step Functions rendering: the state machine, its schedules (pipeline and late-data sweep) and its alarms. */
    private stepFunctions(name: string, args: OrchestrationArgs, pipeline: pulumi.Output<PipelineContext>, sparkAccess: pulumi.Output<StateMachineAccess["spark"]>, datasets: readonly string[]): Orchestrated {
        const context = args.context;
        const prefix = contextPrefix(context);
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { name: `/aws/vendedlogs/states/${prefix}-pipeline`, retentionInDays: context.logRetentionDays, kmsKeyId: context.keys.observability }, { parent: this });
        const { role, policy: rolePolicy } = serviceRole(
            `${name}-state-machine`,
            {
                service: "states.amazonaws.com",
                description: "Runs the transform-and-load pipeline",
                accountId: context.accountId,
                policy: pulumi
                    .all([context.partition, context.accountId, sparkAccess, this.qualityFunction.arn, this.loadFunction.arn, context.alarms.alarmTopicArn, context.keys.observability])
                    .apply(([partition, accountId, sparkTarget, qualityArn, loadArn, topicArn, keyArn]) =>
                        stateMachinePolicy({
                            partition,
                            accountId,
                            region: context.region,
                            spark: sparkTarget,
                            functionArns: [qualityArn, loadArn],
                            alarmTopicArn: topicArn,
                            observabilityKeyArn: keyArn,
                        }),
                    ),
            },
            this,
        );

        const definition = pipeline.apply((ctx) => JSON.stringify(pipelineDefinition(ctx), null, 2));
        const stateMachine = new aws.sfn.StateMachine(
            `${name}-pipeline`,
            {
                name: `${prefix}-pipeline`,
                type: "STANDARD",
                roleArn: role.arn,
                definition,
                loggingConfiguration: { logDestination: pulumi.interpolate`${logGroup.arn}:*`, includeExecutionData: true, level: "ERROR" },
                tracingConfiguration: { enabled: true },
                encryptionConfiguration: { type: "CUSTOMER_MANAGED_KMS_KEY", kmsKeyId: context.keys.observability, kmsDataKeyReusePeriodSeconds: 300 },
            },
            { parent: this, dependsOn: [rolePolicy] },
        );

        // Start attempts that still fail after the schedule's retries land in a dead-letter queue instead of vanishing.
        const starts = scheduledStarts(name, this, {
            deadLetterQueueName: `${prefix}-pipeline-schedule-failed`,
            targetArn: stateMachine.arn,
            permissions: stateMachine.arn.apply((machineArn): Statement[] => [{ Sid: "StartPipeline", Effect: "Allow", Action: "states:StartExecution", Resource: machineArn }]),
            roleDescription: "Starts the pipeline on its schedule",
            context,
            schedules: [
                {
                    resourceName: `${name}-schedule`,
                    scheduleName: `${prefix}-pipeline`,
                    description: "Starts the transform-and-load pipeline for the hours since the previous run",
                    expression: args.schedule,
                    input: JSON.stringify({ windowHours: windowHoursOf(args.schedule) }),
                },
                // Records that arrive after a day's last run are in its raw partitions but not yet in
                // curated or the warehouse; rebuilding the previous days picks them up (runs are idempotent).
                ...(args.sweep.days > 0
                    ? [
                          {
                              resourceName: `${name}-sweep`,
                              scheduleName: `${prefix}-pipeline-sweep`,
                              description: `Reruns the pipeline over the previous ${args.sweep.days} UTC day(s) to take in late records`,
                              expression: args.sweep.schedule,
                              input: JSON.stringify({ previousDays: args.sweep.days }),
                          },
                      ]
                    : []),
            ],
            alarm: {
                stage: "orchestration",
                description: "The schedule could not start the pipeline after its retries; the attempts are in the dead-letter queue. Check the scheduler role and the state machine.",
            },
        });
        return {
            stateMachineArn: stateMachine.arn,
            alarms: [...context.alarms.registerAlarms(this, pipelineAlarms(name, stateMachine.arn, context.environment, datasets)), ...starts.alarms],
        };
    }

    /**
     * The CDC apply's artifacts (script and one spec per database dataset, in the artifacts bucket
     * like the transform's) and its grants on the Spark job role. Nothing without database datasets.
     */
    private cdcApply(name: string, args: OrchestrationArgs, databaseDatasets: readonly DatasetDefinition[]): { scriptUri: pulumi.Output<string>; specUris: pulumi.Output<string>[] } {
        if (databaseDatasets.length === 0) {
            return { scriptUri: pulumi.output(""), specUris: [] };
        }
        if (args.spark.jobRoleName === undefined) {
            throw new pulumi.ResourceError("Orchestration: spark.jobRoleName is required with databaseDatasets (the CDC apply's grants go on the Spark job role); pass the Transform component's jobRole.name", this);
        }
        const script = new aws.s3.BucketObjectv2(`${name}-cdc-script`, { bucket: args.artifactsBucket.id, key: cdcScriptKey, source: new pulumi.asset.FileAsset(cdcApplyScriptPath), contentType: "text/x-python" }, { parent: this });
        const specUris = databaseDatasets.map((dataset) => {
            const spec = new aws.s3.BucketObjectv2(
                `${name}-cdc-spec-${dataset.name}`,
                { bucket: args.artifactsBucket.id, key: cdcSpecKey(dataset.name), content: renderCdcApplySpec(dataset), contentType: "application/json" },
                { parent: this },
            );
            return pulumi.interpolate`s3://${spec.bucket}/${spec.key}`;
        });
        new aws.iam.RolePolicy(
            `${name}-cdc-apply`,
            {
                role: args.spark.jobRoleName,
                policy: pulumi.all([args.rawBucket.arn, args.curatedBucket.arn, args.artifactsBucket.arn]).apply(([rawBucketArn, curatedBucketArn, artifactsBucketArn]) =>
                    JSON.stringify(
                        cdcApplyRolePolicy({
                            rawBucketArn,
                            curatedBucketArn,
                            artifactsBucketArn,
                            datasets: databaseDatasets.map((d) => d.name),
                            references: databaseDatasets.flatMap((d) => (d.publishes ? [d.publishes.name] : [])),
                        }),
                    ),
                ),
            },
            { parent: this },
        );
        return { scriptUri: pulumi.interpolate`s3://${script.bucket}/${script.key}`, specUris };
    }
}
