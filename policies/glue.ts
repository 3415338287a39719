import * as aws from "@pulumi/aws";
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { checkov } from "./lib/metadata";
import { label, ofType, prop, referencedBy } from "./lib/stack";
import { policyConfig } from "./lib/config";
import { isKnown, probe, show } from "./lib/values";

/** @severity high */
export const glueDataCatalogEncryption: ResourceValidationPolicy = {
    name: "glue-data-catalog-encryption",
    description: "Checks whether the Glue Data Catalog's encryption settings encrypt metadata with a customer-managed KMS key and encrypt connection passwords.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_94"], "Ensure Glue Data Catalog Encryption is enabled."),
    tags: ["security", "encryption", "glue"],
    remediationSteps: "Set encryptionAtRest { catalogEncryptionMode: SSE-KMS, sseAwsKmsKeyId: <lake key> } and connectionPasswordEncryption { returnConnectionPasswordEncrypted: true, awsKmsKeyId: <lake key> }.",
    validateResource: validateResourceOfType(aws.glue.DataCatalogEncryptionSettings, (settings, _args, reportViolation) => {
        const atRest = settings.dataCatalogEncryptionSettings.encryptionAtRest;
        if (atRest?.catalogEncryptionMode !== "SSE-KMS" && atRest?.catalogEncryptionMode !== "SSE-KMS-WITH-SERVICE-ROLE") {
            reportViolation(`encryptionAtRest.catalogEncryptionMode must be SSE-KMS; found ${show(atRest?.catalogEncryptionMode)}.`);
        } else {
            const key = probe(() => atRest.sseAwsKmsKeyId);
            if (isKnown(key) && !key) {
                reportViolation("encryptionAtRest.sseAwsKmsKeyId must name a customer-managed key; none is set.");
            }
        }
        if (settings.dataCatalogEncryptionSettings.connectionPasswordEncryption?.returnConnectionPasswordEncrypted !== true) {
            reportViolation("connectionPasswordEncryption.returnConnectionPasswordEncrypted must be true.");
        }
    }),
};

/** @severity high */
export const glueSecurityConfigurationEncryption: ResourceValidationPolicy = {
    name: "glue-security-configuration-encryption",
    description: "Checks whether Glue security configurations encrypt S3 output, CloudWatch logs and job bookmarks with KMS.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_99"], "Ensure Glue Security Configuration Encryption is enabled."),
    tags: ["security", "encryption", "glue"],
    remediationSteps: "Set s3Encryption SSE-KMS, cloudwatchEncryption CSE-KMS and jobBookmarksEncryption CSE-KMS, each with a customer-managed key.",
    validateResource: validateResourceOfType(aws.glue.SecurityConfiguration, (config, _args, reportViolation) => {
        const e = config.encryptionConfiguration;
        if (e.s3Encryption?.s3EncryptionMode !== "SSE-KMS") {
            reportViolation(`s3Encryption.s3EncryptionMode must be SSE-KMS; found ${show(e.s3Encryption?.s3EncryptionMode)}.`);
        }
        if (e.cloudwatchEncryption?.cloudwatchEncryptionMode !== "SSE-KMS") {
            reportViolation(`cloudwatchEncryption.cloudwatchEncryptionMode must be SSE-KMS; found ${show(e.cloudwatchEncryption?.cloudwatchEncryptionMode)}.`);
        }
        if (e.jobBookmarksEncryption?.jobBookmarksEncryptionMode !== "CSE-KMS") {
            reportViolation(`jobBookmarksEncryption.jobBookmarksEncryptionMode must be CSE-KMS; found ${show(e.jobBookmarksEncryption?.jobBookmarksEncryptionMode)}.`);
        }
    }),
};

/** @severity high */
export const glueJobSecurityConfiguration: ResourceValidationPolicy = {
    name: "glue-job-security-configuration",
    description: "Checks whether Glue jobs and crawlers run with a security configuration.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_195"], "Ensure Glue component has a security configuration associated."),
    tags: ["security", "encryption", "glue"],
    remediationSteps: "Declare an aws.glue.SecurityConfiguration (KMS everywhere) and set securityConfiguration on the job or crawler.",
    validateResource: [
        validateResourceOfType(aws.glue.Job, (job, _args, reportViolation) => {
            const value = probe(() => job.securityConfiguration);
            if (isKnown(value) && !value) {
                reportViolation("securityConfiguration must name a Glue security configuration; none is set.");
            }
        }),
        validateResourceOfType(aws.glue.Crawler, (crawler, _args, reportViolation) => {
            const value = probe(() => crawler.securityConfiguration);
            if (isKnown(value) && !value) {
                reportViolation("securityConfiguration must name a Glue security configuration; none is set.");
            }
        }),
    ],
};

/**
 * The settings are an account-level singleton that nothing creates by default, so a policy that
 * only judges them when present passes a stack that never declares them: this one requires them
 * wherever the stack keeps metadata in the catalog, with keys the stack itself manages.
 *
 * @severity high
 */
export const glueDataCatalogEncryptionDeclared: StackValidationPolicy = {
    name: "glue-data-catalog-encryption-declared",
    description: "Checks whether a stack that declares Glue databases or tables also declares the Data Catalog's encryption settings, encrypting metadata and connection passwords with a KMS key of this stack.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_94"], "Ensure Glue Data Catalog Encryption is enabled (required, not only judged when declared)."),
    tags: ["security", "encryption", "glue"],
    remediationSteps:
        "Declare one aws.glue.DataCatalogEncryptionSettings with encryptionAtRest { catalogEncryptionMode: SSE-KMS, sseAwsKmsKeyId: <lake key ARN> } and connectionPasswordEncryption { returnConnectionPasswordEncrypted: true, awsKmsKeyId: <lake key ARN> }.",
    validateStack: (args, reportViolation) => {
        const catalog = ofType(args.resources, aws.glue.CatalogDatabase, aws.glue.CatalogTable);
        if (catalog.length === 0) {
            return;
        }
        const settings = ofType(args.resources, aws.glue.DataCatalogEncryptionSettings);
        if (settings.length === 0) {
            reportViolation(
                `The stack keeps ${catalog.length} Glue database(s) and table(s) in the Data Catalog but declares no aws.glue.DataCatalogEncryptionSettings, so their metadata and any connection passwords are stored unencrypted; declare it with SSE-KMS and the lake key.`,
            );
            return;
        }
        const keys = ofType(args.resources, aws.kms.Key);
        for (const s of settings) {
            const mode = prop(s, (p) => p.dataCatalogEncryptionSettings?.encryptionAtRest?.catalogEncryptionMode as string | undefined);
            if (isKnown(mode) && mode !== "SSE-KMS" && mode !== "SSE-KMS-WITH-SERVICE-ROLE") {
                reportViolation(`${label(s)}: encryptionAtRest.catalogEncryptionMode must be SSE-KMS; found ${show(mode)}.`, s.urn);
            }
            const returned = prop(s, (p) => p.dataCatalogEncryptionSettings?.connectionPasswordEncryption?.returnConnectionPasswordEncrypted as boolean | undefined);
            if (isKnown(returned) && returned !== true) {
                reportViolation(`${label(s)}: connectionPasswordEncryption.returnConnectionPasswordEncrypted must be true; found ${show(returned)}.`, s.urn);
            }
            for (const [field, read] of [
                ["encryptionAtRest.sseAwsKmsKeyId", (p: Record<string, any>) => p.dataCatalogEncryptionSettings?.encryptionAtRest?.sseAwsKmsKeyId],
                ["connectionPasswordEncryption.awsKmsKeyId", (p: Record<string, any>) => p.dataCatalogEncryptionSettings?.connectionPasswordEncryption?.awsKmsKeyId],
            ] as const) {
                requireStackKey(s, field, prop(s, read as (p: Record<string, any>) => string | undefined), keys, (message) => reportViolation(message, s.urn));
            }
        }
    },
};

function requireStackKey(settings: PolicyResource, field: string, value: unknown, keys: readonly PolicyResource[], report: (message: string) => void): void {
    if (isKnown(value) && !value) {
        report(`${label(settings)}: ${field} must name a customer-managed KMS key of this stack (the lake key); none is set, so AWS's own key would be used.`);
        return;
    }
    if (referencedBy(settings, "dataCatalogEncryptionSettings", value, keys).length === 0) {
        report(`${label(settings)}: ${field} must name a KMS key declared in this stack (the lake key); found ${show(value)}, which is none of the stack's ${keys.length} key(s).`);
    }
}

const timeoutSchema = {
    properties: {
        maximumTimeoutMinutes: { type: "integer" as const, minimum: 1, maximum: 2880, default: 720, description: "Longest timeout a Glue job may set, in minutes. Defaults to 720 (12 hours)." },
    },
};

/**
 * Glue's default timeout is 2880 minutes: a hung run bills its workers for two days before Glue
 * stops it. The platform sets each job's timeout from config (platform:glueTimeoutMinutes).
 *
 * @severity medium
 */
export const glueJobTimeout: ResourceValidationPolicy = {
    name: "glue-job-timeout",
    description: "Checks whether Glue jobs set their own timeout, no longer than the configured maximum, instead of Glue's default of 48 hours.",
    enforcementLevel: "advisory",
    severity: "medium",
    tags: ["cost", "reliability", "glue"],
    remediationSteps: "Set timeout (minutes) on the job; the platform takes it from platform:glueTimeoutMinutes.",
    configSchema: timeoutSchema,
    validateResource: validateResourceOfType(aws.glue.Job, (job, args, reportViolation) => {
        const { maximumTimeoutMinutes } = policyConfig<{ maximumTimeoutMinutes: number }>(args, timeoutSchema);
        const timeout = probe(() => job.timeout);
        if (!isKnown(timeout)) {
            return;
        }
        if (timeout === undefined || timeout === null) {
            reportViolation(`timeout must be set (at most ${maximumTimeoutMinutes} minutes); none is set, so a hung run bills its workers for Glue's default of 2880 minutes.`);
        } else if (timeout > maximumTimeoutMinutes) {
            reportViolation(`timeout must be at most ${maximumTimeoutMinutes} minutes; found ${timeout}.`);
        }
    }),
};

/**
 * A failed Glue run is diagnosed from its logs and metrics; without continuous logging the driver's
 * output arrives only when the run ends, and without job metrics there is nothing to alarm on.
 *
 * @severity medium
 */
export const glueJobObservability: ResourceValidationPolicy = {
    name: "glue-job-observability",
    description: "Checks whether Glue Spark jobs enable job metrics and continuous CloudWatch logging.",
    enforcementLevel: "advisory",
    severity: "medium",
    tags: ["observability", "glue"],
    remediationSteps: 'Set defaultArguments "--enable-metrics": "true" and "--enable-continuous-cloudwatch-log": "true" (and a log group with --continuous-log-logGroup).',
    validateResource: validateResourceOfType(aws.glue.Job, (job, _args, reportViolation) => {
        const defaults = probe(() => job.defaultArguments);
        if (!isKnown(defaults) || job.command?.name === "pythonshell") {
            return;
        }
        for (const flag of ["--enable-metrics", "--enable-continuous-cloudwatch-log"]) {
            const value = defaults?.[flag];
            if (value !== "true") {
                reportViolation(`defaultArguments["${flag}"] must be "true"; found ${show(value)}.`);
            }
        }
    }),
};

/**
 * A crawler that updates or deletes tables rewrites what others read; the platform's crawlers only
 * propose schemas (the file-drop drafts), so changes to tables they made are logged, not applied.
 *
 * @severity high
 */
export const glueCrawlerSchemaChangeLogged: ResourceValidationPolicy = {
    name: "glue-crawler-schema-change-logged",
    description: "Checks whether Glue crawlers log schema changes and deletions (schemaChangePolicy LOG) instead of rewriting or deleting catalog tables.",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["governance", "glue"],
    remediationSteps: 'Set schemaChangePolicy { updateBehavior: "LOG", deleteBehavior: "LOG" } on the crawler.',
    validateResource: validateResourceOfType(aws.glue.Crawler, (crawler, _args, reportViolation) => {
        const policy = probe(() => crawler.schemaChangePolicy);
        if (!isKnown(policy)) {
            return;
        }
        // Glue's defaults are UPDATE_IN_DATABASE and DEPRECATE_IN_DATABASE: unset means rewritten.
        if (policy?.updateBehavior !== "LOG") {
            reportViolation(`schemaChangePolicy.updateBehavior must be LOG; found ${show(policy?.updateBehavior)} (unset means UPDATE_IN_DATABASE), which rewrites tables.`);
        }
        if (policy?.deleteBehavior !== "LOG") {
            reportViolation(`schemaChangePolicy.deleteBehavior must be LOG; found ${show(policy?.deleteBehavior)} (unset means DEPRECATE_IN_DATABASE), which changes tables.`);
        }
    }),
};

export const gluePolicies = [
    glueDataCatalogEncryption,
    glueDataCatalogEncryptionDeclared,
    glueSecurityConfigurationEncryption,
    glueJobSecurityConfiguration,
    glueJobTimeout,
    glueJobObservability,
    glueCrawlerSchemaChangeLogged,
];
