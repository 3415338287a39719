import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createKafkaIngestHandler, createKinesisIngestHandler } from "../../runtime/ingest/handler";
import { ingestEnvironmentVariables } from "../../runtime/ingest/settings";
import { defaultMetricsNamespace, ingestMetricNames } from "../../runtime/ingest/telemetry";
import { BatchItemFailuresResponse } from "../../runtime/ingest/types";
import { IngestConfig } from "../config";
import { Observability } from "../observability";
import { serviceRole } from "../shared/role";
import { namePrefix } from "../shared/options";
import { DatasetSource } from "../streaming";
import { ingestNames, ingestRolePolicy } from "./iam";

export interface IngestArgs {
    readonly project: string;
    readonly stack: string;
    readonly region: string;
    readonly accountId: pulumi.Input<string>;
    readonly engine: "kinesis" | "msk";
    readonly sources: readonly DatasetSource[];
    readonly ingest: IngestConfig;
    readonly rawBucket: aws.s3.Bucket;
    readonly rejectsBucket: aws.s3.Bucket;
    readonly lakeKeyArn: pulumi.Input<string>;
    readonly streamingKeyArn: pulumi.Input<string>;
    readonly logsKeyArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    /** MSK only: functions run in the private subnets, in the Kafka client security group. */
    readonly vpc?: { readonly subnetIds: pulumi.Input<string[]>; readonly securityGroupId: pulumi.Input<string> };
    readonly observability: Observability;
}

/** Packages the ingest closure never loads; left out of the Lambda bundle to keep it small. */
const excludedFromBundle = [
    "@pulumi/awsx",
    "@pulumi/policy",
    "@aws-sdk/client-emr-serverless",
    "@aws-sdk/client-glue",
    "@aws-sdk/client-kinesis",
    "@aws-sdk/client-redshift-data",
    "@aws-sdk/client-sqs",
    "aws-msk-iam-sasl-signer-js",
    "cli-progress",
    "js-yaml",
    "kafkajs",
    "pg",
];

/**
 * One ingest function per dataset, deployed from `runtime/ingest` as an inline callback: an
 * explicit least-privilege role, Node.js 22, X-Ray, JSON logs to its own encrypted log group,
 * reserved concurrency, settings by environment variable only (no captured outputs or secrets),
 * and an event source mapping with bounded retries and an encrypted on-failure queue.
 */
export class Ingest extends pulumi.ComponentResource {
    readonly functions: aws.lambda.Function[] = [];
    readonly failureQueues: aws.sqs.Queue[] = [];

    constructor(name: string, args: IngestArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:ingest:Ingest", name, {}, opts);
        const prefix = namePrefix(args.project, args.stack);
        const cfg = args.ingest;
        const env = ingestEnvironmentVariables;

        for (const source of args.sources) {
            const dataset = source.dataset.name;
            const names = ingestNames(prefix, dataset);
            const base = `${name}-${dataset}`;

            const queue = new aws.sqs.Queue(
                `${base}-failed`,
                { name: names.queueName, kmsMasterKeyId: args.streamingKeyArn, kmsDataKeyReusePeriodSeconds: 300, messageRetentionSeconds: 14 * 24 * 3600 },
                { parent: this },
            );
            new aws.sqs.QueuePolicy(
                `${base}-failed`,
                {
                    queueUrl: queue.url,
                    policy: queue.arn.apply((arn) =>
                        JSON.stringify({
                            Version: "2012-10-17",
                            Statement: [{ Sid: "TlsOnly", Effect: "Deny", Principal: { AWS: "*" }, Action: "sqs:*", Resource: arn, Condition: { Bool: { "aws:SecureTransport": "false" } } }],
                        }),
                    ),
                },
                { parent: this },
            );
            this.failureQueues.push(queue);

            const logGroup = new aws.cloudwatch.LogGroup(
                `${base}-logs`,
                { name: `/aws/lambda/${names.functionName}`, retentionInDays: args.logRetentionDays, kmsKeyId: args.logsKeyArn },
                { parent: this },
            );
            const { role, policy: rolePolicy } = serviceRole(
                `${base}-role`,
                {
                    service: "lambda.amazonaws.com",
                    description: `Ingest function of ${dataset}: least privilege, no managed policies`,
                    accountId: args.accountId,
                    policy: pulumi
                        .all([args.rawBucket.arn, args.rejectsBucket.arn, args.lakeKeyArn, args.streamingKeyArn, logGroup.arn, queue.arn, source.sourceArn, pulumi.output(args.vpc ? { subnetIds: args.vpc.subnetIds, securityGroupIds: [args.vpc.securityGroupId] } : undefined)])
                        .apply(([rawBucketArn, rejectsBucketArn, lakeKeyArn, streamingKeyArn, logGroupArn, failureQueueArn, sourceArn, vpc]) =>
                            ingestRolePolicy({
                                engine: args.engine,
                                dataset,
                                rawBucketArn,
                                rejectsBucketArn,
                                lakeKeyArn,
                                streamingKeyArn,
                                logGroupArn,
                                failureQueueArn,
                                sourceArn,
                                topic: source.name,
                                consumerGroup: names.consumerGroup,
                                ...(vpc ? { vpc } : {}),
                            }),
                        ),
                },
                this,
            );

            // The event type differs per engine; the mapping below guarantees which one arrives.
            const callbackFactory: aws.lambda.CallbackFactory<any, BatchItemFailuresResponse> = args.engine === "kinesis" ? createKinesisIngestHandler : createKafkaIngestHandler;
            const fn = new aws.lambda.CallbackFunction(
                base,
                {
                    name: names.functionName,
                    description: `Validates ${dataset} records from ${source.name} and lands them in the raw or rejects zone`,
                    callbackFactory,
                    runtime: aws.lambda.Runtime.NodeJS22dX,
                    role,
                    memorySize: cfg.memoryMb,
                    timeout: cfg.timeoutSeconds,
                    reservedConcurrentExecutions: cfg.reservedConcurrency,
                    tracingConfig: { mode: "Active" },
                    loggingConfig: { logFormat: "JSON", logGroup: logGroup.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
                    kmsKeyArn: args.streamingKeyArn,
                    environment: {
                        variables: {
                            [env.rawBucket]: args.rawBucket.bucket,
                            [env.rejectsBucket]: args.rejectsBucket.bucket,
                            [env.dataset]: dataset,
                            [env.metricsNamespace]: defaultMetricsNamespace,
                            [env.serviceName]: names.serviceName,
                        },
                    },
                    ...(args.vpc ? { vpcConfig: { subnetIds: args.vpc.subnetIds, securityGroupIds: [args.vpc.securityGroupId] } } : {}),
                    codePathOptions: { extraExcludePackages: excludedFromBundle },
                },
                { parent: this, dependsOn: [rolePolicy, logGroup] },
            );
            this.functions.push(fn);

            // Bisecting is for Kinesis only: its handler reports failed records instead of throwing, so a
            // bisect happens only on an unexpected crash and isolates the record that caused it. The
            // Kafka handler throws when a write fails, and the whole batch must come back with the same
            // boundaries so the retry rewrites exactly the same objects (exactly once by key).
            const common = {
                functionName: fn.arn,
                batchSize: cfg.batchSize,
                maximumBatchingWindowInSeconds: cfg.batchingWindowSeconds,
                startingPosition: "TRIM_HORIZON",
                bisectBatchOnFunctionError: args.engine === "kinesis",
                maximumRetryAttempts: cfg.maxRetries,
                maximumRecordAgeInSeconds: cfg.maxRecordAgeSeconds,
                destinationConfig: { onFailure: { destinationArn: queue.arn } },
            };
            new aws.lambda.EventSourceMapping(
                `${base}-source`,
                args.engine === "kinesis"
                    ? { ...common, eventSourceArn: source.sourceArn, functionResponseTypes: ["ReportBatchItemFailures"], parallelizationFactor: cfg.kinesisParallelization }
                    : {
                          ...common,
                          eventSourceArn: source.sourceArn,
                          topics: [source.name],
                          amazonManagedKafkaEventSourceConfig: { consumerGroupId: names.consumerGroup },
                          // Provisioned pollers: the mode in which MSK mappings honour bisect, retries and record age.
                          provisionedPollerConfig: { minimumPollers: 1, maximumPollers: cfg.mskMaxPollers },
                      },
                { parent: this, dependsOn: [rolePolicy] },
            );

            this.alarms(base, source, names, fn, queue, args);
        }
        this.registerOutputs({});
    }

    private alarms(base: string, source: DatasetSource, names: ReturnType<typeof ingestNames>, fn: aws.lambda.Function, queue: aws.sqs.Queue, args: IngestArgs): void {
        const o = args.observability;
        const dataset = source.dataset.name;
        const fnDims = { FunctionName: fn.name };
        o.addAlarm(this, `${base}-errors`, {
            stage: "ingest",
            description: `The ${dataset} ingest function failed batches; they are retried and then sent to ${names.queueName}. Read the function's logs.`,
            namespace: "AWS/Lambda",
            metricName: "Errors",
            dimensions: fnDims,
            statistic: "Sum",
            comparisonOperator: "GreaterThanThreshold",
            threshold: 0,
        });
        o.addAlarm(this, `${base}-throttles`, {
            stage: "ingest",
            description: `The ${dataset} ingest function is throttled: raise ingestReservedConcurrency or the account limit.`,
            namespace: "AWS/Lambda",
            metricName: "Throttles",
            dimensions: fnDims,
            statistic: "Sum",
            comparisonOperator: "GreaterThanThreshold",
            threshold: 0,
            evaluationPeriods: 2,
        });
        o.addAlarm(
            this,
            `${base}-lag`,
            args.engine === "kinesis"
                ? {
                      stage: "ingest",
                      description: `Records of ${dataset} wait more than 5 minutes in the stream: ingest is falling behind.`,
                      namespace: "AWS/Lambda",
                      metricName: "IteratorAge",
                      dimensions: fnDims,
                      statistic: "Maximum",
                      comparisonOperator: "GreaterThanThreshold",
                      threshold: 300_000,
                      evaluationPeriods: 3,
                  }
                : {
                      stage: "ingest",
                      description: `The ${dataset} consumer group is more than 100,000 records behind: ingest is falling behind.`,
                      namespace: "AWS/Lambda",
                      metricName: "OffsetLag",
                      dimensions: fnDims,
                      statistic: "Maximum",
                      comparisonOperator: "GreaterThanThreshold",
                      threshold: 100_000,
                      evaluationPeriods: 3,
                  },
        );
        o.addAlarm(this, `${base}-failed-batches`, {
            stage: "ingest",
            description: `Batches of ${dataset} exhausted their retries; their coordinates are in ${names.queueName}. Fix the cause, then replay them with the batch job.`,
            namespace: "AWS/SQS",
            metricName: "ApproximateNumberOfMessagesVisible",
            dimensions: { QueueName: queue.name },
            statistic: "Maximum",
            comparisonOperator: "GreaterThanThreshold",
            threshold: 0,
        });
        const metricDims = { service: names.serviceName, dataset, engine: args.engine === "kinesis" ? "kinesis" : "kafka" };
        o.addAlarm(this, `${base}-lake-writes`, {
            stage: "lake",
            description: `Writes of ${dataset} objects to the raw or rejects zone failed (S3 errors or timeouts); the batches are retried. Check S3 and KMS access of ${names.functionName}.`,
            namespace: defaultMetricsNamespace,
            metricName: ingestMetricNames.objectWriteFailures,
            dimensions: metricDims,
            statistic: "Sum",
            comparisonOperator: "GreaterThanThreshold",
            threshold: 0,
            evaluationPeriods: 2,
        });
        o.addAlarm(this, `${base}-lake-key-conflicts`, {
            stage: "lake",
            description: `A ${dataset} batch came back with other boundaries and found its object key taken by different content; it landed under a suffixed key, and downstream de-duplication by key applies. Look for changed event source mapping settings.`,
            namespace: defaultMetricsNamespace,
            metricName: ingestMetricNames.objectKeyConflicts,
            dimensions: metricDims,
            statistic: "Sum",
            comparisonOperator: "GreaterThanThreshold",
            threshold: 0,
        });
        o.addAlarm(this, `${base}-rejects-rate`, {
            stage: "ingest",
            description: `More than 5% of ${dataset} records were rejected in 15 minutes. Look at the rejects zone by error_type.`,
            ratio: {
                numerator: { namespace: defaultMetricsNamespace, metricName: ingestMetricNames.recordsRejected, dimensions: metricDims },
                denominator: { namespace: defaultMetricsNamespace, metricName: ingestMetricNames.recordsIn, dimensions: metricDims },
            },
            comparisonOperator: "GreaterThanThreshold",
            threshold: 5,
            periodSeconds: 900,
        });
    }
}
