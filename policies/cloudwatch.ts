import * as aws from "@pulumi/aws";
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { policyConfig } from "./lib/config";
import { checkov } from "./lib/metadata";
import { label, ofType, prop, referencedBy } from "./lib/stack";
import { asList, isKnown, isObject, probe, show } from "./lib/values";

/** @severity medium */
export const cloudwatchLogGroupRetention: ResourceValidationPolicy = {
    name: "cloudwatch-log-group-retention",
    description: "Checks whether CloudWatch log groups set a retention period instead of keeping logs forever.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV_AWS_66"], "Ensure that CloudWatch Log Group specifies retention days."),
    tags: ["cost", "observability", "cloudwatch"],
    remediationSteps: "Set retentionInDays (platform:logRetentionDays) to a value CloudWatch accepts.",
    validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, _args, reportViolation) => {
        if (!group.retentionInDays) {
            reportViolation(`retentionInDays must be set; found ${show(group.retentionInDays)}, which keeps logs (and their cost) forever.`);
        }
    }),
};

const oneYearSchema = {
    properties: {
        minimumDays: { type: "integer" as const, minimum: 1, default: 365, description: "Shortest retention allowed, in days (Checkov: one year, for audits and incident timelines). Defaults to 365." },
    },
};

/** @severity low */
export const cloudwatchLogGroupRetentionOneYear: ResourceValidationPolicy = {
    name: "cloudwatch-log-group-retention-one-year",
    description: "Checks whether CloudWatch log groups keep logs at least the configured minimum (one year by default), long enough for audits and incident timelines.",
    enforcementLevel: "advisory",
    severity: "low",
    framework: checkov(["CKV_AWS_338"], "Ensure CloudWatch log groups retains logs for at least 1 year."),
    tags: ["audit", "cloudwatch"],
    remediationSteps: "Raise retentionInDays (platform:logRetentionDays) to at least the minimum, or export logs to the lake for long-term keeping.",
    configSchema: oneYearSchema,
    validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, args, reportViolation) => {
        const { minimumDays } = policyConfig<{ minimumDays: number }>(args, oneYearSchema);
        if (group.retentionInDays && group.retentionInDays < minimumDays) {
            reportViolation(`retentionInDays must be at least ${minimumDays}; found ${group.retentionInDays}.`);
        }
    }),
};

/** @severity medium */
export const cloudwatchLogGroupCmk: ResourceValidationPolicy = {
    name: "cloudwatch-log-group-cmk",
    description: "Checks whether CloudWatch log groups are encrypted with a customer-managed KMS key.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV_AWS_158"], "Ensure that CloudWatch Log Group is encrypted by KMS."),
    tags: ["security", "encryption", "cloudwatch"],
    remediationSteps: "Set kmsKeyId to the observability key; its policy must let logs.<region>.amazonaws.com use it for this account's log groups.",
    validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, _args, reportViolation) => {
        const key = probe(() => group.kmsKeyId);
        if (isKnown(key) && !key) {
            reportViolation("kmsKeyId must name a customer-managed key; none is set.");
        }
    }),
};

/** @severity high */
export const cloudwatchAlarmActionsEnabled: ResourceValidationPolicy = {
    name: "cloudwatch-alarm-actions-enabled",
    description: "Checks whether CloudWatch alarms have their actions enabled and notify at least one target when they fire.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_319"], "Ensure that CloudWatch alarm actions are enabled."),
    tags: ["observability", "cloudwatch"],
    remediationSteps: "Leave actionsEnabled on and set alarmActions (and okActions) to the alarm topic; return the alarm as an AlarmSpec from the component and register it with context.alarms.registerAlarms.",
    validateResource: validateResourceOfType(aws.cloudwatch.MetricAlarm, (alarm, _args, reportViolation) => {
        if (alarm.actionsEnabled === false) {
            reportViolation("actionsEnabled must be true; found false, so the alarm notifies nobody.");
        }
        const actions = probe(() => asList(alarm.alarmActions).length);
        if (isKnown(actions) && actions === 0) {
            reportViolation("alarmActions must name at least one target (the alarm topic); none is set.");
        }
    }),
};

/** The pipeline stages of the platform (infra/observability/alarms.ts `PipelineStage`). */
export const pipelineStages = ["network", "streaming", "ingest", "lake", "transform", "quality", "batch", "warehouse", "orchestration", "audit"] as const;

/** Resource types whose presence means the stack deploys a stage. `quality` runs inside the pipeline and has no type of its own. */
const defaultStageResourceTypes: Record<string, string[]> = {
    network: ["awsx:ec2:Vpc", "aws:ec2/vpc:Vpc"],
    streaming: ["aws:kinesis/stream:Stream", "aws:msk/cluster:Cluster"],
    ingest: ["aws:lambda/eventSourceMapping:EventSourceMapping"],
    lake: ["aws:s3/bucket:Bucket"],
    transform: ["aws:emrserverless/application:Application", "aws:emr/cluster:Cluster"],
    batch: ["aws:batch/jobQueue:JobQueue"],
    warehouse: ["aws:redshift/cluster:Cluster", "aws:redshiftserverless/workgroup:Workgroup"],
    orchestration: ["aws:sfn/stateMachine:StateMachine"],
    audit: ["aws:cloudtrail/trail:Trail"],
};

const stageSchema = {
    properties: {
        stageTagKey: { type: "string" as const, minLength: 1, default: "pipeline-stage", description: "Tag that names an alarm's pipeline stage. Defaults to pipeline-stage." },
        stages: {
            type: "array" as const,
            items: { type: "string" as const, minLength: 1 },
            default: [...pipelineStages],
            description: "Valid stage names; an alarm tagged with another value is reported. Defaults to the platform's stages.",
        },
        stageResourceTypes: {
            type: "object" as const,
            additionalProperties: { type: "array" as const, items: { type: "string" as const, minLength: 1 } },
            default: defaultStageResourceTypes,
            description: "Resource types per stage: a stage with any of them in the stack must have an alarm. Defaults to the platform's mapping.",
        },
        alarmTopicPattern: { type: "string" as const, minLength: 1, default: "-alarms$", description: "Regular expression for the name of the alarm topic alarms must notify. Defaults to -alarms$." },
    },
};

interface StageConfig {
    stageTagKey: string;
    stages: string[];
    stageResourceTypes: Record<string, string[]>;
    alarmTopicPattern: string;
}

/** Does the alarm notify one of the alarm topics (by ARN when known, else through its dependencies)? */
function notifiesTopic(alarm: PolicyResource, topics: readonly PolicyResource[]): boolean {
    const actions = prop(alarm, (p) => asList(p.alarmActions as string[] | undefined));
    return referencedBy(alarm, "alarmActions", actions, topics).length > 0;
}

/** @severity high */
export const cloudwatchAlarmPipelineStageCoverage: StackValidationPolicy = {
    name: "cloudwatch-alarm-pipeline-stage-coverage",
    description: "Checks whether every pipeline stage the stack deploys has at least one enabled alarm, tagged with its stage, that notifies the alarm topic.",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["observability", "reliability", "cloudwatch"],
    remediationSteps: "Return an AlarmSpec for the stage from the component (its decisions.ts) and register it with context.alarms.registerAlarms(this, specs): it wires alarm and OK actions to the alarm topic and sets the pipeline-stage tag.",
    configSchema: stageSchema,
    validateStack: (args, reportViolation) => {
        const config = policyConfig<StageConfig>(args, stageSchema);
        const pattern = new RegExp(config.alarmTopicPattern);
        const topics = ofType(args.resources, aws.sns.Topic).filter((t) => {
            const name = prop(t, (p) => p.name as string | undefined);
            return !isKnown(name) || (typeof name === "string" && pattern.test(name));
        });
        const covered = new Set<string>();
        for (const alarm of ofType(args.resources, aws.cloudwatch.MetricAlarm)) {
            const stage = prop(alarm, (p) => (isObject(p.tags) ? (p.tags[config.stageTagKey] as string | undefined) : undefined));
            if (!isKnown(stage) || stage === undefined) {
                continue;
            }
            if (!config.stages.includes(stage)) {
                reportViolation(`${label(alarm)} is tagged ${config.stageTagKey}=${show(stage)}, which is not a pipeline stage (${config.stages.join(", ")}).`, alarm.urn);
                continue;
            }
            const enabled = prop(alarm, (p) => p.actionsEnabled as boolean | undefined);
            if (isKnown(enabled) && enabled === false) {
                continue;
            }
            if (notifiesTopic(alarm, topics)) {
                covered.add(stage);
            }
        }
        for (const [stage, types] of Object.entries(config.stageResourceTypes)) {
            const deployed = ofType(args.resources, ...types);
            if (deployed.length === 0 || covered.has(stage)) {
                continue;
            }
            reportViolation(
                `The ${stage} stage is deployed (${deployed.slice(0, 3).map(label).join(", ")}${deployed.length > 3 ? ", ..." : ""}) but no alarm tagged ${config.stageTagKey}=${stage} notifies the alarm topic; add an AlarmSpec for it to the component and register it with context.alarms.registerAlarms.`,
            );
        }
    },
};

export const cloudwatchPolicies = [
    cloudwatchLogGroupRetention,
    cloudwatchLogGroupRetentionOneYear,
    cloudwatchLogGroupCmk,
    cloudwatchAlarmActionsEnabled,
    cloudwatchAlarmPipelineStageCoverage,
];
