import * as aws from "@pulumi/aws";
import * as athena from "../../../../policies/athena";
import * as cloudtrail from "../../../../policies/cloudtrail";
import { fixture, PropsOf } from "../helpers";
import { fails, passes, PolicyCase } from "./types";

const lakeKey = "arn:aws:kms:us-east-1:123456789012:key/mrk-lake";
const observabilityKey = "arn:aws:kms:us-east-1:123456789012:key/mrk-observability";

type WorkgroupConfiguration = NonNullable<PropsOf<aws.athena.WorkgroupArgs>["configuration"]>;

const workgroup = (configuration: Partial<WorkgroupConfiguration> = {}) =>
    fixture(aws.athena.Workgroup, "query-analysts", {
        name: "platform-dev-analysts",
        configuration: {
            enforceWorkgroupConfiguration: true,
            publishCloudwatchMetricsEnabled: true,
            bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
            engineVersion: { selectedEngineVersion: "Athena engine version 3" },
            resultConfiguration: { outputLocation: "s3://platform-dev-athena-results-123456789012/analysts/", encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: lakeKey } },
            ...configuration,
        },
    });

const trail = (props: Partial<PropsOf<aws.cloudtrail.TrailArgs>> = {}) =>
    fixture(aws.cloudtrail.Trail, "audit-trail", {
        name: "platform-dev-audit",
        s3BucketName: "platform-dev-audit-trail-123456789012",
        isMultiRegionTrail: true,
        includeGlobalServiceEvents: true,
        enableLogFileValidation: true,
        enableLogging: true,
        kmsKeyId: observabilityKey,
        cloudWatchLogsGroupArn: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/cloudtrail/platform-dev-audit:*",
        cloudWatchLogsRoleArn: "arn:aws:iam::123456789012:role/audit-trail-logs",
        ...props,
    });

export const queryCases: PolicyCase[] = [
    passes(athena.athenaWorkgroupEnforceConfiguration, "an enforced workgroup", workgroup()),
    fails(athena.athenaWorkgroupEnforceConfiguration, "a workgroup clients may override", workgroup({ enforceWorkgroupConfiguration: false }), /enforceWorkgroupConfiguration must be true; found false/),

    passes(athena.athenaWorkgroupResultsEncrypted, "results with SSE-KMS and the lake key", workgroup()),
    fails(
        athena.athenaWorkgroupResultsEncrypted,
        "results with SSE-S3",
        workgroup({ resultConfiguration: { outputLocation: "s3://results/analysts/", encryptionConfiguration: { encryptionOption: "SSE_S3" } } }),
        /encryptionOption must be SSE_KMS or CSE_KMS; found "SSE_S3"/,
    ),
    fails(athena.athenaWorkgroupResultsEncrypted, "results without encryption", workgroup({ resultConfiguration: { outputLocation: "s3://results/analysts/" } }), /encryptionOption must be SSE_KMS or CSE_KMS; found nothing/),
    fails(
        athena.athenaWorkgroupResultsEncrypted,
        "results with the AWS-managed key",
        workgroup({ resultConfiguration: { outputLocation: "s3://results/analysts/", encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: "alias/aws/athena" } } }),
        /kmsKeyArn must name a customer-managed key; found "alias\/aws\/athena"/,
    ),

    passes(athena.athenaWorkgroupScanLimit, "a 10 GB limit, enforced", workgroup()),
    fails(athena.athenaWorkgroupScanLimit, "no scan limit", workgroup({ bytesScannedCutoffPerQuery: undefined }), /bytesScannedCutoffPerQuery must be set to at least 10485760 bytes \(10 MB\); found nothing/),
    fails(athena.athenaWorkgroupScanLimit, "a limit clients may lift", workgroup({ enforceWorkgroupConfiguration: false }), /enforceWorkgroupConfiguration must be true, or a client can lift the scan limit; found false/),

    passes(cloudtrail.cloudtrailTrailCmk, "the observability key", trail()),
    fails(cloudtrail.cloudtrailTrailCmk, "SSE-S3 log files", trail({ kmsKeyId: undefined }), /kmsKeyId must name a customer-managed key; found nothing/),

    passes(cloudtrail.cloudtrailTrailLogFileValidation, "validation on", trail()),
    fails(cloudtrail.cloudtrailTrailLogFileValidation, "validation off", trail({ enableLogFileValidation: false }), /enableLogFileValidation must be true; found false/),

    passes(cloudtrail.cloudtrailTrailMultiRegion, "a multi-region trail", trail()),
    fails(cloudtrail.cloudtrailTrailMultiRegion, "a single-region trail", trail({ isMultiRegionTrail: false }), /isMultiRegionTrail must be true; found false/),
    fails(cloudtrail.cloudtrailTrailMultiRegion, "a trail without global service events", trail({ includeGlobalServiceEvents: false }), /includeGlobalServiceEvents must be true/),

    passes(cloudtrail.cloudtrailTrailLogging, "a logging trail", trail()),
    fails(cloudtrail.cloudtrailTrailLogging, "a stopped trail", trail({ enableLogging: false }), /enableLogging must be true; found false/),

    passes(cloudtrail.cloudtrailTrailCloudwatchLogs, "delivery to the trail's log group", trail()),
    fails(cloudtrail.cloudtrailTrailCloudwatchLogs, "no CloudWatch Logs delivery", trail({ cloudWatchLogsGroupArn: undefined, cloudWatchLogsRoleArn: undefined }), /cloudWatchLogsGroupArn must name the trail's log group; none is set/),
];
