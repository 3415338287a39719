import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlarmSpec, anyOccurrence } from "../observability/alarms";
import { PlatformContext, RegisteredAlarm } from "./context";
import { policyDocument, Statement } from "./iam";
import { serviceRole } from "./role";

/** One EventBridge Scheduler schedule of a group that shares a target, a role and a dead-letter queue. */
export interface ScheduleSpec {
    /** Pulumi name of the schedule resource. */
    readonly resourceName: string;
    /** The schedule's AWS name. */
    readonly scheduleName: string;
    readonly description: string;
    /** `rate(...)` or `cron(...)`, evaluated in UTC. */
    readonly expression: string;
    /** The target's input (may use `<aws.scheduler.scheduled-time>` and the other context attributes). */
    readonly input: pulumi.Input<string>;
}

export interface ScheduledStartsArgs {
    /** AWS name of the dead-letter queue. */
    readonly deadLetterQueueName: string;
    /** A state machine, or a universal target such as `arn:aws:scheduler:::aws-sdk:batch:submitJob`. */
    readonly targetArn: pulumi.Input<string>;
    /** What the scheduler role may do to start the target (nothing else is granted besides the queue and the key). */
    readonly permissions: pulumi.Input<Statement[]>;
    /** What the scheduler role is for, shown in IAM. */
    readonly roleDescription: string;
    /** The stack's shared settings; the observability key encrypts the schedules and the dead-letter queue. */
    readonly context: PlatformContext;
    /** The schedules of the group, each a `rate(...)` or `cron(...)` with its input. */
    readonly schedules: readonly ScheduleSpec[];
    /** The stage and the meaning of the alarm on the dead-letter queue. */
    readonly alarm: Pick<AlarmSpec, "stage" | "description">;
}

/**
 * Schedules that start something, with what every schedule of the platform has: a role that may
 * only start its target, retries, a KMS-encrypted, TLS-only dead-letter queue for starts that
 * still fail, and an alarm on that queue. The queue, its policy and the role are named
 * `<name>-schedule-failed` and `<name>-scheduler`; the alarm `<name>-schedule-failed`.
 */
export function scheduledStarts(
    name: string,
    parent: pulumi.Resource,
    args: ScheduledStartsArgs,
): { readonly schedules: aws.scheduler.Schedule[]; readonly deadLetters: aws.sqs.Queue; readonly alarms: RegisteredAlarm[] } {
    const keyArn = args.context.keys.observability;
    const deadLetters = new aws.sqs.Queue(
        `${name}-schedule-failed`,
        { name: args.deadLetterQueueName, kmsMasterKeyId: keyArn, kmsDataKeyReusePeriodSeconds: 300, messageRetentionSeconds: 14 * 24 * 3600 },
        { parent },
    );
    new aws.sqs.QueuePolicy(
        `${name}-schedule-failed`,
        {
            queueUrl: deadLetters.url,
            policy: deadLetters.arn.apply((arn) =>
                JSON.stringify(policyDocument({ Sid: "TlsOnly", Effect: "Deny", Principal: { AWS: "*" }, Action: "sqs:*", Resource: arn, Condition: { Bool: { "aws:SecureTransport": "false" } } })),
            ),
        },
        { parent },
    );
    const { role } = serviceRole(
        `${name}-scheduler`,
        {
            service: "scheduler.amazonaws.com",
            description: args.roleDescription,
            accountId: args.context.accountId,
            policy: pulumi.all([pulumi.output(args.permissions), deadLetters.arn, keyArn]).apply(([permissions, queueArn, keyArn]) =>
                policyDocument(
                    ...permissions,
                    { Sid: "RecordFailedStarts", Effect: "Allow", Action: "sqs:SendMessage", Resource: queueArn },
                    { Sid: "EncryptFailedStarts", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: keyArn },
                ),
            ),
        },
        parent,
    );
    const schedules = args.schedules.map(
        (spec) =>
            new aws.scheduler.Schedule(
                spec.resourceName,
                {
                    name: spec.scheduleName,
                    description: spec.description,
                    scheduleExpression: spec.expression,
                    scheduleExpressionTimezone: "UTC",
                    flexibleTimeWindow: { mode: "OFF" },
                    kmsKeyArn: keyArn,
                    target: {
                        arn: args.targetArn,
                        roleArn: role.arn,
                        input: spec.input,
                        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
                        deadLetterConfig: { arn: deadLetters.arn },
                    },
                },
                { parent },
            ),
    );
    const alarms = args.context.alarms.registerAlarms(parent, [
        {
            ...args.alarm,
            name: `${name}-schedule-failed`,
            namespace: "AWS/SQS",
            metricName: "ApproximateNumberOfMessagesVisible",
            dimensions: { QueueName: deadLetters.name },
            statistic: "Maximum",
            ...anyOccurrence,
        },
    ]);
    return { schedules, deadLetters, alarms };
}
