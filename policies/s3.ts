import * as aws from "@pulumi/aws";
import { Unwrap } from "@pulumi/pulumi";
import { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { environmentOverrideProperty, environmentsProperty, policyConfig } from "./lib/config";
import { isPublicPrincipal, parseDocument, publicAllowStatements, Statement, statementLabel } from "./lib/documents";
import { requireEnvironmentIn, resourceEnvironment } from "./lib/environment";
import { checkov } from "./lib/metadata";
import { bucketNames, configuresBucket, label, ofType, prop, TypeRef } from "./lib/stack";
import { asList, isKnown, isObject, isTrue, plain, probe, show, isCustomerManagedKey } from "./lib/values";

const bucketTypes = [aws.s3.Bucket, aws.s3.BucketV2];
const loggingTypes = [aws.s3.BucketLogging, aws.s3.BucketLoggingV2];
const encryptionTypes = [aws.s3.BucketServerSideEncryptionConfiguration, aws.s3.BucketServerSideEncryptionConfigurationV2];
const publicCannedAcls = ["public-read", "public-read-write", "authenticated-read"];
const publicGroupUris = ["http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"];

function isPublicGrantee(uri: unknown): boolean {
    return typeof uri === "string" && publicGroupUris.includes(uri);
}

/** Sub-resources of `types` that configure `bucket`. */
function configuring(resources: readonly PolicyResource[], bucket: PolicyResource, types: readonly TypeRef[], property = "bucket"): PolicyResource[] {
    return ofType(resources, ...types).filter((sub) => configuresBucket(sub, bucket, property));
}

/** Buckets that receive S3 server access logs (targets of a logging configuration in the stack). */
function logTargets(resources: readonly PolicyResource[]): Set<PolicyResource> {
    const buckets = ofType(resources, ...bucketTypes);
    const targets = new Set<PolicyResource>();
    for (const logging of ofType(resources, ...loggingTypes)) {
        for (const bucket of buckets) {
            if (configuresBucket(logging, bucket, "targetBucket")) {
                targets.add(bucket);
            }
        }
    }
    for (const bucket of buckets) {
        const inline = prop(bucket, (p) => p.logging?.targetBucket as string | undefined);
        if (isKnown(inline) && inline) {
            for (const target of buckets) {
                const names = bucketNames(target);
                if (isKnown(names) && names.has(inline)) {
                    targets.add(target);
                }
            }
        }
    }
    return targets;
}

function checkBucketAcl(bucket: { acl?: string; grants?: { uri?: string; permissions: string[] }[] }, _args: unknown, reportViolation: (message: string) => void): void {
    if (typeof bucket.acl === "string" && publicCannedAcls.includes(bucket.acl)) {
        reportViolation(`The bucket's ACL must not be public; found ${show(bucket.acl)}. Remove the acl input.`);
    }
    for (const grant of asList(bucket.grants)) {
        if (isPublicGrantee(grant.uri)) {
            reportViolation(`The bucket must not grant ${asList(grant.permissions).join(", ")} to ${grant.uri}. Remove the grant.`);
        }
    }
}

/** @severity critical */
export const s3BucketNoPublicAcl: ResourceValidationPolicy = {
    name: "s3-bucket-no-public-acl",
    description: "Checks whether S3 buckets and objects are kept free of ACLs that grant access to all users or all authenticated AWS users.",
    enforcementLevel: "advisory",
    severity: "critical",
    framework: checkov(["CKV_AWS_20", "CKV_AWS_57", "CKV_AWS_375", "CKV2_AWS_43"], "S3 Bucket has an ACL defined which allows public READ or WRITE access, global view, or access to all authenticated users."),
    tags: ["security", "s3"],
    remediationSteps: "Remove the public canned ACL (public-read, public-read-write, authenticated-read) and any grant to the AllUsers or AuthenticatedUsers groups; disable ACLs with BucketOwnershipControls (BucketOwnerEnforced) and grant access through IAM or the bucket policy.",
    validateResource: [
        validateResourceOfType(aws.s3.Bucket, checkBucketAcl),
        validateResourceOfType(aws.s3.BucketV2, checkBucketAcl),
        ...[aws.s3.BucketAcl, aws.s3.BucketAclV2].map((type) =>
            validateResourceOfType(type, (acl, _args, reportViolation) => {
                if (typeof acl.acl === "string" && publicCannedAcls.includes(acl.acl)) {
                    reportViolation(`The bucket ACL must not be public; found ${show(acl.acl)}.`);
                }
                for (const grant of asList(acl.accessControlPolicy?.grants)) {
                    if (isPublicGrantee(grant.grantee?.uri)) {
                        reportViolation(`The bucket ACL must not grant ${grant.permission} to ${grant.grantee?.uri}.`);
                    }
                }
            }),
        ),
        ...[aws.s3.BucketObjectv2, aws.s3.BucketObject].map((type) =>
            validateResourceOfType(type, (object, _args, reportViolation) => {
                if (typeof object.acl === "string" && publicCannedAcls.includes(object.acl)) {
                    reportViolation(`The object's ACL must not be public; found ${show(object.acl)}.`);
                }
            }),
        ),
    ],
};

/** @severity critical */
export const s3BucketPublicAccessBlock: ResourceValidationPolicy = {
    name: "s3-bucket-public-access-block",
    description: "Checks whether S3 public access blocks turn on all four settings: block public ACLs, block public policy, ignore public ACLs and restrict public buckets.",
    enforcementLevel: "advisory",
    severity: "critical",
    framework: checkov(["CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"], "Ensure S3 bucket has block public ACLS, block public policy, ignore public ACLs and restrict public buckets enabled."),
    tags: ["security", "s3"],
    remediationSteps: "Set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets to true on the BucketPublicAccessBlock.",
    validateResource: validateResourceOfType(aws.s3.BucketPublicAccessBlock, (block, _args, reportViolation) => {
        const settings = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;
        const off = settings.filter((s) => block[s] !== true);
        if (off.length > 0) {
            reportViolation(`${off.join(", ")} must be true; found ${off.map((s) => `${s}=${show(block[s])}`).join(", ")}.`);
        }
    }),
};

/** @severity critical */
export const s3BucketHasPublicAccessBlock: StackValidationPolicy = {
    name: "s3-bucket-has-public-access-block",
    description: "Checks whether every S3 bucket in the stack has its own public access block.",
    enforcementLevel: "advisory",
    severity: "critical",
    framework: checkov(["CKV2_AWS_6"], "Ensure that S3 bucket has a Public Access block."),
    tags: ["security", "s3"],
    remediationSteps: "Declare an aws.s3.BucketPublicAccessBlock for the bucket with all four settings true.",
    validateStack: (args, reportViolation) => {
        for (const bucket of ofType(args.resources, ...bucketTypes)) {
            if (configuring(args.resources, bucket, [aws.s3.BucketPublicAccessBlock]).length === 0) {
                reportViolation(`${label(bucket)} must have an aws.s3.BucketPublicAccessBlock; none configures it.`, bucket.urn);
            }
        }
    },
};

type EncryptionRule = NonNullable<Unwrap<aws.s3.BucketServerSideEncryptionConfigurationArgs>["rules"]>[number];
type LifecycleRule = NonNullable<Unwrap<aws.s3.BucketLifecycleConfigurationArgs>["rules"]>[number];

const encryptionConfigSchema = {
    properties: {
        requireBucketKey: { type: "boolean" as const, default: true, description: "SSE-KMS rules must enable S3 Bucket Keys (cuts KMS request cost by up to 99%). Defaults to true." },
    },
};

/** @severity high */
export const s3EncryptionConfigurationCmk: ResourceValidationPolicy = {
    name: "s3-encryption-configuration-cmk",
    description: "Checks whether S3 default encryption rules that use KMS name a customer-managed key and enable S3 Bucket Keys.",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["security", "encryption", "s3"],
    remediationSteps: "Set applyServerSideEncryptionByDefault.kmsMasterKeyId to the ARN of a customer-managed key (not alias/aws/s3) and bucketKeyEnabled to true.",
    configSchema: encryptionConfigSchema,
    validateResource: encryptionTypes.map((type) =>
        validateResourceOfType(type, (config, args, reportViolation) => {
            const { requireBucketKey } = policyConfig<{ requireBucketKey: boolean }>(args, encryptionConfigSchema);
            const rules = probe(() => plain(asList(config.rules)) as EncryptionRule[]);
            if (!isKnown(rules)) {
                return;
            }
            if (rules.length === 0) {
                reportViolation("The encryption configuration must have a rule with applyServerSideEncryptionByDefault; it has none.");
            }
            rules.forEach((rule, i) => {
                const algorithm = rule.applyServerSideEncryptionByDefault?.sseAlgorithm;
                if (algorithm === "aws:kms" || algorithm === "aws:kms:dsse") {
                    const key = probe(() => rule.applyServerSideEncryptionByDefault?.kmsMasterKeyId);
                    if (isKnown(key) && !isCustomerManagedKey(key, "s3")) {
                        reportViolation(`Rule ${i + 1} uses ${algorithm} and must name a customer-managed key in kmsMasterKeyId; found ${show(key)}.`);
                    }
                    if (requireBucketKey && rule.bucketKeyEnabled !== true) {
                        reportViolation(`Rule ${i + 1} uses ${algorithm} and must set bucketKeyEnabled to true; found ${show(rule.bucketKeyEnabled)}.`);
                    }
                } else if (algorithm !== "AES256") {
                    reportViolation(`Rule ${i + 1} must set applyServerSideEncryptionByDefault.sseAlgorithm to aws:kms (or AES256 for a server access log bucket); found ${show(algorithm)}.`);
                }
            });
        }),
    ),
};

/** The default encryption algorithm configured for a bucket: its own rule, else inline; `undefined` if none. */
function bucketEncryption(resources: readonly PolicyResource[], bucket: PolicyResource): { algorithm?: string; key?: string } | "unknown" | undefined {
    for (const config of configuring(resources, bucket, encryptionTypes)) {
        const rule = prop(config, (p) => asList(p.rules)[0]);
        if (!isKnown(rule)) {
            return "unknown";
        }
        const algorithm = probe(() => rule?.applyServerSideEncryptionByDefault?.sseAlgorithm as string | undefined);
        const key = probe(() => rule?.applyServerSideEncryptionByDefault?.kmsMasterKeyId as string | undefined);
        if (!isKnown(algorithm)) {
            return "unknown";
        }
        return { algorithm, key: isKnown(key) ? key : "(unknown during preview)" };
    }
    const inline = prop(bucket, (p) => p.serverSideEncryptionConfiguration?.rule?.applyServerSideEncryptionByDefault);
    if (!isKnown(inline)) {
        return "unknown";
    }
    if (isObject(inline) && typeof inline.sseAlgorithm === "string") {
        return { algorithm: inline.sseAlgorithm, key: typeof inline.kmsMasterKeyId === "string" ? inline.kmsMasterKeyId : undefined };
    }
    return undefined;
}

/** @severity high */
export const s3BucketDefaultEncryption: StackValidationPolicy = {
    name: "s3-bucket-default-encryption",
    description:
        "Checks whether every S3 bucket has default encryption with SSE-KMS and a customer-managed key, except buckets that receive S3 server access logs, which must use SSE-S3 because log delivery cannot use SSE-KMS.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_19", "CKV_AWS_145"], "Ensure all data stored in the S3 bucket is securely encrypted at rest; ensure that S3 buckets are encrypted with KMS by default."),
    tags: ["security", "encryption", "s3"],
    remediationSteps:
        "Declare an aws.s3.BucketServerSideEncryptionConfiguration for the bucket: sseAlgorithm aws:kms with the data domain's customer-managed key and bucketKeyEnabled true. For a server access log bucket use sseAlgorithm AES256.",
    validateStack: (args, reportViolation) => {
        const targets = logTargets(args.resources);
        for (const bucket of ofType(args.resources, ...bucketTypes)) {
            const encryption = bucketEncryption(args.resources, bucket);
            if (encryption === "unknown") {
                continue;
            }
            if (!encryption) {
                reportViolation(`${label(bucket)} must have default encryption (an aws.s3.BucketServerSideEncryptionConfiguration); none configures it.`, bucket.urn);
                continue;
            }
            if (targets.has(bucket)) {
                if (encryption.algorithm !== "AES256") {
                    reportViolation(`${label(bucket)} receives S3 server access logs, which S3 can only deliver to SSE-S3 buckets: its default encryption must be AES256; found ${show(encryption.algorithm)}.`, bucket.urn);
                }
            } else if (!encryption.algorithm?.startsWith("aws:kms") || !isCustomerManagedKey(encryption.key, "s3")) {
                reportViolation(`${label(bucket)} must be encrypted by default with SSE-KMS and a customer-managed key; found ${show(encryption.algorithm)} with key ${show(encryption.key)}.`, bucket.urn);
            }
        }
    },
};

/** @severity high */
export const s3BucketVersioning: StackValidationPolicy = {
    name: "s3-bucket-versioning",
    description: "Checks whether every S3 bucket has versioning enabled, so overwritten or deleted objects can be recovered.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_21"], "Ensure all data stored in the S3 bucket have versioning enabled."),
    tags: ["data-protection", "s3"],
    remediationSteps: "Declare an aws.s3.BucketVersioning for the bucket with versioningConfiguration.status Enabled (and a lifecycle rule that expires noncurrent versions).",
    validateStack: (args, reportViolation) => {
        for (const bucket of ofType(args.resources, ...bucketTypes)) {
            const configs = configuring(args.resources, bucket, [aws.s3.BucketVersioning, aws.s3.BucketVersioningV2]);
            const statuses = configs.map((c) => prop(c, (p) => p.versioningConfiguration?.status as string | undefined));
            const inline = prop(bucket, (p) => p.versioning?.enabled as boolean | undefined);
            if (statuses.some((s) => !isKnown(s)) || (configs.length === 0 && !isKnown(inline))) {
                continue;
            }
            if (statuses.includes("Enabled") || (configs.length === 0 && inline === true)) {
                continue;
            }
            reportViolation(`${label(bucket)} must have versioning Enabled; found ${configs.length === 0 ? "no aws.s3.BucketVersioning" : `status ${statuses.map((s) => show(s)).join(", ")}`}.`, bucket.urn);
        }
    },
};

/** @severity medium */
export const s3BucketAccessLogging: StackValidationPolicy = {
    name: "s3-bucket-access-logging",
    description: "Checks whether every S3 bucket that is not itself a log destination has server access logging to a log bucket.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV_AWS_18"], "Ensure the S3 bucket has access logging enabled."),
    tags: ["audit", "s3"],
    remediationSteps: "Declare an aws.s3.BucketLogging for the bucket with targetBucket set to the stack's access-log bucket and a targetPrefix per bucket.",
    validateStack: (args, reportViolation) => {
        const targets = logTargets(args.resources);
        for (const bucket of ofType(args.resources, ...bucketTypes)) {
            if (targets.has(bucket)) {
                continue;
            }
            const inline = prop(bucket, (p) => p.logging?.targetBucket as string | undefined);
            if (!isKnown(inline) || inline) {
                continue;
            }
            if (configuring(args.resources, bucket, loggingTypes).length === 0) {
                reportViolation(`${label(bucket)} must have server access logging (an aws.s3.BucketLogging to the access-log bucket); none configures it.`, bucket.urn);
            }
        }
    },
};

/** @severity medium */
export const s3BucketLifecycle: StackValidationPolicy = {
    name: "s3-bucket-lifecycle",
    description: "Checks whether every S3 bucket has a lifecycle configuration, so data is tiered, expired and cleaned up instead of growing forever.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV2_AWS_61"], "Ensure that an S3 bucket has a lifecycle configuration."),
    tags: ["cost", "s3"],
    remediationSteps: "Declare an aws.s3.BucketLifecycleConfiguration for the bucket (tiering, noncurrent version expiry, aborting incomplete multipart uploads).",
    validateStack: (args, reportViolation) => {
        for (const bucket of ofType(args.resources, ...bucketTypes)) {
            const inline = prop(bucket, (p) => asList(p.lifecycleRules).length);
            if (configuring(args.resources, bucket, [aws.s3.BucketLifecycleConfiguration, aws.s3.BucketLifecycleConfigurationV2]).length > 0 || !isKnown(inline) || inline > 0) {
                continue;
            }
            reportViolation(`${label(bucket)} must have a lifecycle configuration (an aws.s3.BucketLifecycleConfiguration); none configures it.`, bucket.urn);
        }
    },
};

const abortSchema = {
    properties: {
        maximumDays: { type: "integer" as const, minimum: 1, default: 7, description: "Most days an incomplete multipart upload may be kept before it is aborted. Defaults to 7." },
    },
};

function coversWholeBucket(rule: { filter?: unknown; prefix?: unknown }): boolean {
    if (typeof rule.prefix === "string" && rule.prefix !== "") {
        return false;
    }
    const filter = rule.filter;
    if (filter === undefined || filter === null) {
        return true;
    }
    if (!isObject(filter)) {
        return false;
    }
    const keys = Object.keys(filter).filter((k) => filter[k] !== undefined && filter[k] !== null);
    return keys.length === 0 || (keys.length === 1 && keys[0] === "prefix" && filter.prefix === "");
}

/** @severity low */
export const s3LifecycleAbortIncompleteUploads: ResourceValidationPolicy = {
    name: "s3-lifecycle-abort-incomplete-uploads",
    description: "Checks whether S3 lifecycle configurations abort incomplete multipart uploads for the whole bucket, so failed uploads stop costing storage.",
    enforcementLevel: "advisory",
    severity: "low",
    framework: checkov(["CKV_AWS_300"], "Ensure S3 lifecycle configuration sets period for aborting failed uploads."),
    tags: ["cost", "s3"],
    remediationSteps: "Add an Enabled rule with an empty filter and abortIncompleteMultipartUpload.daysAfterInitiation of at most the configured maximum.",
    configSchema: abortSchema,
    validateResource: [aws.s3.BucketLifecycleConfiguration, aws.s3.BucketLifecycleConfigurationV2].map((type) =>
        validateResourceOfType(type, (config, args, reportViolation) => {
            const { maximumDays } = policyConfig<{ maximumDays: number }>(args, abortSchema);
            const rules = probe(() => plain(asList(config.rules)) as LifecycleRule[]);
            if (!isKnown(rules)) {
                return;
            }
            const ok = rules.some((rule) => {
                const days = rule.abortIncompleteMultipartUpload?.daysAfterInitiation;
                return rule.status === "Enabled" && coversWholeBucket(rule) && typeof days === "number" && days <= maximumDays;
            });
            if (!ok) {
                reportViolation(`An Enabled rule covering the whole bucket must abort incomplete multipart uploads within ${maximumDays} days; no rule does.`);
            }
        }),
    ),
};

/** @severity high */
export const s3BucketAclsDisabled: StackValidationPolicy = {
    name: "s3-bucket-acls-disabled",
    description: "Checks whether every S3 bucket disables ACLs with object ownership BucketOwnerEnforced.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV2_AWS_65"], "Ensure access control lists for S3 buckets are disabled."),
    tags: ["security", "s3"],
    remediationSteps: "Declare an aws.s3.BucketOwnershipControls for the bucket with rule.objectOwnership BucketOwnerEnforced.",
    validateStack: (args, reportViolation) => {
        for (const bucket of ofType(args.resources, ...bucketTypes)) {
            const controls = configuring(args.resources, bucket, [aws.s3.BucketOwnershipControls]);
            const values = controls.map((c) => prop(c, (p) => p.rule?.objectOwnership as string | undefined));
            if (values.some((v) => !isKnown(v)) || values.includes("BucketOwnerEnforced")) {
                continue;
            }
            reportViolation(`${label(bucket)} must disable ACLs with object ownership BucketOwnerEnforced; found ${controls.length === 0 ? "no aws.s3.BucketOwnershipControls" : values.map((v) => show(v)).join(", ")}.`, bucket.urn);
        }
    },
};

/** The statements of a bucket policy read lazily; `undefined` when absent or unknown during preview. */
function bucketPolicyStatements(read: () => unknown, reportViolation: (message: string) => void): Statement[] | undefined {
    const parsed = probe(() => parseDocument(read()));
    if (!isKnown(parsed) || !parsed) {
        return undefined;
    }
    if ("invalid" in parsed) {
        reportViolation(`The bucket policy must be a valid policy document; it is ${parsed.invalid}.`);
        return undefined;
    }
    return parsed.statements;
}

function checkInlineBucketPolicy(bucket: { policy?: unknown }, _args: unknown, reportViolation: (message: string) => void): void {
    for (const s of publicAllowStatements(bucketPolicyStatements(() => bucket.policy, reportViolation) ?? [])) {
        reportViolation(`${statementLabel(s)} of the bucket's inline policy allows ${s.actions.join(", ")} to every principal; it must name principals or carry a condition.`);
    }
}

/** @severity critical */
export const s3BucketPolicyNoPublicAccess: ResourceValidationPolicy = {
    name: "s3-bucket-policy-no-public-access",
    description: "Checks whether S3 bucket policies avoid allowing any action to every principal without a condition that pins the caller.",
    enforcementLevel: "advisory",
    severity: "critical",
    framework: checkov(["CKV_AWS_70"], "Ensure S3 bucket does not allow an action with any Principal."),
    tags: ["security", "s3"],
    remediationSteps: "Name the principals (roles, services) in Allow statements, or add a condition such as aws:SourceAccount, aws:SourceArn or aws:PrincipalOrgID.",
    validateResource: [
        validateResourceOfType(aws.s3.BucketPolicy, (policy, _args, reportViolation) => {
            for (const s of publicAllowStatements(bucketPolicyStatements(() => policy.policy, reportViolation) ?? [])) {
                reportViolation(`${statementLabel(s)} allows ${s.actions.join(", ") || "NotAction"} to every principal; it must name principals or carry a condition that pins the caller.`);
            }
        }),
        validateResourceOfType(aws.s3.Bucket, checkInlineBucketPolicy),
        validateResourceOfType(aws.s3.BucketV2, checkInlineBucketPolicy),
    ],
};

/** @severity high */
export const s3BucketPolicyNoLockout: ResourceValidationPolicy = {
    name: "s3-bucket-policy-no-lockout",
    description: "Checks whether S3 bucket policies avoid denying every action to every principal unconditionally, which locks out all but the root user.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_93"], "Ensure S3 bucket policy does not lockout all but root user."),
    tags: ["reliability", "s3"],
    remediationSteps: "Give broad Deny statements a condition (e.g. aws:SecureTransport false) or name the principals they deny.",
    validateResource: validateResourceOfType(aws.s3.BucketPolicy, (policy, _args, reportViolation) => {
        for (const s of bucketPolicyStatements(() => policy.policy, reportViolation) ?? []) {
            const allActions = s.notActions !== undefined || s.actions.some((a) => a === "*" || a.toLowerCase() === "s3:*");
            if (s.effect === "Deny" && isPublicPrincipal(s) && allActions && !s.condition) {
                reportViolation(`${statementLabel(s)} denies every action to every principal without a condition; add a condition or name principals.`);
            }
        }
    }),
};

function deniesInsecureTransport(s: Statement): boolean {
    if (s.effect !== "Deny" || !isPublicPrincipal(s)) {
        return false;
    }
    const allActions = s.actions.some((a) => a === "*" || a.toLowerCase() === "s3:*");
    const bool = Object.entries(s.condition ?? {}).find(([op]) => op === "Bool")?.[1] ?? {};
    const secure = Object.entries(bool).find(([key]) => key.toLowerCase() === "aws:securetransport")?.[1];
    return allActions && asList(secure as string | boolean).some((v) => String(v).toLowerCase() === "false");
}

/** @severity high */
export const s3BucketTlsOnly: StackValidationPolicy = {
    name: "s3-bucket-tls-only",
    description: "Checks whether every S3 bucket has a bucket policy that denies requests not made over TLS.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_379"], "Ensure AWS S3 bucket is configured with secure data transport policy."),
    tags: ["security", "encryption", "s3"],
    remediationSteps: 'Declare an aws.s3.BucketPolicy with a statement {Effect: Deny, Principal: {AWS: "*"}, Action: "s3:*", Resource: [bucket, bucket/*], Condition: {Bool: {"aws:SecureTransport": "false"}}}.',
    validateStack: (args, reportViolation) => {
        for (const bucket of ofType(args.resources, ...bucketTypes)) {
            const documents = [
                ...configuring(args.resources, bucket, [aws.s3.BucketPolicy]).map((p) => prop(p, (props) => props.policy)),
                prop(bucket, (p) => p.policy),
            ];
            if (documents.some((d) => !isKnown(d))) {
                continue;
            }
            const ok = documents.some((d) => {
                const parsed = parseDocument(d);
                return parsed !== undefined && "statements" in parsed && parsed.statements.some(deniesInsecureTransport);
            });
            if (!ok) {
                reportViolation(`${label(bucket)} must have a bucket policy that denies every s3 action when aws:SecureTransport is false; none does.`, bucket.urn);
            }
        }
    },
};

const forceDestroySchema = {
    properties: {
        environments: environmentsProperty(["prod"], "buckets must not be force-destroyable"),
        environment: environmentOverrideProperty,
    },
};

function checkForceDestroy(bucket: { forceDestroy?: boolean }, args: ResourceValidationArgs, reportViolation: (message: string) => void): void {
    const config = policyConfig<{ environments: string[]; environment?: string }>(args, forceDestroySchema);
    const environment = requireEnvironmentIn(args, resourceEnvironment(args, config.environment), config.environments);
    if (isTrue(bucket.forceDestroy)) {
        reportViolation(`forceDestroy must be false in ${environment}; found true.`);
    }
}

/** @severity high */
export const s3BucketNoForceDestroy: ResourceValidationPolicy = {
    name: "s3-bucket-no-force-destroy",
    description: "Checks whether S3 buckets in protected environments (prod) leave forceDestroy off, so deleting a bucket can never delete its objects.",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["data-protection", "s3"],
    remediationSteps: "Set forceDestroy to false (the platform derives it from platform:protectData, true in prod).",
    configSchema: forceDestroySchema,
    validateResource: [validateResourceOfType(aws.s3.Bucket, checkForceDestroy), validateResourceOfType(aws.s3.BucketV2, checkForceDestroy)],
};

/** @severity medium */
export const s3ObjectEncryptionCmk: StackValidationPolicy = {
    name: "s3-object-encryption-cmk",
    description: "Checks whether every S3 object the stack uploads is encrypted with a customer-managed KMS key, set on the object or inherited from its bucket's default encryption.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV_AWS_186"], "Ensure S3 bucket Object is encrypted by KMS using a customer managed Key (CMK)."),
    tags: ["security", "encryption", "s3"],
    remediationSteps: "Upload the object to a bucket whose default encryption is SSE-KMS with a customer-managed key, or set serverSideEncryption aws:kms and kmsKeyId on the object.",
    validateStack: (args, reportViolation) => {
        const buckets = ofType(args.resources, ...bucketTypes);
        for (const object of ofType(args.resources, aws.s3.BucketObjectv2, aws.s3.BucketObject)) {
            const key = prop(object, (p) => p.kmsKeyId as string | undefined);
            if (!isKnown(key)) {
                continue;
            }
            if (isCustomerManagedKey(key, "s3")) {
                continue;
            }
            const bucket = buckets.find((b) => configuresBucket(object, b));
            const encryption = bucket ? bucketEncryption(args.resources, bucket) : undefined;
            if (encryption === "unknown") {
                continue;
            }
            if (encryption && encryption.algorithm?.startsWith("aws:kms") && isCustomerManagedKey(encryption.key, "s3")) {
                continue;
            }
            reportViolation(
                `${label(object)} must be encrypted with a customer-managed KMS key: set kmsKeyId, or upload it to a bucket of this stack whose default encryption is SSE-KMS with one; ${bucket ? `${label(bucket)} uses ${show(encryption?.algorithm)}` : "its bucket is not in this stack"}.`,
                object.urn,
            );
        }
    },
};

export const s3Policies = [
    s3BucketNoPublicAcl,
    s3BucketPublicAccessBlock,
    s3BucketHasPublicAccessBlock,
    s3EncryptionConfigurationCmk,
    s3BucketDefaultEncryption,
    s3BucketVersioning,
    s3BucketAccessLogging,
    s3BucketLifecycle,
    s3LifecycleAbortIncompleteUploads,
    s3BucketAclsDisabled,
    s3BucketPolicyNoPublicAccess,
    s3BucketPolicyNoLockout,
    s3BucketTlsOnly,
    s3BucketNoForceDestroy,
    s3ObjectEncryptionCmk,
];
