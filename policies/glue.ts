import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { checkov } from "./lib/metadata";
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

export const gluePolicies = [glueDataCatalogEncryption, glueSecurityConfigurationEncryption, glueJobSecurityConfiguration];
