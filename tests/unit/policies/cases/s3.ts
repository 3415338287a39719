import * as aws from "@pulumi/aws";
import * as s3 from "../../../../policies/s3";
import { devProvider, doc, fixture, PropsOf } from "../helpers";
import { fails, notApplicable, passes, PolicyCase } from "./types";

const keyArn = "arn:aws:kms:us-east-1:123456789012:key/mrk-lake";
const names = ["raw", "logs"] as const;
const bucketName = (n: string) => `platform-${n}-abc123`;
const arn = (n: string) => `arn:aws:s3:::${bucketName(n)}`;

/** A bucket as the mocks answer it: `bucket`, `id` and `arn` outputs. */
const bucket = (n: string, props: PropsOf<aws.s3.BucketArgs> = { forceDestroy: false }) =>
    fixture(aws.s3.Bucket, `lake-${n}`, props, { outputs: { bucket: bucketName(n), id: bucketName(n), arn: arn(n) } });

const tlsOnly = (n: string) =>
    doc({ Sid: "DenyInsecureTransport", Effect: "Deny", Principal: { AWS: "*" }, Action: "s3:*", Resource: [arn(n), `${arn(n)}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } });

/** A fully configured lake: a data bucket logging to a log bucket, each with every sub-resource the policies want. */
function lake() {
    const [raw, logs] = names.map((n) => bucket(n));
    const sub = (n: string) => ({
        pab: fixture(aws.s3.BucketPublicAccessBlock, `lake-${n}`, { bucket: bucketName(n), blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }),
        versioning: fixture(aws.s3.BucketVersioning, `lake-${n}`, { bucket: bucketName(n), versioningConfiguration: { status: "Enabled" } }),
        ownership: fixture(aws.s3.BucketOwnershipControls, `lake-${n}`, { bucket: bucketName(n), rule: { objectOwnership: "BucketOwnerEnforced" } }),
        lifecycle: fixture(aws.s3.BucketLifecycleConfiguration, `lake-${n}`, {
            bucket: bucketName(n),
            rules: [{ id: "all", status: "Enabled", filter: { prefix: "" }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 }, noncurrentVersionExpiration: { noncurrentDays: 30 } }],
        }),
        policy: fixture(aws.s3.BucketPolicy, `lake-${n}`, { bucket: bucketName(n), policy: tlsOnly(n) }),
    });
    const rawSub = sub("raw");
    const logsSub = sub("logs");
    const rawSse = fixture(aws.s3.BucketServerSideEncryptionConfiguration, "lake-raw", {
        bucket: bucketName("raw"),
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn }, bucketKeyEnabled: true }],
    });
    const logsSse = fixture(aws.s3.BucketServerSideEncryptionConfiguration, "lake-logs", { bucket: bucketName("logs"), rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] });
    const logging = fixture(aws.s3.BucketLogging, "lake-raw", { bucket: bucketName("raw"), targetBucket: bucketName("logs"), targetPrefix: "raw/" });
    return { raw, logs, rawSub, logsSub, rawSse, logsSse, logging, all: [raw, logs, ...Object.values(rawSub), ...Object.values(logsSub), rawSse, logsSse, logging] };
}

const without = (list: readonly { urn: string }[], drop: { urn: string }) => list.filter((r) => r.urn !== drop.urn) as ReturnType<typeof lake>["all"];
const replace = <T extends { urn: string }>(list: readonly T[], next: T) => list.map((r) => (r.urn === next.urn ? next : r));

const l = lake();
const object = (props: Partial<PropsOf<aws.s3.BucketObjectv2Args>> = {}) =>
    fixture(aws.s3.BucketObjectv2, "script", { bucket: bucketName("raw"), key: "spark/job.py", content: "print()", ...props });

export const s3Cases: PolicyCase[] = [
    passes(s3.s3BucketNoPublicAcl, "a bucket without ACLs", l.raw),
    fails(s3.s3BucketNoPublicAcl, "a public-read bucket", bucket("raw", { acl: "public-read" }), /must not be public; found "public-read"/),
    fails(s3.s3BucketNoPublicAcl, "a grant to AllUsers", bucket("raw", { grants: [{ type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers", permissions: ["READ"] }] }), /must not grant READ/),
    fails(s3.s3BucketNoPublicAcl, "a BucketAcl granting AuthenticatedUsers", fixture(aws.s3.BucketAcl, "acl", { bucket: "b", acl: "authenticated-read" }), /must not be public/),
    fails(s3.s3BucketNoPublicAcl, "a public object", object({ acl: "public-read" }), /object's ACL must not be public/),

    passes(s3.s3BucketPublicAccessBlock, "all four settings on", l.rawSub.pab),
    fails(
        s3.s3BucketPublicAccessBlock,
        "restrictPublicBuckets off",
        fixture(aws.s3.BucketPublicAccessBlock, "pab", { bucket: "b", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: false }),
        /restrictPublicBuckets must be true/,
    ),

    passes(s3.s3BucketHasPublicAccessBlock, "every bucket has a block", l.all),
    fails(s3.s3BucketHasPublicAccessBlock, "the raw bucket's block is missing", without(l.all, l.rawSub.pab), /Bucket "lake-raw" must have an aws.s3.BucketPublicAccessBlock/),

    passes(s3.s3EncryptionConfigurationCmk, "SSE-KMS with a key and bucket keys", l.rawSse),
    passes(s3.s3EncryptionConfigurationCmk, "SSE-S3 (for log buckets)", l.logsSse),
    fails(
        s3.s3EncryptionConfigurationCmk,
        "SSE-KMS with the AWS-managed key",
        fixture(aws.s3.BucketServerSideEncryptionConfiguration, "sse", { bucket: "b", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "alias/aws/s3" }, bucketKeyEnabled: true }] }),
        /must name a customer-managed key/,
    ),
    fails(
        s3.s3EncryptionConfigurationCmk,
        "SSE-KMS without bucket keys",
        fixture(aws.s3.BucketServerSideEncryptionConfiguration, "sse", { bucket: "b", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn } }] }),
        /bucketKeyEnabled to true/,
    ),

    passes(s3.s3BucketDefaultEncryption, "data bucket on SSE-KMS, log bucket on SSE-S3", l.all),
    fails(s3.s3BucketDefaultEncryption, "a bucket without default encryption", without(l.all, l.rawSse), /Bucket "lake-raw" must have default encryption/),
    fails(
        s3.s3BucketDefaultEncryption,
        "a data bucket on SSE-S3",
        replace(l.all, fixture(aws.s3.BucketServerSideEncryptionConfiguration, "lake-raw", { bucket: bucketName("raw"), rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] })),
        /must be encrypted by default with SSE-KMS and a customer-managed key; found "AES256"/,
    ),
    fails(
        s3.s3BucketDefaultEncryption,
        "a log bucket on SSE-KMS (S3 cannot deliver logs to it)",
        replace(l.all, fixture(aws.s3.BucketServerSideEncryptionConfiguration, "lake-logs", { bucket: bucketName("logs"), rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn }, bucketKeyEnabled: true }] })),
        /receives S3 server access logs.*must be AES256/,
    ),

    passes(s3.s3BucketVersioning, "versioning enabled on every bucket", l.all),
    fails(s3.s3BucketVersioning, "versioning suspended", replace(l.all, fixture(aws.s3.BucketVersioning, "lake-raw", { bucket: bucketName("raw"), versioningConfiguration: { status: "Suspended" } })), /must have versioning Enabled; found status "Suspended"/),
    fails(s3.s3BucketVersioning, "no versioning resource", without(l.all, l.rawSub.versioning), /found no aws.s3.BucketVersioning/),

    passes(s3.s3BucketAccessLogging, "the data bucket logs to the log bucket", l.all),
    fails(s3.s3BucketAccessLogging, "no logging for the data bucket", without(l.all, l.logging), /Bucket "lake-raw" must have server access logging/),

    passes(s3.s3BucketLifecycle, "every bucket has a lifecycle", l.all),
    fails(s3.s3BucketLifecycle, "no lifecycle for the log bucket", without(l.all, l.logsSub.lifecycle), /Bucket "lake-logs" must have a lifecycle configuration/),

    passes(s3.s3LifecycleAbortIncompleteUploads, "aborts after 1 day", l.rawSub.lifecycle),
    fails(
        s3.s3LifecycleAbortIncompleteUploads,
        "the abort rule only covers a prefix",
        fixture(aws.s3.BucketLifecycleConfiguration, "lc", { bucket: "b", rules: [{ id: "tmp", status: "Enabled", filter: { prefix: "tmp/" }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } }] }),
        /must abort incomplete multipart uploads within 7 days/,
    ),
    fails(
        s3.s3LifecycleAbortIncompleteUploads,
        "aborts after 10 days, over the default maximum of 7",
        fixture(aws.s3.BucketLifecycleConfiguration, "lc", { bucket: "b", rules: [{ id: "all", status: "Enabled", abortIncompleteMultipartUpload: { daysAfterInitiation: 10 } }] }),
        /within 7 days/,
    ),
    passes(s3.s3LifecycleAbortIncompleteUploads, "a 1-day abort meets a configured maximum of 1", l.rawSub.lifecycle, { maximumDays: 1 }),

    passes(s3.s3BucketAclsDisabled, "BucketOwnerEnforced everywhere", l.all),
    fails(
        s3.s3BucketAclsDisabled,
        "ObjectWriter ownership",
        replace(l.all, fixture(aws.s3.BucketOwnershipControls, "lake-raw", { bucket: bucketName("raw"), rule: { objectOwnership: "ObjectWriter" } })),
        /must disable ACLs with object ownership BucketOwnerEnforced; found "ObjectWriter"/,
    ),

    passes(s3.s3BucketPolicyNoPublicAccess, "a TLS-only deny policy", l.rawSub.policy),
    passes(
        s3.s3BucketPolicyNoPublicAccess,
        "log delivery pinned by aws:SourceAccount",
        fixture(aws.s3.BucketPolicy, "p", { bucket: "b", policy: doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "s3:PutObject", Resource: "arn:aws:s3:::b/*", Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }) }),
    ),
    fails(
        s3.s3BucketPolicyNoPublicAccess,
        "finding 1: GetObject for everyone from any address (aws:SourceIp 0.0.0.0/0)",
        fixture(aws.s3.BucketPolicy, "p", { bucket: "b", policy: doc({ Sid: "AnyIp", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*", Condition: { IpAddress: { "aws:SourceIp": "0.0.0.0/0" } } }) }),
        /statement "AnyIp" allows s3:GetObject to every principal/,
    ),
    fails(
        s3.s3BucketPolicyNoPublicAccess,
        "aws:SourceAccount \"*\" and a NotIpAddress",
        fixture(aws.s3.BucketPolicy, "p", {
            bucket: "b",
            policy: doc({ Sid: "Loose", Effect: "Allow", Principal: { AWS: "*" }, Action: "s3:PutObject", Resource: "arn:aws:s3:::b/*", Condition: { StringLike: { "aws:SourceAccount": "*" }, NotIpAddress: { "aws:SourceIp": "10.0.0.0/8" } } }),
        }),
        /statement "Loose" allows s3:PutObject to every principal/,
    ),
    fails(
        s3.s3BucketPolicyNoPublicAccess,
        "GetObject for everyone",
        fixture(aws.s3.BucketPolicy, "p", { bucket: "b", policy: doc({ Sid: "Public", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }) }),
        /statement "Public" allows s3:GetObject to every principal/,
    ),

    passes(s3.s3BucketPolicyNoLockout, "deny with a condition", l.rawSub.policy),
    fails(
        s3.s3BucketPolicyNoLockout,
        "an unconditional deny of everything",
        fixture(aws.s3.BucketPolicy, "p", { bucket: "b", policy: doc({ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::b" }) }),
        /denies every action to every principal without a condition/,
    ),

    passes(s3.s3BucketTlsOnly, "every bucket denies insecure transport", l.all),
    fails(s3.s3BucketTlsOnly, "a bucket without a policy", without(l.all, l.rawSub.policy), /Bucket "lake-raw" must have a bucket policy that denies every s3 action when aws:SecureTransport is false/),

    passes(s3.s3BucketNoForceDestroy, "a prod bucket without forceDestroy", l.raw),
    fails(s3.s3BucketNoForceDestroy, "a prod bucket with forceDestroy", bucket("raw", { forceDestroy: true }), /forceDestroy must be false in prod/),
    notApplicable(s3.s3BucketNoForceDestroy, "a dev bucket with forceDestroy", fixture(aws.s3.Bucket, "dev", { forceDestroy: true }, { provider: devProvider })),

    passes(s3.s3ObjectEncryptionCmk, "an object in an SSE-KMS bucket inherits its key", [...l.all, object()]),
    passes(s3.s3ObjectEncryptionCmk, "an object with its own key", [object({ kmsKeyId: keyArn, serverSideEncryption: "aws:kms" })]),
    fails(s3.s3ObjectEncryptionCmk, "an object in a bucket outside the stack", [object()], /its bucket is not in this stack/),
    fails(s3.s3ObjectEncryptionCmk, "an object in an SSE-S3 bucket", [...l.all, object({ bucket: bucketName("logs") })], /Bucket "lake-logs" uses "AES256"/),
];
