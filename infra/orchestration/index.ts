import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DatasetDefinition } from "../../runtime/datasets";
import { createQualityHandler } from "../../runtime/quality/handler";
import { createLoadHandler } from "../../runtime/warehouse/handler";
import { Observability } from "../observability";
import { PolicyDocument, Statement } from "../shared/iam";
import { serviceRole } from "../shared/role";
import { scheduledStarts } from "../shared/schedule";
import { namePrefix } from "../shared/options";
import { pipelineDefinition, SparkTarget, windowHoursOf } from "./decisions";
import { loadRolePolicy, qualityRolePolicy, stateMachinePolicy, WarehouseAccess } from "./iam";

export interface OrchestrationArgs {
    readonly project: string;
    readonly stack: string;
    readonly environment: string;
    readonly region: string;
    readonly accountId: pulumi.Input<string>;
    readonly partition: pulumi.Input<string>;
    readonly schedule: string;
    /** The late-data sweep: every `schedule`, rebuild the previous `days` UTC days (0: no sweep). */
    readonly sweep: { readonly schedule: string; readonly days: number };
    readonly datasets: readonly DatasetDefinition[];
    readonly spark: {
        readonly mode: "serverless" | "cluster";
        /** Application id (serverless) or cluster id. */
        readonly id: pulumi.Output<string>;
        /** Application ARN (serverless) or cluster ARN. */
        readonly arn: pulumi.Output<string>;
        readonly jobRoleArn: pulumi.Output<string>;
        readonly scriptUri: pulumi.Output<string>;
        readonly specUris: Readonly<Record<string, pulumi.Output<string>>>;
    };
    readonly rawBucket: aws.s3.Bucket;
    readonly curatedBucket: aws.s3.Bucket;
    readonly artifactsBucket: aws.s3.Bucket;
    readonly lakeKeyArn: pulumi.Input<string>;
    readonly warehouseKeyArn: pulumi.Input<string>;
    readonly observabilityKeyArn: pulumi.Input<string>;
    readonly warehouse: {
        readonly kind: "serverless" | "provisioned";
        readonly name: string;
        readonly database: string;
        readonly arn: pulumi.Output<string>;
        readonly adminSecretArn: pulumi.Output<string>;
        readonly loadRoleArn: pulumi.Output<string>;
    };
    /** Glue database the loader exposes in Redshift as the Spectrum schema `lake`. */
    readonly curatedDatabase: string;
    readonly logRetentionDays: number;
    readonly observability: Observability;
}

/** Packages the quality and load closures never load. */
const excludedFromBundle = ["@pulumi/awsx", "@pulumi/policy", "@aws-sdk/client-emr-serverless", "@aws-sdk/client-kinesis", "@aws-sdk/client-sqs", "aws-msk-iam-sasl-signer-js", "cli-progress", "js-yaml", "kafkajs", "pg", "@aws-lambda-powertools/logger", "@aws-lambda-powertools/metrics"];

/**
 * The transform-and-load pipeline: the quality and load functions (inline callbacks from
 * `runtime/quality` and `runtime/warehouse`), a Step Functions state machine with retries,
 * timeouts, logging and X-Ray, an EventBridge Scheduler schedule from config, and alarms on
 * failed and timed-out executions and on quality failures.
 */
export class Orchestration extends pulumi.ComponentResource {
    readonly stateMachineArn: pulumi.Output<string>;
    readonly qualityFunction: aws.lambda.Function;
    readonly loadFunction: aws.lambda.Function;

    constructor(name: string, args: OrchestrationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:orchestration:Orchestration", name, {}, opts);
        const prefix = namePrefix(args.project, args.stack);
        const curatedUri = pulumi.interpolate`s3://${args.curatedBucket.bucket}`;
        const warehouseAccess = pulumi.all([args.partition, args.accountId, args.warehouse.arn, args.warehouse.adminSecretArn, args.warehouseKeyArn]).apply(
            ([partition, accountId, warehouseArn, secretArn, warehouseKeyArn]): WarehouseAccess => ({ partition, accountId, region: args.region, warehouseArn, secretArn, warehouseKeyArn }),
        );
        const warehouseEnv = {
            ...(args.warehouse.kind === "serverless" ? { WAREHOUSE_WORKGROUP_NAME: args.warehouse.name } : { WAREHOUSE_CLUSTER_ID: args.warehouse.name }),
            WAREHOUSE_DATABASE: args.warehouse.database,
            WAREHOUSE_SECRET_ARN: args.warehouse.adminSecretArn,
            WAREHOUSE_SCHEMA: "analytics",
        };

        const fn = (kind: "quality" | "load", description: string, policy: (logGroupArn: string, access: WarehouseAccess, curated: string, lakeKey: string) => PolicyDocument, factory: () => (event: any) => Promise<unknown>, env: Record<string, pulumi.Input<string>>) => {
            const functionName = `${prefix}-${kind}`;
            const logGroup = new aws.cloudwatch.LogGroup(`${name}-${kind}-logs`, { name: `/aws/lambda/${functionName}`, retentionInDays: args.logRetentionDays, kmsKeyId: args.observabilityKeyArn }, { parent: this });
            const { role, policy: rolePolicy } = serviceRole(
                `${name}-${kind}`,
                {
                    service: "lambda.amazonaws.com",
                    description,
                    accountId: args.accountId,
                    policy: pulumi.all([logGroup.arn, warehouseAccess, args.curatedBucket.arn, args.lakeKeyArn]).apply(([logGroupArn, access, curated, lakeKey]) => policy(logGroupArn, access, curated, lakeKey)),
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
                    role,
                    memorySize: 512,
                    timeout: 900,
                    reservedConcurrentExecutions: 5,
                    tracingConfig: { mode: "Active" },
                    loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
                    kmsKeyArn: args.observabilityKeyArn,
                    environment: { variables: env },
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
            { ...warehouseEnv, QUALITY_METRICS_NAMESPACE: "DataPlatform/Quality", PLATFORM_ENVIRONMENT: args.environment },
        );
        this.loadFunction = fn(
            "load",
            "Loads new curated files into Redshift: manifest, COPY, de-duplicated MERGE, load ledger",
            (logGroupArn, access, curated, lakeKey) => loadRolePolicy(access, curated, lakeKey, args.datasets.map((d) => d.name), logGroupArn, args.curatedDatabase),
            () => createLoadHandler(),
            { ...warehouseEnv, CURATED_URI: curatedUri, WAREHOUSE_COPY_ROLE_ARN: args.warehouse.loadRoleArn, SPECTRUM_CATALOG_DATABASE: args.curatedDatabase, SPECTRUM_SCHEMA: "lake", GLUE_CURATED_DATABASE: args.curatedDatabase },
        );

        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { name: `/aws/vendedlogs/states/${prefix}-pipeline`, retentionInDays: args.logRetentionDays, kmsKeyId: args.observabilityKeyArn }, { parent: this });
        const { role, policy: rolePolicy } = serviceRole(
            `${name}-state-machine`,
            {
                service: "states.amazonaws.com",
                description: "Runs the transform-and-load pipeline",
                accountId: args.accountId,
                policy: pulumi
                    .all([args.partition, args.accountId, pulumi.all([args.spark.arn, args.spark.id, args.spark.jobRoleArn]), this.qualityFunction.arn, this.loadFunction.arn, args.observability.alarmTopic.arn, args.observabilityKeyArn])
                    .apply(([partition, accountId, [sparkArn, sparkId, jobRoleArn], qualityArn, loadArn, topicArn, keyArn]) =>
                        stateMachinePolicy({
                            partition,
                            accountId,
                            region: args.region,
                            spark: args.spark.mode === "serverless" ? { mode: "serverless", applicationId: sparkId, executionRoleArn: jobRoleArn, resourceArn: sparkArn, jobRoleArn } : { mode: "cluster", clusterId: sparkId, resourceArn: sparkArn, jobRoleArn },
                            functionArns: [qualityArn, loadArn],
                            alarmTopicArn: topicArn,
                            observabilityKeyArn: keyArn,
                        }),
                    ),
            },
            this,
        );

        const specUris = pulumi.all(args.datasets.map((d) => args.spark.specUris[d.name]));
        const sparkInputs = pulumi.all([args.spark.id, args.spark.jobRoleArn, args.spark.scriptUri, specUris]);
        const buckets = pulumi.all([args.rawBucket.bucket, args.curatedBucket.bucket, args.artifactsBucket.bucket]);
        const definition = pulumi
            .all([sparkInputs, buckets, this.qualityFunction.arn, this.loadFunction.arn, args.observability.alarmTopic.arn])
            .apply(([[sparkId, jobRoleArn, scriptUri, specs], [raw, curated, artifacts], qualityArn, loadArn, topicArn]) => {
                const spark: SparkTarget = args.spark.mode === "serverless" ? { mode: "serverless", applicationId: sparkId, executionRoleArn: jobRoleArn } : { mode: "cluster", clusterId: sparkId };
                return JSON.stringify(
                    pipelineDefinition({
                        datasets: args.datasets.map((d, i) => ({ name: d.name, specUri: specs[i] })),
                        spark,
                        scriptUri,
                        rawUri: `s3://${raw}`,
                        curatedUri: `s3://${curated}`,
                        referenceUri: `s3://${artifacts}/reference`,
                        logUri: `s3://${artifacts}/spark-logs/`,
                        qualityFunctionArn: qualityArn,
                        loadFunctionArn: loadArn,
                        alarmTopicArn: topicArn,
                        defaultWindowHours: windowHoursOf(args.schedule),
                        timeouts: { transformSeconds: 3 * 3600, qualitySeconds: 600, loadSeconds: 900 },
                    }),
                    null,
                    2,
                );
            });
        const stateMachine = new aws.sfn.StateMachine(
            `${name}-pipeline`,
            {
                name: `${prefix}-pipeline`,
                type: "STANDARD",
                roleArn: role.arn,
                definition,
                loggingConfiguration: { logDestination: pulumi.interpolate`${logGroup.arn}:*`, includeExecutionData: true, level: "ERROR" },
                tracingConfiguration: { enabled: true },
                encryptionConfiguration: { type: "CUSTOMER_MANAGED_KMS_KEY", kmsKeyId: args.observabilityKeyArn, kmsDataKeyReusePeriodSeconds: 300 },
            },
            { parent: this, dependsOn: [rolePolicy] },
        );
        this.stateMachineArn = stateMachine.arn;

        const o = args.observability;
        for (const [metric, what] of [["ExecutionsFailed", "failed"], ["ExecutionsTimedOut", "timed out"]] as const) {
            o.addAlarm(this, `${name}-${metric === "ExecutionsFailed" ? "failed" : "timed-out"}`, {
                stage: "orchestration",
                description: `A pipeline execution ${what}. Its execution history names the step; the alarm topic also received the error.`,
                namespace: "AWS/States",
                metricName: metric,
                dimensions: { StateMachineArn: stateMachine.arn },
                statistic: "Sum",
                comparisonOperator: "GreaterThanThreshold",
                threshold: 0,
            });
        }
        // Start attempts that still fail after the schedule's retries land in a dead-letter queue instead of vanishing.
        scheduledStarts(name, this, {
            deadLetterQueueName: `${prefix}-pipeline-schedule-failed`,
            targetArn: stateMachine.arn,
            permissions: stateMachine.arn.apply((machineArn): Statement[] => [{ Sid: "StartPipeline", Effect: "Allow", Action: "states:StartExecution", Resource: machineArn }]),
            roleDescription: "Starts the pipeline on its schedule",
            keyArn: args.observabilityKeyArn,
            accountId: args.accountId,
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
            observability: o,
            alarm: {
                stage: "orchestration",
                description: "The schedule could not start the pipeline after its retries; the attempts are in the dead-letter queue. Check the scheduler role and the state machine.",
            },
        });
        for (const dataset of args.datasets) {
            o.addAlarm(this, `${name}-${dataset.name}-quality`, {
                stage: "quality",
                description: `An error-level quality check of ${dataset.name} failed; the pipeline stopped before loading bad data. The quality function's log has the report.`,
                namespace: "DataPlatform/Quality",
                metricName: "ErrorFailures",
                dimensions: { Environment: args.environment, Dataset: dataset.name },
                statistic: "Sum",
                comparisonOperator: "GreaterThanThreshold",
                threshold: 0,
            });
        }
        this.registerOutputs({});
    }
}
