import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument } from "../shared/iam";
import { AlarmRegistry, contextPrefix, PlatformBase, RegisteredAlarm } from "../shared/context";
import { AlarmSpec, dashboardBody, metricAlarmArgs, PipelineStage } from "./alarms";

export type { AlarmSpec, PipelineStage } from "./alarms";

export interface ObservabilityArgs {
    /** The stack's shared settings: names, account, region. */
    readonly context: PlatformBase;
    /** The observability domain key: encrypts the alarm topic. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Addresses subscribed by email to the alarm topic and to the budget's notifications. Defaults to none. */
    readonly alertEmails?: readonly string[];
    /** An HTTPS endpoint (a secret) subscribed to the alarm topic. Defaults to none. */
    readonly pagerDutyEndpoint?: pulumi.Output<string>;
    /** The monthly cost budget in USD, the same number the cost policy enforces. */
    readonly budgetMonthlyUsd: number;
}

/**
 * The alarm topic, the budget and the alarm registry of the platform: components hand their
 * alarm specifications to `registerAlarms` (through the platform context), and the dashboard is
 * built from the alarms it is given by `createDashboard`, whatever order they were declared in.
 */
export class Observability extends pulumi.ComponentResource implements AlarmRegistry {
    readonly alarmTopic: aws.sns.Topic;
    readonly alarmTopicArn: pulumi.Output<string>;
    readonly budget: aws.budgets.Budget;
    private readonly context: PlatformBase;
    private readonly componentName: string;
    private dashboard?: aws.cloudwatch.Dashboard;

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:observability:Observability", name, {}, opts);
        this.context = args.context;
        this.componentName = name;
        const prefix = contextPrefix(args.context);
        const alertEmails = args.alertEmails ?? [];

        this.alarmTopic = new aws.sns.Topic(`${name}-alarms`, { name: `${prefix}-alarms`, kmsMasterKeyId: args.kmsKeyArn }, { parent: this });
        new aws.sns.TopicPolicy(
            `${name}-alarms`,
            {
                arn: this.alarmTopic.arn,
                policy: pulumi.all([this.alarmTopic.arn, args.context.accountId]).apply(([topicArn, accountId]) =>
                    JSON.stringify(
                        policyDocument(
                            {
                                Sid: "AlarmSourcesInThisAccountPublish",
                                Effect: "Allow",
                                Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com", "budgets.amazonaws.com"] },
                                Action: "sns:Publish",
                                Resource: topicArn,
                                Condition: { StringEquals: { "aws:SourceAccount": accountId } },
                            },
                            {
                                Sid: "TlsOnly",
                                Effect: "Deny",
                                Principal: { AWS: "*" },
                                Action: "sns:Publish",
                                Resource: topicArn,
                                Condition: { Bool: { "aws:SecureTransport": "false" } },
                            },
                        ),
                    ),
                ),
            },
            { parent: this },
        );
        this.alarmTopicArn = this.alarmTopic.arn;
        alertEmails.forEach((email, i) => {
            new aws.sns.TopicSubscription(`${name}-email-${i}`, { topic: this.alarmTopic.arn, protocol: "email", endpoint: email }, { parent: this });
        });
        if (args.pagerDutyEndpoint) {
            new aws.sns.TopicSubscription(
                `${name}-pagerduty`,
                { topic: this.alarmTopic.arn, protocol: "https", endpoint: args.pagerDutyEndpoint, endpointAutoConfirms: true },
                { parent: this },
            );
        }

        // One number for the budget: the same config value the cost policy enforces.
        this.budget = new aws.budgets.Budget(
            `${name}-monthly`,
            {
                name: `${prefix}-monthly`,
                budgetType: "COST",
                limitAmount: args.budgetMonthlyUsd.toFixed(2),
                limitUnit: "USD",
                timeUnit: "MONTHLY",
                costFilters: [{ name: "TagKeyValue", values: [`user:stack$${args.context.stack}`] }],
                notifications: [
                    { comparisonOperator: "GREATER_THAN", threshold: 80, thresholdType: "PERCENTAGE", notificationType: "ACTUAL" },
                    { comparisonOperator: "GREATER_THAN", threshold: 100, thresholdType: "PERCENTAGE", notificationType: "FORECASTED" },
                ].map((n) => ({ ...n, subscriberEmailAddresses: [...alertEmails], subscriberSnsTopicArns: [this.alarmTopic.arn] })),
            },
            { parent: this },
        );
        this.registerOutputs({ alarmTopicArn: this.alarmTopicArn, budgetName: this.budget.name });
    }

    /** Declares one CloudWatch alarm per spec (see `metricAlarmArgs`), children of `parent`. */
    registerAlarms(parent: pulumi.Resource, specs: readonly AlarmSpec[]): RegisteredAlarm[] {
        const prefix = contextPrefix(this.context);
        return specs.map((spec) => {
            const alarm = new aws.cloudwatch.MetricAlarm(spec.name, metricAlarmArgs(spec, prefix, this.alarmTopicArn), { parent });
            return { stage: spec.stage, name: spec.name, arn: alarm.arn };
        });
    }

    /**
     * The platform's dashboard: one alarm widget per stage, in pipeline order, listing the alarms
     * given (every component's `alarms`). Its content depends only on that list. One per stack.
     */
    createDashboard(alarms: readonly RegisteredAlarm[]): aws.cloudwatch.Dashboard {
        if (this.dashboard) {
            throw new Error("Observability.createDashboard: the stack already has its dashboard; expected one call with every component's alarms, found a second call. Fix: concatenate the alarms into one call");
        }
        const prefix = contextPrefix(this.context);
        const body = pulumi.all(alarms.map((a) => a.arn)).apply((arns) => {
            const byStage = new Map<PipelineStage, string[]>();
            alarms.forEach((alarm, i) => byStage.set(alarm.stage, [...(byStage.get(alarm.stage) ?? []), arns[i]]));
            return dashboardBody(this.context.region, `${prefix} data platform`, byStage);
        });
        this.dashboard = new aws.cloudwatch.Dashboard(`${this.componentName}-dashboard`, { dashboardName: `${prefix}-platform`, dashboardBody: body }, { parent: this });
        return this.dashboard;
    }
}
