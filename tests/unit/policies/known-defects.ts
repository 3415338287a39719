/**
 * Mandatory violations the committed stacks have today because of defects in infra/ that the
 * pack found (reported to the program's owner; the pack is not weakened to hide them). The
 * real-stack test checks the stacks have no other mandatory violation, and that each of these
 * still occurs: when infra/ is fixed, remove the entry.
 */
export interface KnownDefect {
    readonly stack: "dev" | "prod";
    readonly policy: string;
    /** The resource name blamed, or "(stack)" for a stack-level violation. */
    readonly resource: string;
    readonly message: RegExp;
    /** What has to change in infra/. */
    readonly fix: string;
}

const networkAlarm = "infra/network/index.ts: add an alarm with observability.addAlarm(..., { stage: \"network\" }), e.g. on the NAT gateways' ErrorPortAllocation/PacketsDropCount, or a metric filter counting REJECT records in the flow-log group.";
const lakeAlarm =
    "infra/lake/index.ts: add an alarm with observability.addAlarm(..., { stage: \"lake\" }), e.g. S3 request metrics (aws.s3.BucketMetric) on the raw and curated buckets with an alarm on 5xxErrors, or on objects landed per hour in the raw zone.";
const scheduleDlq =
    "infra/orchestration/index.ts: give the aws.scheduler.Schedule target a deadLetterConfig { arn } (an SQS queue encrypted with the observability key, 14-day retention, a queue policy letting scheduler.amazonaws.com send, an alarm on its depth) so a start that fails after retries is not lost.";

export const knownDefects: readonly KnownDefect[] = (["dev", "prod"] as const).flatMap((stack) => [
    { stack, policy: "cloudwatch-alarm-pipeline-stage-coverage", resource: "(stack)", message: /The network stage is deployed/, fix: networkAlarm },
    { stack, policy: "cloudwatch-alarm-pipeline-stage-coverage", resource: "(stack)", message: /The lake stage is deployed/, fix: lakeAlarm },
    { stack, policy: "scheduler-schedule-failure-handling", resource: "orchestration-schedule", message: /deadLetterConfig.arn must name an SQS queue/, fix: scheduleDlq },
]);
