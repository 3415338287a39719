import * as aws from "@pulumi/aws";
import * as lambda from "../../../../policies/lambda";
import { EngineResource } from "../../../../policies/runner/engine";
import { doc, fixture, PropsOf } from "../helpers";
import { fails, notApplicable, passes, PolicyCase } from "./types";

const roleArn = "arn:aws:iam::123456789012:role/ingest-orders";
const fnArn = "arn:aws:lambda:us-east-1:123456789012:function:platform-prod-ingest-orders";
const queueArn = "arn:aws:sqs:us-east-1:123456789012:platform-prod-ingest-orders-failed";
const streamArn = "arn:aws:kinesis:us-east-1:123456789012:stream/platform-prod-orders-v1";

type FunctionProps = PropsOf<aws.lambda.FunctionArgs>;

const fnProps = (props: Partial<FunctionProps> = {}): FunctionProps => ({
    name: "platform-prod-ingest-orders",
    role: roleArn,
    runtime: "nodejs22.x",
    handler: "index.handler",
    memorySize: 512,
    timeout: 120,
    reservedConcurrentExecutions: 10,
    tracingConfig: { mode: "Active" },
    loggingConfig: { logFormat: "JSON", logGroup: "/aws/lambda/platform-prod-ingest-orders" },
    kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/mrk-streaming",
    environment: { variables: { RAW_BUCKET: "platform-raw", WAREHOUSE_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:rs-admin" } },
    vpcConfig: { subnetIds: ["subnet-private-1"], securityGroupIds: ["sg-clients"] },
    ...props,
});

const fn = (props: Partial<FunctionProps> = {}, options: { dependsOn?: EngineResource[] } = {}) =>
    fixture(aws.lambda.Function, "ingest-orders", fnProps(props), { outputs: { arn: fnArn }, ...options });

type MappingProps = PropsOf<aws.lambda.EventSourceMappingArgs>;
const kinesisMapping = (props: Partial<MappingProps> = {}) =>
    fixture(aws.lambda.EventSourceMapping, "ingest-orders-source", {
        functionName: fnArn,
        eventSourceArn: streamArn,
        startingPosition: "TRIM_HORIZON",
        bisectBatchOnFunctionError: true,
        functionResponseTypes: ["ReportBatchItemFailures"],
        maximumRetryAttempts: 5,
        maximumRecordAgeInSeconds: 86400,
        destinationConfig: { onFailure: { destinationArn: queueArn } },
        ...props,
    });
const kafkaMapping = (props: Partial<MappingProps> = {}) =>
    fixture(aws.lambda.EventSourceMapping, "ingest-orders-kafka", {
        functionName: fnArn,
        eventSourceArn: "arn:aws:kafka:us-east-1:123456789012:cluster/platform-prod/u",
        topics: ["orders.v1"],
        startingPosition: "TRIM_HORIZON",
        destinationConfig: { onFailure: { destinationArn: queueArn } },
        ...props,
    });
const queueMapping = () => fixture(aws.lambda.EventSourceMapping, "from-queue", { functionName: fnArn, eventSourceArn: queueArn });

const role = fixture(aws.iam.Role, "ingest-orders-role", { assumeRolePolicy: doc({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }) }, { outputs: { arn: roleArn, name: "ingest-orders" } });
const rolePolicy = fixture(aws.iam.RolePolicy, "ingest-orders-role", { role: "ingest-orders", policy: doc({ Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::raw/orders/*" }) });
const fullAccess = fixture(aws.iam.RolePolicyAttachment, "ingest-orders-32be53a2", { role: "ingest-orders", policyArn: "arn:aws:iam::aws:policy/AWSLambda_FullAccess" });
const logGroup = (retentionInDays?: number) => fixture(aws.cloudwatch.LogGroup, "ingest-orders-logs", { name: "/aws/lambda/platform-prod-ingest-orders", ...(retentionInDays ? { retentionInDays } : {}) });
const machine = (state: object) =>
    fixture(aws.sfn.StateMachine, "pipeline", { roleArn: "arn:aws:iam::123456789012:role/sfn", definition: JSON.stringify({ StartAt: "Invoke", States: { Invoke: state, Failed: { Type: "Fail" } } }) });
const stateMachine = fixture(aws.sfn.StateMachine, "pipeline", { roleArn: "arn:aws:iam::123456789012:role/sfn", definition: JSON.stringify({ StartAt: "Load", States: { Load: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: fnArn }, End: true } } }) });

/** A delivery stream whose Lambda processor is `lambdaArn`. */
const firehoseWithProcessor = (lambdaArn: string) =>
    fixture(aws.kinesis.FirehoseDeliveryStream, "firehose-orders", {
        name: "platform-prod-deliver-orders",
        destination: "extended_s3",
        extendedS3Configuration: {
            bucketArn: "arn:aws:s3:::raw",
            roleArn: "arn:aws:iam::123456789012:role/delivery",
            processingConfiguration: { enabled: true, processors: [{ type: "Lambda", parameters: [{ parameterName: "LambdaArn", parameterValue: lambdaArn }] }] },
        },
    });

export const lambdaCases: PolicyCase[] = [
    passes(lambda.lambdaFunctionRuntimeSupported, "Node.js 22", fn()),
    passes(lambda.lambdaFunctionRuntimeSupported, "a container image", fn({ runtime: undefined, packageType: "Image", imageUri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1" })),
    fails(lambda.lambdaFunctionRuntimeSupported, "Node.js 18 (deprecated)", fn({ runtime: "nodejs18.x" }), /runtime must be one of .*found "nodejs18.x"/),
    fails(lambda.lambdaFunctionRuntimeSupported, "no runtime", fn({ runtime: undefined }), /runtime must be set explicitly/),

    passes(lambda.lambdaFunctionTracing, "active tracing", fn()),
    fails(lambda.lambdaFunctionTracing, "pass-through tracing", fn({ tracingConfig: { mode: "PassThrough" } }), /tracingConfig.mode must be Active; found "PassThrough"/),

    passes(lambda.lambdaFunctionReservedConcurrency, "10 reserved", fn()),
    fails(lambda.lambdaFunctionReservedConcurrency, "none reserved", fn({ reservedConcurrentExecutions: undefined }), /must be set/),
    fails(lambda.lambdaFunctionReservedConcurrency, "0 reserved (disabled)", fn({ reservedConcurrentExecutions: 0 }), /between 1 and 1000/),
    fails(lambda.lambdaFunctionReservedConcurrency, "over the configured maximum", fn({ reservedConcurrentExecutions: 50 }), /between 1 and 25 \(0 disables the function\); found 50/, { maximum: 25 }),

    passes(lambda.lambdaFunctionEnvironmentNoSecrets, "names and a secret ARN", fn()),
    fails(lambda.lambdaFunctionEnvironmentNoSecrets, "an access key", fn({ environment: { variables: { UPSTREAM: "AKIAIOSFODNN7EXAMPLE" } } }), /UPSTREAM holds what looks like a credential/),
    fails(lambda.lambdaFunctionEnvironmentNoSecrets, "a password literal", fn({ environment: { variables: { DB_PASSWORD: "hunter2" } } }), /DB_PASSWORD looks like a secret and holds a literal value/),

    passes(lambda.lambdaFunctionEnvironmentEncryption, "a customer-managed key", fn()),
    passes(lambda.lambdaFunctionEnvironmentEncryption, "no environment", fn({ environment: undefined, kmsKeyArn: undefined })),
    fails(lambda.lambdaFunctionEnvironmentEncryption, "variables without a key", fn({ kmsKeyArn: undefined }), /2 environment variables, so kmsKeyArn must name a customer-managed key/),

    passes(lambda.lambdaFunctionInVpc, "private subnets", fn()),
    fails(lambda.lambdaFunctionInVpc, "no VPC", fn({ vpcConfig: undefined }), /must place the function in the VPC's private subnets/),

    passes(lambda.lambdaFunctionFailureDestination, "a stream mapping with an on-failure queue", [fn(), kinesisMapping()]),
    passes(lambda.lambdaFunctionFailureDestination, "a dead-letter queue", [fn({ deadLetterConfig: { targetArn: queueArn } })]),
    passes(lambda.lambdaFunctionFailureDestination, "invoked synchronously by a state machine", [fn(), stateMachine]),
    passes(lambda.lambdaFunctionFailureDestination, "an async on-failure destination", [
        fn(),
        fixture(aws.lambda.FunctionEventInvokeConfig, "async", { functionName: fnArn, destinationConfig: { onFailure: { destination: queueArn } } }),
    ]),
    fails(lambda.lambdaFunctionFailureDestination, "a stream mapping without an on-failure destination", [fn(), kinesisMapping({ destinationConfig: undefined })], /feeds Function "ingest-orders" without an on-failure destination/),
    fails(
        lambda.lambdaFunctionFailureDestination,
        "finding 7: a state machine task that invokes it asynchronously (InvocationType Event)",
        [fn(), machine({ Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: fnArn, InvocationType: "Event" }, End: true })],
        /has no dead-letter queue, no on-failure destination and no event source mapping/,
    ),
    fails(
        lambda.lambdaFunctionFailureDestination,
        "the ARN only mentioned in a state's payload",
        [fn(), machine({ Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage", Parameters: { QueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/q", MessageBody: { target: fnArn } }, End: true })],
        /has no dead-letter queue/,
    ),
    fails(
        lambda.lambdaFunctionFailureDestination,
        "a callback task with no Catch",
        [fn(), machine({ Type: "Task", Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken", Parameters: { FunctionName: fnArn, "Payload.$": "$" }, End: true })],
        /has no dead-letter queue/,
    ),
    passes(lambda.lambdaFunctionFailureDestination, "a JSONata task with InvocationType RequestResponse, inside a Map", [
        fn(),
        machine({
            Type: "Map",
            ItemProcessor: { ProcessorConfig: { Mode: "INLINE" }, StartAt: "Load", States: { Load: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Arguments: { FunctionName: `${fnArn}:live`, InvocationType: "RequestResponse" }, End: true } } },
            End: true,
        }),
    ]),
    passes(lambda.lambdaFunctionFailureDestination, "a callback task with a timeout and a Catch", [
        fn(),
        machine({
            Type: "Task",
            Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
            Parameters: { FunctionName: fnArn, "Payload.$": "$" },
            TimeoutSeconds: 900,
            Catch: [{ ErrorEquals: ["States.ALL"], Next: "Failed" }],
            End: true,
        }),
    ]),
    fails(lambda.lambdaFunctionFailureDestination, "nothing catches failed invocations", [fn()], /has no dead-letter queue, no on-failure destination and no event source mapping/),
    passes(lambda.lambdaFunctionFailureDestination, "the data-transformation processor of a Firehose delivery stream", [fn(), firehoseWithProcessor(`${fnArn}:$LATEST`)]),
    fails(lambda.lambdaFunctionFailureDestination, "a Firehose delivery stream that processes with another function", [fn(), firehoseWithProcessor(`${fnArn}-other:$LATEST`)], /has no dead-letter queue/),

    passes(lambda.lambdaFunctionLeastPrivilegeRole, "its own role with an inline policy", [fn(), role, rolePolicy]),
    fails(lambda.lambdaFunctionLeastPrivilegeRole, "CallbackFunction's default role", [fn(), role, fullAccess], /carries AWS-managed AWSLambda_FullAccess/),
    fails(lambda.lambdaFunctionLeastPrivilegeRole, "a role with no inline policy", [fn(), role], /has no inline policy of its own/),
    fails(lambda.lambdaFunctionLeastPrivilegeRole, "a role from outside the stack", [fn()], /not a role of this stack/),

    passes(lambda.lambdaFunctionLogRetention, "its log group has retention", [fn(), logGroup(90)]),
    fails(lambda.lambdaFunctionLogRetention, "its log group keeps logs forever", [fn(), logGroup()], /must have retentionInDays between 1 and 3653/),
    fails(lambda.lambdaFunctionLogRetention, "no log group in the stack", [fn({ loggingConfig: undefined })], /logs to \/aws\/lambda\/platform-prod-ingest-orders, which must be a log group of this stack/),

    passes(lambda.lambdaEventSourceMappingOnFailure, "a Kinesis mapping with an on-failure queue", kinesisMapping()),
    passes(lambda.lambdaEventSourceMappingOnFailure, "an MSK mapping with an on-failure queue", kafkaMapping()),
    notApplicable(lambda.lambdaEventSourceMappingOnFailure, "an SQS mapping (the queue's redrive policy handles failures)", queueMapping()),
    fails(lambda.lambdaEventSourceMappingOnFailure, "a Kafka mapping without a destination", kafkaMapping({ destinationConfig: undefined }), /must be set for this Kafka source/),

    passes(lambda.lambdaEventSourceMappingStreamErrorHandling, "bisect, partial failures, bounded retries", kinesisMapping()),
    notApplicable(lambda.lambdaEventSourceMappingStreamErrorHandling, "a Kafka mapping", kafkaMapping()),
    fails(lambda.lambdaEventSourceMappingStreamErrorHandling, "no bisect", kinesisMapping({ bisectBatchOnFunctionError: false }), /bisectBatchOnFunctionError must be true/),
    fails(lambda.lambdaEventSourceMappingStreamErrorHandling, "no partial batch responses", kinesisMapping({ functionResponseTypes: [] }), /must include ReportBatchItemFailures/),
    fails(lambda.lambdaEventSourceMappingStreamErrorHandling, "infinite retries", kinesisMapping({ maximumRetryAttempts: -1 }), /maximumRetryAttempts must be bounded/),

    passes(lambda.lambdaFunctionUrlAuth, "IAM auth", fixture(aws.lambda.FunctionUrl, "url", { functionName: "f", authorizationType: "AWS_IAM" })),
    fails(lambda.lambdaFunctionUrlAuth, "no auth", fixture(aws.lambda.FunctionUrl, "url", { functionName: "f", authorizationType: "NONE" }), /must be AWS_IAM; found "NONE"/),

    passes(lambda.lambdaFunctionUrlCors, "a named origin", fixture(aws.lambda.FunctionUrl, "url", { functionName: "f", authorizationType: "AWS_IAM", cors: { allowOrigins: ["https://example.com"] } })),
    fails(lambda.lambdaFunctionUrlCors, "every origin", fixture(aws.lambda.FunctionUrl, "url", { functionName: "f", authorizationType: "AWS_IAM", cors: { allowOrigins: ["*"] } }), /must name the origins/),

    passes(lambda.lambdaPermissionNotPublic, "EventBridge from one rule", fixture(aws.lambda.Permission, "p", { action: "lambda:InvokeFunction", function: "f", principal: "events.amazonaws.com", sourceArn: "arn:aws:events:us-east-1:123456789012:rule/r" })),
    fails(lambda.lambdaPermissionNotPublic, "anyone", fixture(aws.lambda.Permission, "p", { action: "lambda:InvokeFunction", function: "f", principal: "*" }), /principal must name a service or account/),

    passes(lambda.lambdaPermissionSourceRestricted, "S3 from one bucket", fixture(aws.lambda.Permission, "p", { action: "lambda:InvokeFunction", function: "f", principal: "s3.amazonaws.com", sourceArn: "arn:aws:s3:::raw", sourceAccount: "123456789012" })),
    fails(lambda.lambdaPermissionSourceRestricted, "S3 from any bucket", fixture(aws.lambda.Permission, "p", { action: "lambda:InvokeFunction", function: "f", principal: "s3.amazonaws.com" }), /must set sourceArn or sourceAccount/),
];
