import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { checkov } from "./lib/metadata";
import { isCustomerManagedKey, isKnown, probe, show } from "./lib/values";

/** @severity high */
export const cloudtrailTrailCmk: ResourceValidationPolicy = {
    name: "cloudtrail-trail-cmk",
    description: "Checks whether CloudTrail trails encrypt their log files with a customer-managed KMS key (SSE-KMS).",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_35"], "Ensure CloudTrail logs are encrypted at rest using KMS CMKs."),
    tags: ["security", "encryption", "audit", "cloudtrail"],
    remediationSteps: "Set kmsKeyId to a customer-managed key whose policy lets cloudtrail.amazonaws.com generate data keys for this account's trails (the platform uses the observability key).",
    validateResource: validateResourceOfType(aws.cloudtrail.Trail, (trail, _args, reportViolation) => {
        const key = probe(() => trail.kmsKeyId);
        if (isKnown(key) && !isCustomerManagedKey(key, "cloudtrail")) {
            reportViolation(`kmsKeyId must name a customer-managed key; found ${show(key)}.`);
        }
    }),
};

/** @severity high */
export const cloudtrailTrailLogFileValidation: ResourceValidationPolicy = {
    name: "cloudtrail-trail-log-file-validation",
    description: "Checks whether CloudTrail trails write digest files, so a modified or deleted log file can be detected.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_36"], "Ensure CloudTrail log file validation is enabled."),
    tags: ["security", "audit", "cloudtrail"],
    remediationSteps: "Set enableLogFileValidation to true.",
    validateResource: validateResourceOfType(aws.cloudtrail.Trail, (trail, _args, reportViolation) => {
        if (trail.enableLogFileValidation !== true) {
            reportViolation(`enableLogFileValidation must be true; found ${show(trail.enableLogFileValidation)}.`);
        }
    }),
};

/** @severity high */
export const cloudtrailTrailMultiRegion: ResourceValidationPolicy = {
    name: "cloudtrail-trail-multi-region",
    description: "Checks whether CloudTrail trails record every region (and global services), so a change made outside the platform's region is still recorded.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_67"], "Ensure CloudTrail is enabled in all Regions."),
    tags: ["security", "audit", "cloudtrail"],
    remediationSteps: "Set isMultiRegionTrail to true and leave includeGlobalServiceEvents true.",
    validateResource: validateResourceOfType(aws.cloudtrail.Trail, (trail, _args, reportViolation) => {
        if (trail.isMultiRegionTrail !== true) {
            reportViolation(`isMultiRegionTrail must be true; found ${show(trail.isMultiRegionTrail)}.`);
        }
        if (trail.includeGlobalServiceEvents === false) {
            reportViolation("includeGlobalServiceEvents must be true (IAM and other global services); found false.");
        }
    }),
};

/** @severity high */
export const cloudtrailTrailLogging: ResourceValidationPolicy = {
    name: "cloudtrail-trail-logging",
    description: "Checks whether CloudTrail trails are logging (a declared but stopped trail records nothing).",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_251"], "Ensure CloudTrail logging is enabled."),
    tags: ["security", "audit", "cloudtrail"],
    remediationSteps: "Set enableLogging to true (or leave it unset: it defaults to true).",
    validateResource: validateResourceOfType(aws.cloudtrail.Trail, (trail, _args, reportViolation) => {
        if (trail.enableLogging === false) {
            reportViolation("enableLogging must be true; found false.");
        }
    }),
};

/** @severity medium */
export const cloudtrailTrailCloudwatchLogs: ResourceValidationPolicy = {
    name: "cloudtrail-trail-cloudwatch-logs",
    description: "Checks whether CloudTrail trails deliver their events to CloudWatch Logs (with a delivery role), where metric filters and alarms watch them.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV2_AWS_10"], "Ensure CloudTrail trails are integrated with CloudWatch Logs."),
    tags: ["audit", "cloudtrail", "cloudwatch"],
    remediationSteps: "Set cloudWatchLogsGroupArn (the log group's ARN followed by :*) and cloudWatchLogsRoleArn (a role CloudTrail assumes to write to it).",
    validateResource: validateResourceOfType(aws.cloudtrail.Trail, (trail, _args, reportViolation) => {
        const group = probe(() => trail.cloudWatchLogsGroupArn);
        const role = probe(() => trail.cloudWatchLogsRoleArn);
        if (isKnown(group) && !group) {
            reportViolation("cloudWatchLogsGroupArn must name the trail's log group; none is set.");
        }
        if (isKnown(role) && !role) {
            reportViolation("cloudWatchLogsRoleArn must name the delivery role; none is set.");
        }
    }),
};

export const cloudtrailPolicies = [cloudtrailTrailCmk, cloudtrailTrailLogFileValidation, cloudtrailTrailMultiRegion, cloudtrailTrailLogging, cloudtrailTrailCloudwatchLogs];
