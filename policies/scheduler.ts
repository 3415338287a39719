import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { checkov } from "./lib/metadata";
import { isCustomerManagedKey, isKnown, probe, show } from "./lib/values";

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

/**
 * A schedule's target input (here the pipeline's start parameters) is stored by Scheduler; with
 * no kmsKeyArn AWS encrypts it with its own key, outside the stack's key policies and rotation.
 *
 * @severity medium
 */
export const schedulerScheduleCmk: ResourceValidationPolicy = {
    name: "scheduler-schedule-cmk",
    description: "Checks whether EventBridge Scheduler schedules encrypt their target input with a customer-managed KMS key.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV_AWS_297"], "Ensure EventBridge Scheduler Schedule uses Customer Managed Key (CMK)."),
    tags: ["security", "encryption", "scheduler"],
    remediationSteps: "Set kmsKeyArn on the aws.scheduler.Schedule to a customer-managed key whose policy lets the scheduler role use it.",
    validateResource: validateResourceOfType(aws.scheduler.Schedule, (schedule, _args, reportViolation) => {
        const key = probe(() => schedule.kmsKeyArn);
        if (isKnown(key) && !isCustomerManagedKey(key, "scheduler")) {
            reportViolation(`kmsKeyArn must name a customer-managed KMS key; found ${show(key)}, so AWS's own key encrypts the target input.`);
        }
    }),
};

export const schedulerPolicies = [schedulerScheduleFailureHandling, schedulerScheduleCmk];
