import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createKafkaIngestHandler, createKinesisIngestHandler } from "../../runtime/ingest/handler";
import { ingestEnvironmentVariables } from "../../runtime/ingest/settings";
import { defaultMetricsNamespace } from "../../runtime/ingest/telemetry";
import { BatchItemFailuresResponse } from "../../runtime/ingest/types";
import { IngestConfig } from "../config";
import { contextPrefix, PlatformContext, RegisteredAlarm } from "../shared/context";
import { serviceRole } from "../shared/role";
import { DatasetSource, KafkaConnection } from "../streaming";
import { ingestSourceAccessConfigurations } from "../streaming/decisions";
import { ingestAlarms, validateIngestSource } from "./decisions";
import { ingestNames, ingestRolePolicy } from "./iam";
import { sourceFunctionBundleExclusions } from "../shared/bundle";
import { LineageWiring, policyWithLineage } from "../lineage";

export interface IngestArgs {
    /**
     * The stack's shared settings. The streaming key encrypts the failure queues and the functions'
     * environment, the observability key their log groups; roles may use the lake key to write.
     */
    readonly context: PlatformContext;
    /**
     * Where the records come from: the engine, one source per dataset and, for MSK only, how to reach
     * the brokers (the functions then run in those subnets, in the Kafka client security group) and
     * authenticate (the first `mskClientAuth` mode; IAM when `clientAuth` is absent).
     * The Streaming component has this shape.
     */
    readonly streaming: {
        readonly engine: "kinesis" | "msk";
        readonly sources: readonly DatasetSource[];
        readonly kafka?: Pick<KafkaConnection, "clientSecurityGroupId" | "clientSubnetIds"> & Partial<Pick<KafkaConnection, "clientAuth">>;
    };
    /** Function sizing and event source mapping settings, from the stack config. */
    readonly ingest: IngestConfig;
    /** Where valid records land (NDJSON.gz under `<dataset>/dt=/hour=`). */
    readonly rawBucket: aws.s3.Bucket;
    /** Where rejected records land, with the rule that failed. */
    readonly rejectsBucket: aws.s3.Bucket;
    /** Where the functions report their windows' OpenLineage events (the Lineage component). Defaults to none: no emission. */
    readonly lineage?: LineageWiring;
}

/** Packages the ingest closure never loads; left out of the Lambda bundle to keep it small. */
const excludedFromBundle = [...sourceFunctionBundleExclusions];

/**
 * One ingest function per dataset, deployed from `runtime/ingest` as an inline callback: an
 * explicit least-privilege role, Node.js 22, X-Ray, JSON logs to its own encrypted log group,
 * reserved concurrency, settings by environment variable only (no captured outputs or secrets),
 * and an event source mapping with bounded retries and an encrypted on-failure queue.
 */
export class Ingest extends pulumi.ComponentResource {
    readonly functions: aws.lambda.Function[] = [];
    readonly failureQueues: aws.sqs.Queue[] = [];
    readonly alarms: RegisteredAlarm[] = [];

    constructor(name: string, args: IngestArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:ingest:Ingest", name, {}, opts);
        const { engine, sources, kafka } = args.streaming;
        validateIngestSource(name, engine, kafka !== undefined);
        const context = args.context;
        const prefix = contextPrefix(context);
        const cfg = args.ingest;
        const env = ingestEnvironmentVariables;
        const vpc = kafka ? { subnetIds: kafka.clientSubnetIds, securityGroupIds: [kafka.clientSecurityGroupId] } : undefined;
        const sourceAccess = kafka?.clientAuth ? ingestSourceAccessConfigurations(kafka.clientAuth) : [];
        // The secret the event source mapping reads (SCRAM credentials or the client certificate) and its key.
        const clientSecret = sourceAccess.length > 0 && kafka?.clientAuth?.secretsKmsKeyArn ? { secretArn: (sourceAccess[0] as { uri: string }).uri, kmsKeyArn: kafka.clientAuth.secretsKmsKeyArn } : undefined;

        for (const source of sources) {
            const dataset = source.dataset.name;
            const names = ingestNames(prefix, dataset);
            const base = `${name}-${dataset}`;

            const queue = new aws.sqs.Queue(
                `${base}-failed`,
                { name: names.queueName, kmsMasterKeyId: context.keys.streaming, kmsDataKeyReusePeriodSeconds: 300, messageRetentionSeconds: 14 * 24 * 3600 },
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
                { name: `/aws/lambda/${names.functionName}`, retentionInDays: context.logRetentionDays, kmsKeyId: context.keys.observability },
                { parent: this },
            );
            const { role, policy: rolePolicy } = serviceRole(
                `${base}-role`,
                {
                    service: "lambda.amazonaws.com",
                    description: `Ingest function of ${dataset}: least privilege, no managed policies`,
                    accountId: context.accountId,
                    policy: policyWithLineage(
                        pulumi
                        .all([args.rawBucket.arn, args.rejectsBucket.arn, context.keys.lake, context.keys.streaming, logGroup.arn, queue.arn, source.sourceArn, pulumi.output(vpc)])
                        .apply(([rawBucketArn, rejectsBucketArn, lakeKeyArn, streamingKeyArn, logGroupArn, failureQueueArn, sourceArn, vpc]) =>
                            ingestRolePolicy({
                                engine,
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
                                ...(clientSecret ? { clientSecret } : {}),
                            }),
                        ),
                        args.lineage,
                    ),
                },
                this,
            );

            // The event type differs per engine; the mapping below guarantees which one arrives.
            const callbackFactory: aws.lambda.CallbackFactory<any, BatchItemFailuresResponse> = engine === "kinesis" ? createKinesisIngestHandler : createKafkaIngestHandler;
            const fn = new aws.lambda.CallbackFunction(
                base,
                {
                    name: names.functionName,
                    description: `Validates ${dataset} records from ${source.name} and lands them in the raw or rejects zone`,
                    callbackFactory,
                    runtime: aws.lambda.Runtime.NodeJS22dX,
                    architectures: [context.lambdaArchitecture],
                    role,
                    memorySize: cfg.memoryMb,
                    timeout: cfg.timeoutSeconds,
                    reservedConcurrentExecutions: cfg.reservedConcurrency,
                    tracingConfig: { mode: "Active" },
                    loggingConfig: { logFormat: "JSON", logGroup: logGroup.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
                    kmsKeyArn: context.keys.streaming,
                    environment: {
                        variables: {
                            [env.rawBucket]: args.rawBucket.bucket,
                            [env.rejectsBucket]: args.rejectsBucket.bucket,
                            [env.dataset]: dataset,
                            [env.metricsNamespace]: defaultMetricsNamespace,
                            [env.serviceName]: names.serviceName,
                            ...args.lineage?.environment,
                        },
                    },
                    ...(vpc ? { vpcConfig: vpc } : {}),
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
                bisectBatchOnFunctionError: engine === "kinesis",
                maximumRetryAttempts: cfg.maxRetries,
                maximumRecordAgeInSeconds: cfg.maxRecordAgeSeconds,
                destinationConfig: { onFailure: { destinationArn: queue.arn } },
            };
            new aws.lambda.EventSourceMapping(
                `${base}-source`,
                engine === "kinesis"
                    ? { ...common, eventSourceArn: source.sourceArn, functionResponseTypes: ["ReportBatchItemFailures"], parallelizationFactor: cfg.kinesisParallelization }
                    : {
                          ...common,
                          eventSourceArn: source.sourceArn,
                          topics: [source.name],
                          amazonManagedKafkaEventSourceConfig: { consumerGroupId: names.consumerGroup },
                          ...(sourceAccess.length > 0 ? { sourceAccessConfigurations: sourceAccess } : {}),
                          // Provisioned pollers: the mode in which MSK mappings honour bisect, retries and record age.
                          provisionedPollerConfig: { minimumPollers: 1, maximumPollers: cfg.mskMaxPollers },
                      },
                { parent: this, dependsOn: [rolePolicy] },
            );

            this.alarms.push(
                ...context.alarms.registerAlarms(
                    this,
                    ingestAlarms({ base, dataset, engine, functionAwsName: names.functionName, functionName: fn.name, queueName: names.queueName, queue: queue.name, serviceName: names.serviceName }),
                ),
            );
        }
        this.registerOutputs({ functionNames: this.functions.map((f) => f.name), failureQueueUrls: this.failureQueues.map((q) => q.url), alarms: this.alarms });
    }
}
