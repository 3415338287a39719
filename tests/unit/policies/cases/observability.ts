import * as aws from "@pulumi/aws";
import * as cloudwatch from "../../../../policies/cloudwatch";
import { fixture, PropsOf, raw } from "../helpers";
import { fails, passes, PolicyCase } from "./types";

const topicArn = "arn:aws:sns:us-east-1:123456789012:platform-prod-alarms";
const topic = fixture(aws.sns.Topic, "observability-alarms", { name: "platform-prod-alarms" }, { outputs: { arn: topicArn } });
const logGroup = (props: Partial<PropsOf<aws.cloudwatch.LogGroupArgs>> = {}) =>
    fixture(aws.cloudwatch.LogGroup, "logs", { name: "/platform/x", retentionInDays: 400, kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/mrk-obs", ...props });
const alarm = (name: string, stage: string, props: Partial<PropsOf<aws.cloudwatch.MetricAlarmArgs>> = {}) =>
    fixture(aws.cloudwatch.MetricAlarm, name, {
        comparisonOperator: "GreaterThanThreshold",
        evaluationPeriods: 1,
        metricName: "Errors",
        namespace: "AWS/Lambda",
        period: 300,
        statistic: "Sum",
        threshold: 0,
        alarmActions: [topicArn],
        okActions: [topicArn],
        tags: { "pipeline-stage": stage },
        ...props,
    });
const stream = fixture(aws.kinesis.Stream, "streaming-orders", { name: "orders", encryptionType: "KMS" });
const bucket = fixture(aws.s3.Bucket, "lake-raw", {});
const vpc = raw("awsx:ec2:Vpc", "network", { cidrBlock: "10.20.0.0/16" }, { outputs: { vpcId: "vpc-1" } });

export const observabilityCases: PolicyCase[] = [
    passes(cloudwatch.cloudwatchLogGroupRetention, "400 days", logGroup()),
    fails(cloudwatch.cloudwatchLogGroupRetention, "kept forever", logGroup({ retentionInDays: undefined }), /retentionInDays must be set/),

    passes(cloudwatch.cloudwatchLogGroupRetentionOneYear, "400 days", logGroup()),
    fails(cloudwatch.cloudwatchLogGroupRetentionOneYear, "90 days", logGroup({ retentionInDays: 90 }), /at least 365; found 90/),

    passes(cloudwatch.cloudwatchLogGroupCmk, "the observability key", logGroup()),
    fails(cloudwatch.cloudwatchLogGroupCmk, "no key", logGroup({ kmsKeyId: undefined }), /kmsKeyId must name a customer-managed key/),

    passes(cloudwatch.cloudwatchAlarmActionsEnabled, "notifies the alarm topic", alarm("a", "streaming")),
    fails(cloudwatch.cloudwatchAlarmActionsEnabled, "actions disabled", alarm("a", "streaming", { actionsEnabled: false }), /actionsEnabled must be true/),
    fails(cloudwatch.cloudwatchAlarmActionsEnabled, "no actions", alarm("a", "streaming", { alarmActions: [] }), /alarmActions must name at least one target/),

    passes(cloudwatch.cloudwatchAlarmPipelineStageCoverage, "every deployed stage has an alarm on the topic", [topic, stream, bucket, vpc, alarm("s", "streaming"), alarm("l", "lake"), alarm("n", "network")]),
    fails(
        cloudwatch.cloudwatchAlarmPipelineStageCoverage,
        "the streaming stage has no alarm",
        [topic, stream, bucket, vpc, alarm("l", "lake"), alarm("n", "network")],
        /The streaming stage is deployed \(Stream "streaming-orders"\) but no alarm tagged pipeline-stage=streaming notifies the alarm topic/,
    ),
    fails(
        cloudwatch.cloudwatchAlarmPipelineStageCoverage,
        "the streaming alarm notifies another topic",
        [topic, stream, alarm("s", "streaming", { alarmActions: ["arn:aws:sns:us-east-1:123456789012:other"] })],
        /The streaming stage is deployed/,
    ),
    fails(cloudwatch.cloudwatchAlarmPipelineStageCoverage, "an alarm tagged with an unknown stage", [topic, alarm("x", "ingestion")], /tagged pipeline-stage="ingestion", which is not a pipeline stage/),
];
