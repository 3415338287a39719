import { LakeConfig } from "../config";
import { policyDocument, PolicyDocument } from "../shared/iam";

/** The lake's buckets. `accessLogs` receives S3 server access logs of the other four. */
export type Zone = "raw" | "curated" | "rejects" | "artifacts" | "accessLogs";

export const dataZones: readonly Zone[] = ["raw", "curated", "rejects", "artifacts"];
export const zones: readonly Zone[] = [...dataZones, "accessLogs"];

/** Days the access logs are kept: a year plus a month, enough for a yearly audit. */
export const accessLogExpirationDays = 400;

export interface LifecycleRule {
    id: string;
    status: "Enabled";
    filter: { prefix: string };
    transitions?: { days: number; storageClass: string }[];
    expiration?: { days: number };
    noncurrentVersionExpiration: { noncurrentDays: number };
    abortIncompleteMultipartUpload: { daysAfterInitiation: number };
}

/**
 * Lifecycle per zone. Raw and rejects move to Standard-IA and then Glacier Instant Retrieval
 * (still readable by replays and backfills in milliseconds); curated data is queried daily, so it
 * only moves to Standard-IA; rejects and access logs expire; artifacts keep current versions.
 * Every zone expires noncurrent versions after lakeNoncurrentVersionDays and aborts incomplete
 * multipart uploads after one day.
 */
export function lifecycleRules(zone: Zone, lake: LakeConfig): LifecycleRule[] {
    const base = {
        status: "Enabled" as const,
        filter: { prefix: "" },
        noncurrentVersionExpiration: { noncurrentDays: lake.noncurrentVersionDays },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
    };
    const ia = { days: lake.infrequentAccessDays, storageClass: "STANDARD_IA" };
    const archive = { days: lake.archiveDays, storageClass: "GLACIER_IR" };
    switch (zone) {
        case "raw":
            return [{ id: "raw-tiering", ...base, transitions: [ia, archive] }];
        case "curated":
            return [{ id: "curated-tiering", ...base, transitions: [ia] }];
        case "rejects":
            return [{ id: "rejects-tiering-and-expiry", ...base, transitions: [ia, archive], expiration: { days: lake.rejectsExpirationDays } }];
        case "artifacts":
            return [{ id: "artifacts-old-versions", ...base }];
        case "accessLogs":
            return [{ id: "access-logs-expiry", ...base, transitions: [ia], expiration: { days: accessLogExpirationDays } }];
    }
}

/**
 * Bucket policy: deny any request not made over TLS 1.2 or later, and, for the access-log
 * bucket, admit S3 server access log delivery from this account's buckets only.
 */
export function bucketPolicy(zone: Zone, bucketArn: string, accountId: string, sourceBucketArns: readonly string[]): PolicyDocument {
    const statements: PolicyDocument["Statement"] = [
        {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: { AWS: "*" },
            Action: "s3:*",
            Resource: [bucketArn, `${bucketArn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
        {
            Sid: "DenyTlsBelow12",
            Effect: "Deny",
            Principal: { AWS: "*" },
            Action: "s3:*",
            Resource: [bucketArn, `${bucketArn}/*`],
            Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
        },
    ];
    if (zone === "accessLogs") {
        statements.push({
            Sid: "S3ServerAccessLogDelivery",
            Effect: "Allow",
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: `${bucketArn}/*`,
            Condition: { ArnLike: { "aws:SourceArn": [...sourceBucketArns] }, StringEquals: { "aws:SourceAccount": accountId } },
        });
    }
    return policyDocument(...statements);
}
