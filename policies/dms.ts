import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { checkov } from "./lib/metadata";
import { isCustomerManagedKey, isKnown, probe, show } from "./lib/values";

/**
 * Database replication (AWS DMS): the platform's own checks for source endpoints and the
 * serverless replication's S3 target. Checkov's DMS IDs are mapped where its catalogue marks them.
 */

/** @severity high */
export const dmsEndpointTls: ResourceValidationPolicy = {
    name: "dms-endpoint-tls-verified",
    description: "Checks whether DMS source and target database endpoints use TLS that verifies the server (sslMode verify-full or verify-ca, with a certificate).",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV2_AWS_49"], "Ensure AWS Database Migration Service endpoints have SSL configured."),
    tags: ["security", "encryption", "dms"],
    remediationSteps: "Set sslMode to verify-full (or verify-ca) and certificateArn to the server's CA certificate imported into DMS (aws.dms.Certificate).",
    validateResource: validateResourceOfType(aws.dms.Endpoint, (endpoint, _args, reportViolation) => {
        const mode = probe(() => endpoint.sslMode);
        if (isKnown(mode) && mode !== "verify-full" && mode !== "verify-ca") {
            reportViolation(`sslMode must be verify-full or verify-ca; found ${show(mode)}.`);
            return;
        }
        const certificate = probe(() => endpoint.certificateArn);
        if (isKnown(certificate) && !certificate) {
            reportViolation(`sslMode ${show(mode)} needs certificateArn: the CA certificate the server is verified against.`);
        }
    }),
};

/** @severity high */
export const dmsEndpointSecretsManager: ResourceValidationPolicy = {
    name: "dms-endpoint-credentials-from-secrets-manager",
    description: "Checks whether DMS database endpoints read their credentials from Secrets Manager (secretsManagerArn with an access role) rather than a password in the endpoint, and encrypt their connection settings with a customer-managed key.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_296"], "Ensure DMS endpoint uses Customer Managed Key (CMK)."),
    tags: ["security", "secrets", "dms"],
    remediationSteps: "Remove password and username; set secretsManagerArn to the credentials secret, secretsManagerAccessRoleArn to a role DMS can assume that may read it, and kmsKeyArn to a customer-managed key.",
    validateResource: validateResourceOfType(aws.dms.Endpoint, (endpoint, _args, reportViolation) => {
        const password = probe(() => endpoint.password);
        if (isKnown(password) && password) {
            reportViolation("password must not be set: credentials belong in Secrets Manager (secretsManagerArn).");
        }
        const secret = probe(() => endpoint.secretsManagerArn);
        const role = probe(() => endpoint.secretsManagerAccessRoleArn);
        if (isKnown(secret) && !secret) {
            reportViolation("secretsManagerArn must name the Secrets Manager secret holding the credentials.");
        } else if (isKnown(role) && !role) {
            reportViolation("secretsManagerAccessRoleArn must name the role DMS assumes to read the secret.");
        }
        const key = probe(() => endpoint.kmsKeyArn);
        if (isKnown(key) && (!key || !isCustomerManagedKey(key, "dms"))) {
            reportViolation(`kmsKeyArn must name a customer-managed key; found ${show(key)}.`);
        }
    }),
};

/** @severity high */
export const dmsS3EndpointCmk: ResourceValidationPolicy = {
    name: "dms-s3-endpoint-sse-kms-cmk",
    description: "Checks whether DMS S3 target endpoints encrypt what they write with SSE-KMS under a customer-managed key.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_298"], "Ensure DMS S3 uses Customer Managed Key (CMK)."),
    tags: ["security", "encryption", "dms"],
    remediationSteps: "Set encryptionMode to SSE_KMS and serverSideEncryptionKmsKeyId to the platform's lake key.",
    validateResource: validateResourceOfType(aws.dms.S3Endpoint, (endpoint, _args, reportViolation) => {
        const mode = probe(() => endpoint.encryptionMode);
        if (isKnown(mode) && mode !== "SSE_KMS") {
            reportViolation(`encryptionMode must be SSE_KMS; found ${show(mode)}.`);
        }
        const key = probe(() => endpoint.serverSideEncryptionKmsKeyId);
        if (isKnown(key) && !isCustomerManagedKey(key, "s3")) {
            reportViolation(`serverSideEncryptionKmsKeyId must name a customer-managed key; found ${show(key)}.`);
        }
    }),
};

/** @severity high */
export const dmsReplicationConfigPrivateEncrypted: ResourceValidationPolicy = {
    name: "dms-replication-config-private-cmk",
    description: "Checks whether DMS Serverless replications run in a subnet group with security groups (never publicly reachable) and encrypt their storage with a customer-managed key.",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["security", "network", "encryption", "dms"],
    remediationSteps: "Set computeConfig.replicationSubnetGroupId to a group of private subnets, computeConfig.vpcSecurityGroupIds, and computeConfig.kmsKeyId to a customer-managed key.",
    validateResource: validateResourceOfType(aws.dms.ReplicationConfig, (replication, _args, reportViolation) => {
        const compute = probe(() => replication.computeConfig);
        if (!isKnown(compute)) return;
        const groups = probe(() => replication.computeConfig?.vpcSecurityGroupIds);
        if (isKnown(groups) && (!Array.isArray(groups) || groups.length === 0)) {
            reportViolation("computeConfig.vpcSecurityGroupIds must list the security groups that limit what the replication reaches.");
        }
        const key = probe(() => replication.computeConfig?.kmsKeyId);
        if (isKnown(key) && !isCustomerManagedKey(key, "dms")) {
            reportViolation(`computeConfig.kmsKeyId must name a customer-managed key; found ${show(key)}.`);
        }
    }),
};

export const dmsPolicies = [dmsEndpointTls, dmsEndpointSecretsManager, dmsS3EndpointCmk, dmsReplicationConfigPrivateEncrypted];
