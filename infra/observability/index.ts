import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument } from "../shared/iam";
import { namePrefix } from "../shared/options";
import { AlarmSpec, dashboardBody, PipelineStage, ratioQueries, stageTagKey } from "./alarms";

export type { AlarmSpec, PipelineStage } from "./alarms";

export interface ObservabilityArgs {
    readonly project: string;
    readonly stack: string;
    readonly region: string;
    readonly accountId: pulumi.Input<string>;
    /** The observability domain key: encrypts the alarm topic. */
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly alertEmails: readonly string[];
    /** An HTTPS endpoint (a secret) subscribed to the alarm topic, when configured. */
    readonly pagerDutyEndpoint?: pulumi.Output<string>;
    readonly budgetMonthlyUsd: number;
}

/**
 * The alarm topic, the budget and the dashboard, plus the API every component uses to register
 * its alarms: `observability.addAlarm(parent, name, spec)`. Call `finish()` once every component
 * has registered, to build the dashboard from what was registered.
 */
export class Observability extends pulumi.ComponentResource {
    readonly alarmTopic: aws.sns.Topic;
    readonly budget: aws.budgets.Budget;
    dashboard?: aws.cloudwatch.Dashboard;
    private readonly alarms = new Map<PipelineStage, pulumi.Output<string>[]>();
    private readonly args: ObservabilityArgs;
    private readonly componentName: string;

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:observability:Observability", name, {}, opts);
        this.args = args;
        this.componentName = name;
        const prefix = namePrefix(args.project, args.stack);

        this.alarmTopic = new aws.sns.Topic(`${name}-alarms`, { name: `${prefix}-alarms`, kmsMasterKeyId: args.kmsKeyArn }, { parent: this });
        new aws.sns.TopicPolicy(
            `${name}-alarms`,
            {
                arn: this.alarmTopic.arn,
                policy: pulumi.all([this.alarmTopic.arn, args.accountId]).apply(([topicArn, accountId]) =>
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
        args.alertEmails.forEach((email, i) => {
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
                costFilters: [{ name: "TagKeyValue", values: [`user:stack$${args.stack}`] }],
                notifications: [
                    { comparisonOperator: "GREATER_THAN", threshold: 80, thresholdType: "PERCENTAGE", notificationType: "ACTUAL" },
                    { comparisonOperator: "GREATER_THAN", threshold: 100, thresholdType: "PERCENTAGE", notificationType: "FORECASTED" },
                ].map((n) => ({ ...n, subscriberEmailAddresses: [...args.alertEmails], subscriberSnsTopicArns: [this.alarmTopic.arn] })),
            },
            { parent: this },
        );
        this.registerOutputs({});
    }

    /** Declares a CloudWatch alarm wired to the alarm topic (alarm and OK), tagged with its stage. */
    addAlarm(parent: pulumi.Resource, name: string, spec: AlarmSpec): aws.cloudwatch.MetricAlarm {
        const prefix = namePrefix(this.args.project, this.args.stack);
        const alarm = new aws.cloudwatch.MetricAlarm(
            name,
            {
                name: `${prefix}-${name}`,
                alarmDescription: spec.description,
                ...("ratio" in spec
                    ? { metricQueries: ratioQueries(spec) as aws.types.input.cloudwatch.MetricAlarmMetricQuery[] }
                    : {
                          namespace: spec.namespace,
                          metricName: spec.metricName,
                          dimensions: spec.dimensions as Record<string, pulumi.Input<string>>,
                          statistic: spec.statistic,
                          period: spec.periodSeconds ?? 300,
                      }),
                comparisonOperator: spec.comparisonOperator,
                threshold: spec.threshold,
                evaluationPeriods: spec.evaluationPeriods ?? 1,
                treatMissingData: spec.treatMissingData ?? "notBreaching",
                alarmActions: [this.alarmTopic.arn],
                okActions: [this.alarmTopic.arn],
                tags: { [stageTagKey]: spec.stage },
            },
            { parent },
        );
        const list = this.alarms.get(spec.stage) ?? [];
        list.push(alarm.arn);
        this.alarms.set(spec.stage, list);
        return alarm;
    }

    /** Builds the dashboard from every alarm registered so far. Call once, after all components. */
    finish(): aws.cloudwatch.Dashboard {
        if (this.dashboard) {
            throw new Error("Observability.finish() was called twice; call it once after every component has registered its alarms");
        }
        const stages = [...this.alarms.keys()];
        const prefix = namePrefix(this.args.project, this.args.stack);
        const body = pulumi.all(stages.map((stage) => pulumi.all(this.alarms.get(stage)!))).apply((arnLists) => {
            const byStage = new Map<PipelineStage, string[]>(stages.map((stage, i) => [stage, arnLists[i]]));
            return dashboardBody(this.args.region, `${prefix} data platform`, byStage);
        });
        this.dashboard = new aws.cloudwatch.Dashboard(`${this.componentName}-dashboard`, { dashboardName: `${prefix}-platform`, dashboardBody: body }, { parent: this });
        return this.dashboard;
    }
}
