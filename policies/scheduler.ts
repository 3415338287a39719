import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isKnown, probe, show } from "./lib/values";

/** @severity medium */
export const schedulerScheduleFailureHandling: ResourceValidationPolicy = {
    name: "scheduler-schedule-failure-handling",
    description: "Checks whether EventBridge Scheduler schedules retry a failed target invocation and send what still fails to a dead-letter queue, so a missed pipeline run is never silent.",
    enforcementLevel: "advisory",
    severity: "medium",
    tags: ["reliability", "scheduler"],
    remediationSteps: "Set target.retryPolicy (maximumRetryAttempts at least 1) and target.deadLetterConfig.arn to an encrypted SQS queue with an alarm on its depth.",
    validateResource: validateResourceOfType(aws.scheduler.Schedule, (schedule, _args, reportViolation) => {
        const target = schedule.target;
        if (!target.retryPolicy || (target.retryPolicy.maximumRetryAttempts ?? 185) < 1) {
            reportViolation(`target.retryPolicy.maximumRetryAttempts must be at least 1; found ${show(target.retryPolicy?.maximumRetryAttempts)}.`);
        }
        const dlq = probe(() => target.deadLetterConfig?.arn);
        if (isKnown(dlq) && !dlq) {
            reportViolation("target.deadLetterConfig.arn must name an SQS queue for invocations that still fail after retries; none is set.");
        }
    }),
};

export const schedulerPolicies = [schedulerScheduleFailureHandling];
