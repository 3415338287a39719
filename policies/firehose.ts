import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { checkov } from "./lib/metadata";
import { isCustomerManagedKey, isKnown, probe, show } from "./lib/values";

/**
 * Amazon Data Firehose delivery streams (the `ingestDelivery: firehose` alternative): data at rest
 * under customer-managed keys, objects in the lake under SSE-KMS with a customer-managed key, and
 * failures that leave a trace (error logging, an error output prefix).
 */

/** @severity high */
export const firehoseDeliveryStreamEncryption: ResourceValidationPolicy = {
    name: "firehose-delivery-stream-encryption",
    description:
        "Checks whether Firehose delivery streams keep records encrypted at rest with a customer-managed key: server-side encryption with CUSTOMER_MANAGED_CMK and its key ARN, or a Kinesis data stream source, whose own key encrypts the records and with which Firehose refuses server-side encryption.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_240", "CKV_AWS_241"], "Ensure Kinesis Firehose delivery stream is encrypted, with a customer-managed key."),
    tags: ["security", "encryption", "firehose"],
    remediationSteps:
        "Read from a Kinesis data stream encrypted with a customer-managed key (kinesisSourceConfiguration) and leave serverSideEncryption unset, or set serverSideEncryption { enabled: true, keyType: CUSTOMER_MANAGED_CMK, keyArn } on a Direct PUT delivery stream.",
    validateResource: validateResourceOfType(aws.kinesis.FirehoseDeliveryStream, (stream, _args, reportViolation) => {
        // Each value is read on its own: any of them may be unknown during a preview.
        const source = probe(() => stream.kinesisSourceConfiguration?.kinesisStreamArn);
        const enabled = probe(() => stream.serverSideEncryption?.enabled);
        const keyType = probe(() => stream.serverSideEncryption?.keyType);
        const keyArn = probe(() => stream.serverSideEncryption?.keyArn);
        if (!isKnown(source) || !isKnown(enabled)) {
            return;
        }
        if (source) {
            if (enabled === true) {
                reportViolation("serverSideEncryption must be unset with a Kinesis data stream source (Firehose refuses it; the stream's key encrypts the records); found it enabled.");
            }
            return;
        }
        if (enabled !== true) {
            reportViolation(`serverSideEncryption.enabled must be true on a delivery stream without a Kinesis source; found ${show(enabled)}.`);
        } else if (isKnown(keyType) && isKnown(keyArn) && (keyType !== "CUSTOMER_MANAGED_CMK" || !keyArn)) {
            reportViolation(`serverSideEncryption must use keyType CUSTOMER_MANAGED_CMK with a keyArn; found keyType ${show(keyType)} and keyArn ${show(keyArn)}.`);
        }
    }),
};

/** @severity high */
export const firehoseDeliveryStreamS3Cmk: ResourceValidationPolicy = {
    name: "firehose-delivery-stream-s3-cmk",
    description: "Checks whether Firehose delivery streams to S3 write their objects with SSE-KMS under a customer-managed key (kmsKeyArn), as the lake requires of every writer.",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["security", "encryption", "firehose"],
    remediationSteps: "Set extendedS3Configuration.kmsKeyArn to the lake domain's customer-managed key (not alias/aws/s3).",
    validateResource: validateResourceOfType(aws.kinesis.FirehoseDeliveryStream, (stream, args, reportViolation) => {
        if (stream.destination !== "extended_s3") {
            return args.notApplicable(`the destination is ${show(stream.destination)}, not S3`);
        }
        const key = probe(() => stream.extendedS3Configuration?.kmsKeyArn);
        if (isKnown(key) && !isCustomerManagedKey(key, "s3")) {
            reportViolation(`extendedS3Configuration.kmsKeyArn must name a customer-managed key; found ${show(key)}.`);
        }
    }),
};

/** @severity medium */
export const firehoseDeliveryStreamErrorLogging: ResourceValidationPolicy = {
    name: "firehose-delivery-stream-error-logging",
    description:
        "Checks whether Firehose delivery streams to S3 log delivery errors to a CloudWatch log group and stream, and write the records they could not process or deliver under an error output prefix.",
    enforcementLevel: "advisory",
    severity: "medium",
    tags: ["reliability", "observability", "firehose"],
    remediationSteps: "Set extendedS3Configuration.cloudwatchLoggingOptions { enabled: true, logGroupName, logStreamName } and extendedS3Configuration.errorOutputPrefix.",
    validateResource: validateResourceOfType(aws.kinesis.FirehoseDeliveryStream, (stream, args, reportViolation) => {
        if (stream.destination !== "extended_s3") {
            return args.notApplicable(`the destination is ${show(stream.destination)}, not S3`);
        }
        const enabled = probe(() => stream.extendedS3Configuration?.cloudwatchLoggingOptions?.enabled);
        const group = probe(() => stream.extendedS3Configuration?.cloudwatchLoggingOptions?.logGroupName);
        const logStream = probe(() => stream.extendedS3Configuration?.cloudwatchLoggingOptions?.logStreamName);
        if (isKnown(enabled) && isKnown(group) && isKnown(logStream) && (enabled !== true || !group || !logStream)) {
            reportViolation(`extendedS3Configuration.cloudwatchLoggingOptions must be enabled with a log group and stream; found enabled ${show(enabled)}, logGroupName ${show(group)}, logStreamName ${show(logStream)}.`);
        }
        const errorPrefix = probe(() => stream.extendedS3Configuration?.errorOutputPrefix);
        if (isKnown(errorPrefix) && !errorPrefix) {
            reportViolation(`extendedS3Configuration.errorOutputPrefix must name where failed records go; found ${show(errorPrefix)}.`);
        }
    }),
};

export const firehosePolicies = [firehoseDeliveryStreamEncryption, firehoseDeliveryStreamS3Cmk, firehoseDeliveryStreamErrorLogging];
