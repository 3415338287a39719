import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, Statement } from "./iam";
import { dataStoreOptions } from "./options";
import { PlatformContext } from "./context";

/** A lifecycle rule as the platform writes them (every rule cleans up versions and uploads). */
export interface BucketLifecycleRule {
    id: string;
    status: "Enabled";
    filter: { prefix: string };
    expiration?: { days: number };
    noncurrentVersionExpiration: { noncurrentDays: number };
    abortIncompleteMultipartUpload: { daysAfterInitiation: number };
}

export interface ProtectedBucketArgs {
    readonly context: PlatformContext;
    /** The physical bucket name. It is fixed (not generated) so the lake's access-log bucket can name it as a log source before it exists. */
    readonly bucketName: pulumi.Input<string>;
    /** The customer-managed key of its default encryption (SSE-KMS with bucket keys). */
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly lifecycleRules: readonly BucketLifecycleRule[];
    /** The lake's access-log bucket and the prefix this bucket's server access logs go under. */
    readonly accessLogs: { readonly bucketId: pulumi.Input<string>; readonly prefix: string };
    /** Statements added after the TLS-only denials (service delivery, for example), given the bucket ARN. */
    readonly statements?: (bucketArn: string) => pulumi.Input<Statement[]>;
    /** S3 Object Lock in governance mode with a default retention in days. Defaults to none. */
    readonly objectLockDays?: number;
    /** Tags of the bucket. Defaults to none (the provider's default tags still apply). */
    readonly tags?: Record<string, string>;
}

/** The TLS-only denials every platform bucket policy starts with (as the lake's buckets do). */
export function tlsOnlyStatements(bucketArn: string): Statement[] {
    return [
        { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: { AWS: "*" }, Action: "s3:*", Resource: [bucketArn, `${bucketArn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
        { Sid: "DenyTlsBelow12", Effect: "Deny", Principal: { AWS: "*" }, Action: "s3:*", Resource: [bucketArn, `${bucketArn}/*`], Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } } },
    ];
}

/**
 * A bucket with the lake's protections, for components outside the lake (Athena results, the
 * audit trail): ACLs disabled, all public access blocked, versioning, SSE-KMS with a platform key
 * and bucket keys, server access logs to the lake's log bucket, a TLS-only policy, lifecycle
 * rules, optional Object Lock, and protect/retainOnDelete when the stack protects data.
 * Children are named `name` (the bucket's configuration resources are its children).
 */
export function protectedBucket(name: string, args: ProtectedBucketArgs, parent: pulumi.Resource): { bucket: aws.s3.Bucket; policy: aws.s3.BucketPolicy } {
    const protectData = args.context.protectData;
    const bucket = new aws.s3.Bucket(
        name,
        { bucket: args.bucketName, forceDestroy: !protectData, objectLockEnabled: args.objectLockDays !== undefined, ...(args.tags ? { tags: args.tags } : {}) },
        dataStoreOptions(protectData, parent),
    );
    const child = { parent: bucket };
    new aws.s3.BucketOwnershipControls(name, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
    const publicAccess = new aws.s3.BucketPublicAccessBlock(name, { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, child);
    new aws.s3.BucketVersioning(name, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, child);
    new aws.s3.BucketServerSideEncryptionConfiguration(
        name,
        { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }, bucketKeyEnabled: true }] },
        child,
    );
    new aws.s3.BucketLifecycleConfiguration(name, { bucket: bucket.id, rules: args.lifecycleRules.map((rule) => ({ ...rule })) }, child);
    new aws.s3.BucketLogging(
        name,
        { bucket: bucket.id, targetBucket: args.accessLogs.bucketId, targetPrefix: args.accessLogs.prefix, targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: "EventTime" } } },
        child,
    );
    if (args.objectLockDays !== undefined) {
        new aws.s3.BucketObjectLockConfiguration(name, { bucket: bucket.id, objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: "GOVERNANCE", days: args.objectLockDays } } }, child);
    }
    const policy = new aws.s3.BucketPolicy(
        name,
        {
            bucket: bucket.id,
            policy: bucket.arn.apply((arn) => pulumi.output(args.statements?.(arn) ?? []).apply((extra) => JSON.stringify(policyDocument(...tlsOnlyStatements(arn), ...(extra as Statement[]))))),
        },
        { parent: bucket, dependsOn: [publicAccess] },
    );
    return { bucket, policy };
}
