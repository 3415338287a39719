import * as aws from "@pulumi/aws";
import * as ecr from "../../../../policies/ecr";
import * as scheduler from "../../../../policies/scheduler";
import * as secretsmanager from "../../../../policies/secretsmanager";
import * as sfn from "../../../../policies/sfn";
import * as sns from "../../../../policies/sns";
import * as sqs from "../../../../policies/sqs";
import { doc, fixture, PropsOf } from "../helpers";
import { fails, passes, PolicyCase } from "./types";

const keyArn = "arn:aws:kms:us-east-1:123456789012:key/mrk-streaming";
const queueArn = "arn:aws:sqs:us-east-1:123456789012:failed";

const queue = (props: Partial<PropsOf<aws.sqs.QueueArgs>> = {}) => fixture(aws.sqs.Queue, "failed", { name: "failed", kmsMasterKeyId: keyArn, messageRetentionSeconds: 1209600, ...props });
const queuePolicy = (...statements: object[]) => fixture(aws.sqs.QueuePolicy, "failed", { queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/failed", policy: doc(...statements) });
const tlsOnly = { Sid: "TlsOnly", Effect: "Deny", Principal: { AWS: "*" }, Action: "sqs:*", Resource: queueArn, Condition: { Bool: { "aws:SecureTransport": "false" } } };

const repository = (props: Partial<PropsOf<aws.ecr.RepositoryArgs>> = {}) =>
    fixture(aws.ecr.Repository, "batch", { name: "platform-batch", imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true }, encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: keyArn }], ...props });

const machine = (props: Partial<PropsOf<aws.sfn.StateMachineArgs>> = {}) =>
    fixture(aws.sfn.StateMachine, "pipeline", {
        roleArn: "arn:aws:iam::123456789012:role/sfn",
        definition: "{}",
        tracingConfiguration: { enabled: true },
        loggingConfiguration: { level: "ERROR", includeExecutionData: true, logDestination: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/p:*" },
        ...props,
    });

const schedule = (target: Partial<PropsOf<aws.scheduler.ScheduleArgs>["target"]> = {}) =>
    fixture(aws.scheduler.Schedule, "pipeline", {
        scheduleExpression: "rate(1 hour)",
        flexibleTimeWindow: { mode: "OFF" },
        target: { arn: "arn:aws:states:us-east-1:123456789012:stateMachine:p", roleArn: "arn:aws:iam::123456789012:role/scheduler", retryPolicy: { maximumRetryAttempts: 3 }, deadLetterConfig: { arn: queueArn }, ...target },
    });

const secret = (props: Partial<PropsOf<aws.secretsmanager.SecretArgs>> = {}) =>
    fixture(aws.secretsmanager.Secret, "pagerduty", { name: "pagerduty", kmsKeyId: keyArn, ...props }, { outputs: { arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:pagerduty" } });
const rotation = (days: number) =>
    fixture(aws.secretsmanager.SecretRotation, "pagerduty", { secretId: "arn:aws:secretsmanager:us-east-1:123456789012:secret:pagerduty", rotationLambdaArn: "arn:aws:lambda:us-east-1:123456789012:function:rotate", rotationRules: { automaticallyAfterDays: days } });

export const messagingCases: PolicyCase[] = [
    passes(sqs.sqsQueueEncryption, "a customer-managed key", queue()),
    passes(sqs.sqsQueueEncryption, "SQS-managed encryption (the default)", queue({ kmsMasterKeyId: undefined })),
    fails(sqs.sqsQueueEncryption, "encryption turned off", queue({ kmsMasterKeyId: undefined, sqsManagedSseEnabled: false }), /must be encrypted/),

    passes(sqs.sqsQueueCmk, "a customer-managed key", queue()),
    fails(sqs.sqsQueueCmk, "the AWS-managed key", queue({ kmsMasterKeyId: "alias/aws/sqs" }), /must name a customer-managed key/),

    passes(sqs.sqsQueuePolicyNoWildcardAction, "a TLS-only deny", queuePolicy(tlsOnly)),
    fails(sqs.sqsQueuePolicyNoWildcardAction, "sqs:* for a role", queuePolicy({ Sid: "All", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:role/r" }, Action: "sqs:*", Resource: queueArn }), /statement "All" allows every SQS action/),

    passes(sqs.sqsQueuePolicyNoPublicAccess, "SNS pinned by aws:SourceArn", queuePolicy({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sqs:SendMessage", Resource: queueArn, Condition: { ArnEquals: { "aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:t" } } })),
    fails(
        sqs.sqsQueuePolicyNoPublicAccess,
        "finding 1: SendMessage for everyone from any address (aws:SourceIp 0.0.0.0/0)",
        queuePolicy({ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: queueArn, Condition: { IpAddress: { "aws:SourceIp": "0.0.0.0/0" } } }),
        /allows sqs:SendMessage to every principal/,
    ),
    fails(
        sqs.sqsQueuePolicyNoPublicAccess,
        "aws:SourceIp covering the internet in two halves",
        queuePolicy({ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: queueArn, Condition: { IpAddress: { "aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"] } } }),
        /allows sqs:SendMessage to every principal/,
    ),
    fails(
        sqs.sqsQueuePolicyNoPublicAccess,
        "aws:SourceArn of any account",
        queuePolicy({ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: queueArn, Condition: { ArnLike: { "aws:SourceArn": "arn:aws:sns:*:*:alarms" } } }),
        /allows sqs:SendMessage to every principal/,
    ),
    passes(
        sqs.sqsQueuePolicyNoPublicAccess,
        "one office network",
        queuePolicy({ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: queueArn, Condition: { IpAddress: { "aws:SourceIp": "203.0.113.0/24" } } }),
    ),
    fails(sqs.sqsQueuePolicyNoPublicAccess, "SendMessage for everyone", queuePolicy({ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: queueArn }), /allows sqs:SendMessage to every principal/),
    fails(sqs.sqsQueuePolicyNoPublicAccess, "an inline public queue policy", queue({ policy: doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sqs:ReceiveMessage", Resource: queueArn }) }), /every principal/),

    passes(sqs.sqsQueueRetention, "14 days", queue()),
    fails(sqs.sqsQueueRetention, "the 4-day default", queue({ messageRetentionSeconds: undefined }), /at least 1209600; found 345600 \(the SQS default\)/),

    passes(sns.snsTopicCmk, "the observability key", fixture(aws.sns.Topic, "alarms", { name: "platform-alarms", kmsMasterKeyId: keyArn })),
    fails(sns.snsTopicCmk, "unencrypted", fixture(aws.sns.Topic, "alarms", { name: "platform-alarms" }), /must name a customer-managed key/),

    passes(
        sns.snsTopicPolicyNoPublicAccess,
        "CloudWatch pinned to the account",
        fixture(aws.sns.TopicPolicy, "alarms", { arn: "arn:aws:sns:us-east-1:123456789012:a", policy: doc({ Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }) }),
    ),
    fails(
        sns.snsTopicPolicyNoPublicAccess,
        "publish for everyone",
        fixture(aws.sns.TopicPolicy, "alarms", { arn: "arn:aws:sns:us-east-1:123456789012:a", policy: doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sns:Publish", Resource: "*" }) }),
        /allows sns:Publish to every principal/,
    ),

    passes(ecr.ecrRepositoryImmutableTags, "immutable", repository()),
    fails(ecr.ecrRepositoryImmutableTags, "mutable (the default)", repository({ imageTagMutability: undefined }), /must be IMMUTABLE; found "MUTABLE"/),
    passes(ecr.ecrRepositoryScanOnPush, "scan on push", repository()),
    fails(ecr.ecrRepositoryScanOnPush, "no scanning", repository({ imageScanningConfiguration: undefined }), /scanOnPush must be true/),
    passes(ecr.ecrRepositoryCmk, "a customer-managed key", repository()),
    fails(ecr.ecrRepositoryCmk, "AES256 (the default)", repository({ encryptionConfigurations: undefined }), /must be KMS with a customer-managed key; found "AES256"/),
    fails(ecr.ecrRepositoryCmk, "KMS with the AWS-managed key", repository({ encryptionConfigurations: [{ encryptionType: "KMS" }] }), /kmsKey must name a customer-managed key/),

    passes(sfn.sfnStateMachineTracing, "X-Ray on", machine()),
    fails(sfn.sfnStateMachineTracing, "X-Ray off", machine({ tracingConfiguration: undefined }), /tracingConfiguration.enabled must be true/),
    passes(sfn.sfnStateMachineLogging, "errors with execution data", machine()),
    fails(sfn.sfnStateMachineLogging, "logging off", machine({ loggingConfiguration: undefined }), /level must be one of ALL, ERROR; found "OFF"/),
    fails(sfn.sfnStateMachineLogging, "without execution data", machine({ loggingConfiguration: { level: "ALL", includeExecutionData: false, logDestination: "arn:aws:logs:us-east-1:123456789012:log-group:g:*" } }), /includeExecutionData must be true/),

    passes(scheduler.schedulerScheduleCmk, "the pipeline key", fixture(aws.scheduler.Schedule, "keyed", { scheduleExpression: "rate(1 hour)", flexibleTimeWindow: { mode: "OFF" }, kmsKeyArn: keyArn, target: { arn: queueArn, roleArn: "arn:aws:iam::123456789012:role/s" } })),
    fails(scheduler.schedulerScheduleCmk, "no key (AWS's own)", schedule(), /kmsKeyArn must name a customer-managed KMS key; found nothing/),
    passes(
        sns.snsTopicPolicyNoCrossAccount,
        "a principal of the topic's own account without a condition",
        fixture(aws.sns.TopicPolicy, "alarms", { arn: "arn:aws:sns:us-east-1:123456789012:a", policy: doc({ Sid: "Own", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:role/ops" }, Action: "sns:Subscribe", Resource: "*" }) }),
    ),
    passes(
        sns.snsTopicPolicyNoCrossAccount,
        "another account pinned by a condition",
        fixture(aws.sns.TopicPolicy, "alarms", {
            arn: "arn:aws:sns:us-east-1:123456789012:a",
            policy: doc({ Effect: "Allow", Principal: { AWS: "210987654321" }, Action: "sns:Publish", Resource: "*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc" } } }),
        }),
    ),
    fails(
        sns.snsTopicPolicyNoCrossAccount,
        "another account without a condition",
        fixture(aws.sns.TopicPolicy, "alarms", { arn: "arn:aws:sns:us-east-1:123456789012:a", policy: doc({ Sid: "Partner", Effect: "Allow", Principal: { AWS: ["arn:aws:iam::210987654321:root"] }, Action: "sns:Publish", Resource: "*" }) }),
        /Statement "Partner" allows account\(s\) 210987654321 \(the topic is in 123456789012\) without a condition/,
    ),
    fails(sns.snsTopicPolicyNoCrossAccount, "a policy that is not JSON", fixture(aws.sns.TopicPolicy, "alarms", { arn: "arn:aws:sns:us-east-1:123456789012:a", policy: "{not json" }), /policy must be a JSON policy document/),
    passes(scheduler.schedulerScheduleFailureHandling, "retries and a dead-letter queue", schedule()),
    fails(scheduler.schedulerScheduleFailureHandling, "no dead-letter queue", schedule({ deadLetterConfig: undefined }), /deadLetterConfig.arn must name an SQS queue/),
    fails(scheduler.schedulerScheduleFailureHandling, "no retries", schedule({ retryPolicy: { maximumRetryAttempts: 0 } }), /maximumRetryAttempts must be at least 1; found 0/),

    passes(secretsmanager.secretsmanagerSecretCmk, "a customer-managed key", secret()),
    fails(secretsmanager.secretsmanagerSecretCmk, "the AWS-managed key", secret({ kmsKeyId: undefined }), /must name a customer-managed key/),
    passes(secretsmanager.secretsmanagerSecretRotation, "rotated every 30 days", [secret(), rotation(30)]),
    fails(secretsmanager.secretsmanagerSecretRotation, "never rotated", [secret()], /must rotate automatically/),
    fails(secretsmanager.secretsmanagerSecretRotation, "rotated every 180 days", [secret(), rotation(180)], /rotates every 180 days; it must rotate within 90/),
];
