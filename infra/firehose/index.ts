import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createFirehoseTransformHandler, FirehoseTransformationEvent, FirehoseTransformationResponse } from "../../runtime/firehose";
import { ingestEnvironmentVariables } from "../../runtime/ingest/settings";
import { defaultMetricsNamespace } from "../../runtime/ingest/telemetry";
import { FirehoseDeliveryConfig, IngestConfig } from "../config";
import { sourceFunctionBundleExclusions } from "../shared/bundle";
import { contextPrefix, PlatformContext, RegisteredAlarm } from "../shared/context";
import { serviceRole } from "../shared/role";
import { DatasetSource } from "../streaming";
import {
    deliveryRetrySeconds,
    errorPrefixTemplate,
    firehoseAlarms,
    firehoseFileExtension,
    firehoseNames,
    rawPrefixTemplate,
    transformProcessorParameters,
    validateFirehoseSource,
} from "./decisions";
import { deliveryRolePolicy, transformRolePolicy } from "./iam";

export interface FirehoseDeliveryArgs {
    /**
     * The stack's shared settings. The streaming key encrypts the stream (the delivery role
     * decrypts it) and the function's environment, the lake key the delivered objects, the
     * observability key the log groups.
     */
    readonly context: PlatformContext;
    /** The Kinesis streams, one per dataset (the Streaming component has this shape). MSK is refused. */
    readonly streaming: { readonly engine: "kinesis" | "msk"; readonly sources: readonly DatasetSource[] };
    /** The transformation function's memory, timeout and reserved concurrency. */
    readonly ingest: Pick<IngestConfig, "memoryMb" | "timeoutSeconds" | "reservedConcurrency">;
    /** Buffering of the delivery stream. */
    readonly firehose: FirehoseDeliveryConfig;
    /** Where valid records land, under `<dataset>/dt=/hour=`; failed ones under `_firehose_errors/<dataset>/`. */
    readonly rawBucket: aws.s3.Bucket;
}

/** Packages the transformation closure never loads; left out of the Lambda bundle to keep it small. */
const excludedFromBundle = [...sourceFunctionBundleExclusions];

/**
 * Firehose delivery of each dataset's Kinesis stream to the raw zone, the alternative to the
 * ingest function's event source mapping (`ingestDelivery: firehose`): per dataset a delivery
 * stream reading the stream with its own role, the ingest validation and transformation as its
 * data-transformation function (an inline callback from `runtime/firehose` with its own
 * least-privilege role), dynamic partitioning into the raw zone's `dt=/hour=` layout as gzip
 * NDJSON under the lake key, an error output prefix for records that fail, buffering from config,
 * error logging to an encrypted log group, and alarms.
 */
export class FirehoseDelivery extends pulumi.ComponentResource {
    readonly deliveryStreams: aws.kinesis.FirehoseDeliveryStream[] = [];
    readonly functions: aws.lambda.Function[] = [];
    readonly alarms: RegisteredAlarm[] = [];

    constructor(name: string, args: FirehoseDeliveryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:firehose:FirehoseDelivery", name, {}, opts);
        validateFirehoseSource(name, args.streaming.engine);
        const context = args.context;
        const prefix = contextPrefix(context);
        const env = ingestEnvironmentVariables;

        for (const source of args.streaming.sources) {
            const dataset = source.dataset.name;
            const names = firehoseNames(prefix, dataset);
            const base = `${name}-${dataset}`;

            const functionLogs = new aws.cloudwatch.LogGroup(
                `${base}-transform-logs`,
                { name: `/aws/lambda/${names.functionName}`, retentionInDays: context.logRetentionDays, kmsKeyId: context.keys.observability },
                { parent: this },
            );
            const { role: functionRole, policy: functionPolicy } = serviceRole(
                `${base}-transform-role`,
                {
                    service: "lambda.amazonaws.com",
                    description: `Firehose transformation function of ${dataset}: its logs and environment only`,
                    accountId: context.accountId,
                    policy: pulumi.all([functionLogs.arn, context.keys.streaming]).apply(([logGroupArn, streamingKeyArn]) => transformRolePolicy({ logGroupArn, streamingKeyArn })),
                },
                this,
            );
            const fn = new aws.lambda.CallbackFunction<FirehoseTransformationEvent, FirehoseTransformationResponse>(
                `${base}-transform`,
                {
                    name: names.functionName,
                    description: `Validates ${dataset} records for Firehose and returns their raw-zone lines and dt/hour partition keys`,
                    callbackFactory: createFirehoseTransformHandler,
                    runtime: aws.lambda.Runtime.NodeJS22dX,
                    architectures: [context.lambdaArchitecture],
                    role: functionRole,
                    memorySize: args.ingest.memoryMb,
                    timeout: args.ingest.timeoutSeconds,
                    reservedConcurrentExecutions: args.ingest.reservedConcurrency,
                    tracingConfig: { mode: "Active" },
                    loggingConfig: { logFormat: "JSON", logGroup: functionLogs.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
                    kmsKeyArn: context.keys.streaming,
                    environment: { variables: { [env.dataset]: dataset, [env.metricsNamespace]: defaultMetricsNamespace, [env.serviceName]: names.serviceName } },
                    codePathOptions: { extraExcludePackages: excludedFromBundle },
                },
                { parent: this, dependsOn: [functionPolicy, functionLogs] },
            );
            this.functions.push(fn);

            const deliveryLogs = new aws.cloudwatch.LogGroup(
                `${base}-delivery-logs`,
                { name: names.deliveryLogGroupName, retentionInDays: context.logRetentionDays, kmsKeyId: context.keys.observability },
                { parent: this },
            );
            const deliveryLogStream = new aws.cloudwatch.LogStream(`${base}-delivery-errors`, { logGroupName: deliveryLogs.name, name: names.deliveryLogStreamName }, { parent: this });
            const { role: deliveryRole, policy: deliveryPolicy } = serviceRole(
                `${base}-delivery-role`,
                {
                    service: "firehose.amazonaws.com",
                    description: `Firehose delivery of ${dataset}: reads its stream, writes its raw prefix, invokes its transformation`,
                    accountId: context.accountId,
                    policy: pulumi
                        .all([source.sourceArn, context.keys.streaming, args.rawBucket.arn, context.keys.lake, fn.arn, deliveryLogs.arn])
                        .apply(([streamArn, streamingKeyArn, rawBucketArn, lakeKeyArn, functionArn, deliveryLogGroupArn]) =>
                            deliveryRolePolicy({ dataset, streamArn, streamingKeyArn, rawBucketArn, lakeKeyArn, functionArn, deliveryLogGroupArn, deliveryLogStreamName: names.deliveryLogStreamName, region: context.region }),
                        ),
                },
                this,
            );

            // No serverSideEncryption block: Firehose refuses it with a Kinesis stream source, whose
            // records stay encrypted by the stream's own key; the objects are SSE-KMS with the lake key.
            const stream = new aws.kinesis.FirehoseDeliveryStream(
                base,
                {
                    name: names.deliveryStreamName,
                    destination: "extended_s3",
                    kinesisSourceConfiguration: { kinesisStreamArn: source.sourceArn, roleArn: deliveryRole.arn },
                    extendedS3Configuration: {
                        bucketArn: args.rawBucket.arn,
                        roleArn: deliveryRole.arn,
                        prefix: rawPrefixTemplate(dataset),
                        errorOutputPrefix: errorPrefixTemplate(dataset),
                        bufferingSize: args.firehose.bufferSizeMb,
                        bufferingInterval: args.firehose.bufferIntervalSeconds,
                        compressionFormat: "GZIP",
                        fileExtension: firehoseFileExtension,
                        customTimeZone: "UTC",
                        kmsKeyArn: context.keys.lake,
                        cloudwatchLoggingOptions: { enabled: true, logGroupName: deliveryLogs.name, logStreamName: deliveryLogStream.name },
                        dynamicPartitioningConfiguration: { enabled: true, retryDuration: deliveryRetrySeconds },
                        processingConfiguration: { enabled: true, processors: [{ type: "Lambda", parameters: fn.arn.apply(transformProcessorParameters) }] },
                    },
                },
                // Firehose checks its role on creation, so the role's policy must exist first.
                { parent: this, dependsOn: [deliveryPolicy, deliveryLogStream] },
            );
            this.deliveryStreams.push(stream);

            this.alarms.push(
                ...context.alarms.registerAlarms(
                    this,
                    firehoseAlarms({
                        base,
                        dataset,
                        deliveryStreamName: stream.name,
                        deliveryStreamAwsName: names.deliveryStreamName,
                        functionName: fn.name,
                        functionAwsName: names.functionName,
                        serviceName: names.serviceName,
                        bufferIntervalSeconds: args.firehose.bufferIntervalSeconds,
                    }),
                ),
            );
        }
        this.registerOutputs({ deliveryStreamNames: this.deliveryStreams.map((s) => s.name), functionNames: this.functions.map((f) => f.name), alarms: this.alarms });
    }
}
