import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlatformContext } from "./context";
import { PolicyDocument } from "./iam";
import { serviceRole } from "./role";

/** The physical names of one event-driven function and its failure queue and rule. */
export interface EventFunctionNames {
    readonly functionName: string;
    readonly queueName: string;
    readonly ruleName: string;
}

export interface EventFunctionArgs<E> {
    readonly context: PlatformContext;
    /** Logical name prefix of every resource (`<base>-failed`, `<base>-created`, `<base>-role`, ...). */
    readonly base: string;
    readonly names: EventFunctionNames;
    /** What the EventBridge rule matches, shown on the rule. */
    readonly ruleDescription: string;
    /** The rule's event pattern (JSON). */
    readonly eventPattern: pulumi.Input<string>;
    /** What the role is for, shown in IAM. */
    readonly roleDescription: string;
    /** The role's one inline policy, given the function's log group and failure queue. */
    readonly rolePolicy: (refs: { readonly logGroupArn: pulumi.Output<string>; readonly failureQueueArn: pulumi.Output<string> }) => pulumi.Input<PolicyDocument>;
    /** What the function does, shown in Lambda. */
    readonly description: string;
    /** The handler factory Pulumi serializes into the function's code (`aws.lambda.CallbackFunction`). */
    readonly callbackFactory: aws.lambda.CallbackFactory<E, unknown>;
    readonly memoryMb: number;
    readonly timeoutSeconds: number;
    readonly reservedConcurrency: number;
    readonly environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Packages left out of the code bundle (the Lambda runtime provides the AWS SDK). */
    readonly excludedFromBundle: string[];
}

/**
 * A function that an EventBridge rule invokes for each matching event (S3 Object Created through
 * EventBridge), with what every such function of the platform has: an explicit least-privilege
 * role, its own log group under the observability key, reserved concurrency, active tracing, and a
 * failure queue under the streaming key that keeps both the events EventBridge could not deliver
 * (after 185 attempts over a day) and the invocations that still failed after Lambda's two
 * asynchronous retries. The queue accepts TLS only and, from EventBridge, only this rule's events.
 */
export function eventFunction<E>(parent: pulumi.Resource, args: EventFunctionArgs<E>): { fn: aws.lambda.CallbackFunction<E, unknown>; queue: aws.sqs.Queue; rule: aws.cloudwatch.EventRule } {
    const { context, base, names } = args;
    const queue = new aws.sqs.Queue(
        `${base}-failed`,
        { name: names.queueName, kmsMasterKeyId: context.keys.streaming, kmsDataKeyReusePeriodSeconds: 300, messageRetentionSeconds: 14 * 24 * 3600 },
        { parent },
    );
    const rule = new aws.cloudwatch.EventRule(`${base}-created`, { name: names.ruleName, description: args.ruleDescription, eventPattern: args.eventPattern }, { parent });
    new aws.sqs.QueuePolicy(
        `${base}-failed`,
        {
            queueUrl: queue.url,
            policy: pulumi.all([queue.arn, rule.arn]).apply(([arn, ruleArn]) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Sid: "TlsOnly", Effect: "Deny", Principal: { AWS: "*" }, Action: "sqs:*", Resource: arn, Condition: { Bool: { "aws:SecureTransport": "false" } } },
                        { Sid: "UndeliveredEventsOfTheRule", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: arn, Condition: { ArnEquals: { "aws:SourceArn": ruleArn } } },
                    ],
                }),
            ),
        },
        { parent },
    );
    const logGroup = new aws.cloudwatch.LogGroup(`${base}-logs`, { name: `/aws/lambda/${names.functionName}`, retentionInDays: context.logRetentionDays, kmsKeyId: context.keys.observability }, { parent });
    const { role, policy: rolePolicy } = serviceRole(
        `${base}-role`,
        { service: "lambda.amazonaws.com", description: args.roleDescription, accountId: context.accountId, policy: args.rolePolicy({ logGroupArn: logGroup.arn, failureQueueArn: queue.arn }) },
        parent,
    );
    const fn = new aws.lambda.CallbackFunction<E, unknown>(
        base,
        {
            name: names.functionName,
            description: args.description,
            callbackFactory: args.callbackFactory,
            runtime: aws.lambda.Runtime.NodeJS22dX,
            architectures: [context.lambdaArchitecture],
            role,
            memorySize: args.memoryMb,
            timeout: args.timeoutSeconds,
            reservedConcurrentExecutions: args.reservedConcurrency,
            tracingConfig: { mode: "Active" },
            loggingConfig: { logFormat: "JSON", logGroup: logGroup.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
            kmsKeyArn: context.keys.streaming,
            deadLetterConfig: { targetArn: queue.arn },
            environment: { variables: args.environment },
            codePathOptions: { extraExcludePackages: args.excludedFromBundle },
        },
        { parent, dependsOn: [rolePolicy, logGroup] },
    );
    new aws.lambda.FunctionEventInvokeConfig(`${base}-async`, { functionName: fn.name, maximumRetryAttempts: 2, maximumEventAgeInSeconds: 6 * 3600 }, { parent });
    new aws.lambda.Permission(`${base}-invoke`, { function: fn.name, action: "lambda:InvokeFunction", principal: "events.amazonaws.com", sourceArn: rule.arn, sourceAccount: context.accountId }, { parent });
    new aws.cloudwatch.EventTarget(
        `${base}-target`,
        { rule: rule.name, arn: fn.arn, retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 24 * 3600 }, deadLetterConfig: { arn: queue.arn } },
        { parent },
    );
    return { fn, queue, rule };
}
