import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createApiConnectorHandler } from "../../runtime/connectors/api/handler";
import { connectorMetricsNamespace } from "../../runtime/connectors/api/telemetry";
import { ApiSourceConfig } from "../config";
import { contextPrefix, PlatformContext, RegisteredAlarm } from "../shared/context";
import { policyDocument } from "../shared/iam";
import { serviceRole } from "../shared/role";
import { scheduledStarts } from "../shared/schedule";
import { connectorAlarms, connectorNames } from "./decisions";
import { checkpointKey, connectorRolePolicy } from "./iam";
import { countLineageFailures, LineageWiring, policyWithLineage } from "../lineage";
import { sourceFunctionBundleExclusions } from "../shared/bundle";

export interface ApiConnectorsArgs {
    /**
     * The stack's shared settings. The lake key encrypts the landed objects, the checkpoints, the
     * created secrets and the functions' environment; the observability key the log groups, the
     * schedules and their dead-letter queues.
     */
    readonly context: PlatformContext;
    /** The API sources of the stack config, one connector each. */
    readonly sources: readonly ApiSourceConfig[];
    /** Where valid records land; also holds each source's checkpoint under `_connectors/<source>/`. */
    readonly rawBucket: aws.s3.Bucket;
    /** Where rejected records land, with the rule that failed. */
    readonly rejectsBucket: aws.s3.Bucket;
    /** Where the functions report their runs' OpenLineage events (the Lineage component). Defaults to none: no emission. */
    readonly lineage?: LineageWiring;
}

/** Packages the connector closure never loads; left out of the Lambda bundle to keep it small. */
const excludedFromBundle = [...sourceFunctionBundleExclusions];

/**
 * One scheduled connector per API source, deployed from `runtime/connectors/api` as an inline
 * callback: an explicit least-privilege role, its own encrypted log group, reserved concurrency 1
 * (runs of one source never overlap within the stack; the checkpoint's conditional writes guard
 * the rest), settings by environment variable only, read access to the one Secrets Manager secret
 * with its credentials (created and rotated by the operator, never held in the stack), a dead-letter
 * queue for failed asynchronous invocations, and an EventBridge Scheduler schedule with a role that
 * may only invoke it, retries and an encrypted dead-letter queue.
 */
export class ApiConnectors extends pulumi.ComponentResource {
    readonly functions: aws.lambda.Function[] = [];
    readonly alarms: RegisteredAlarm[] = [];

    constructor(name: string, args: ApiConnectorsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:connectors:ApiConnectors", name, {}, opts);
        const context = args.context;
        const prefix = contextPrefix(context);

        for (const source of args.sources) {
            const settings = source.settings;
            const names = connectorNames(prefix, settings.name);
            const base = `${name}-${settings.name}`;

            // By ARN, or by name: the ARN of a named secret ends in six random characters, so IAM matches them with `??????`.
            const secretId = "arn" in source.secret ? source.secret.arn : source.secret.name;
            const secretResource = pulumi
                .all([context.partition, context.accountId])
                .apply(([partition, accountId]) => ("arn" in source.secret ? source.secret.arn : `arn:${partition}:secretsmanager:${context.region}:${accountId}:secret:${source.secret.name}-??????`));

            // Scheduler invokes the function asynchronously: an invocation that still fails after Lambda's
            // own retries is kept here (the claimed window is repeated by the next run either way).
            const failed = new aws.sqs.Queue(
                `${base}-failed`,
                { name: names.failureQueueName, kmsMasterKeyId: context.keys.observability, kmsDataKeyReusePeriodSeconds: 300, messageRetentionSeconds: 14 * 24 * 3600 },
                { parent: this },
            );
            new aws.sqs.QueuePolicy(
                `${base}-failed`,
                {
                    queueUrl: failed.url,
                    policy: failed.arn.apply((arn) =>
                        JSON.stringify(policyDocument({ Sid: "TlsOnly", Effect: "Deny", Principal: { AWS: "*" }, Action: "sqs:*", Resource: arn, Condition: { Bool: { "aws:SecureTransport": "false" } } })),
                    ),
                },
                { parent: this },
            );

            const logGroup = new aws.cloudwatch.LogGroup(
                `${base}-logs`,
                { name: `/aws/lambda/${names.functionName}`, retentionInDays: context.logRetentionDays, kmsKeyId: context.keys.observability },
                { parent: this },
            );
            countLineageFailures(this, `${base}-lineage-failures`, logGroup.name, args.lineage);
            const { role, policy: rolePolicy } = serviceRole(
                `${base}-role`,
                {
                    service: "lambda.amazonaws.com",
                    description: `API connector ${settings.name} (${settings.dataset}): least privilege, no managed policies`,
                    accountId: context.accountId,
                    policy: policyWithLineage(
                        pulumi
                        .all([args.rawBucket.arn, args.rejectsBucket.arn, context.keys.lake, context.keys.observability, logGroup.arn, secretResource, failed.arn])
                        .apply(([rawBucketArn, rejectsBucketArn, lakeKeyArn, observabilityKeyArn, logGroupArn, secretArn, failureQueueArn]) =>
                            connectorRolePolicy({ source: settings.name, dataset: settings.dataset, rawBucketArn, rejectsBucketArn, lakeKeyArn, observabilityKeyArn, logGroupArn, secretArn, failureQueueArn }),
                        ),
                        args.lineage,
                    ),
                },
                this,
            );
            const fn = new aws.lambda.CallbackFunction(
                base,
                {
                    name: names.functionName,
                    description: `Pulls ${settings.dataset} from ${new URL(settings.baseUrl).host} on a schedule and lands it in the raw or rejects zone`,
                    callbackFactory: createApiConnectorHandler,
                    runtime: aws.lambda.Runtime.NodeJS22dX,
                    architectures: [context.lambdaArchitecture],
                    role,
                    memorySize: source.memoryMb,
                    timeout: source.functionTimeoutSeconds,
                    reservedConcurrentExecutions: 1,
                    deadLetterConfig: { targetArn: failed.arn },
                    tracingConfig: { mode: "Active" },
                    loggingConfig: { logFormat: "JSON", logGroup: logGroup.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
                    kmsKeyArn: context.keys.lake,
                    environment: {
                        variables: {
                            API_SOURCE: JSON.stringify(settings),
                            SECRET_ARN: secretId,
                            RAW_BUCKET: args.rawBucket.bucket,
                            REJECTS_BUCKET: args.rejectsBucket.bucket,
                            CHECKPOINT_BUCKET: args.rawBucket.bucket,
                            CHECKPOINT_KEY: checkpointKey(settings.name),
                            LAKE_KEY_ARN: context.keys.lake,
                            METRICS_NAMESPACE: connectorMetricsNamespace,
                            ...args.lineage?.environment,
                        },
                    },
                    codePathOptions: { extraExcludePackages: excludedFromBundle },
                },
                { parent: this, dependsOn: [rolePolicy, logGroup] },
            );
            this.functions.push(fn);

            const started = scheduledStarts(base, this, {
                deadLetterQueueName: names.deadLetterQueueName,
                targetArn: fn.arn,
                permissions: fn.arn.apply((arn) => [{ Sid: "InvokeTheConnector", Effect: "Allow" as const, Action: "lambda:InvokeFunction", Resource: arn }]),
                roleDescription: `Starts the ${settings.name} API connector on its schedule, and nothing else`,
                context,
                schedules: [
                    {
                        resourceName: `${base}-schedule`,
                        scheduleName: names.scheduleName,
                        description: `Runs the ${settings.name} API connector (${settings.dataset})`,
                        expression: source.schedule,
                        input: JSON.stringify({ source: settings.name }),
                    },
                ],
                alarm: { stage: "ingest", description: `Scheduler could not start the ${settings.name} API connector after its retries; the failed starts are in ${names.deadLetterQueueName}. Check the connector's reserved concurrency and the scheduler role.` },
            });
            this.alarms.push(
                ...started.alarms,
                ...context.alarms.registerAlarms(
                    this,
                    connectorAlarms({ base, source: settings.name, dataset: settings.dataset, functionName: fn.name, failureQueueName: names.failureQueueName, failureQueue: failed.name, schedulePeriodSeconds: source.schedulePeriodSeconds }),
                ),
            );
        }
        this.registerOutputs({ functionNames: this.functions.map((f) => f.name), alarms: this.alarms });
    }
}
