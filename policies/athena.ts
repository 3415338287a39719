import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { checkov } from "./lib/metadata";
import { isCustomerManagedKey, isKnown, probe, show } from "./lib/values";

/** @severity high */
export const athenaWorkgroupEnforceConfiguration: ResourceValidationPolicy = {
    name: "athena-workgroup-enforce-configuration",
    description: "Checks whether Athena workgroups enforce their configuration over the client's, so no client can turn off result encryption or move results elsewhere.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_82"], "Ensure Athena Workgroup should enforce configuration to prevent client disabling encryption."),
    tags: ["security", "encryption", "athena"],
    remediationSteps: "Set configuration.enforceWorkgroupConfiguration to true.",
    validateResource: validateResourceOfType(aws.athena.Workgroup, (workgroup, _args, reportViolation) => {
        const enforce = probe(() => workgroup.configuration?.enforceWorkgroupConfiguration);
        if (isKnown(enforce) && enforce === false) {
            reportViolation("configuration.enforceWorkgroupConfiguration must be true; found false.");
        }
    }),
};

/** @severity high */
export const athenaWorkgroupResultsEncrypted: ResourceValidationPolicy = {
    name: "athena-workgroup-results-encrypted",
    description: "Checks whether Athena workgroups encrypt query results with a customer-managed KMS key (SSE_KMS or CSE_KMS).",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_159"], "Ensure that Athena Workgroup is encrypted."),
    tags: ["security", "encryption", "athena"],
    remediationSteps: "Set configuration.resultConfiguration.encryptionConfiguration to { encryptionOption: SSE_KMS, kmsKeyArn: <the lake key> }.",
    validateResource: validateResourceOfType(aws.athena.Workgroup, (workgroup, _args, reportViolation) => {
        const encryption = probe(() => workgroup.configuration?.resultConfiguration?.encryptionConfiguration);
        if (!isKnown(encryption)) {
            return;
        }
        const option = encryption?.encryptionOption;
        if (option !== "SSE_KMS" && option !== "CSE_KMS") {
            reportViolation(`configuration.resultConfiguration.encryptionConfiguration.encryptionOption must be SSE_KMS or CSE_KMS; found ${show(option)}.`);
            return;
        }
        const key = probe(() => encryption?.kmsKeyArn);
        if (isKnown(key) && !isCustomerManagedKey(key, "athena")) {
            reportViolation(`configuration.resultConfiguration.encryptionConfiguration.kmsKeyArn must name a customer-managed key; found ${show(key)}.`);
        }
    }),
};

/** @severity medium */
export const athenaWorkgroupScanLimit: ResourceValidationPolicy = {
    name: "athena-workgroup-scan-limit",
    description: "Checks whether every Athena workgroup caps the data one query may scan (bytesScannedCutoffPerQuery) and enforces that cap over the client's settings, so no query can run up an unbounded bill.",
    enforcementLevel: "advisory",
    severity: "medium",
    tags: ["cost", "athena"],
    remediationSteps: "Set configuration.bytesScannedCutoffPerQuery (bytes, at least 10 MB; the platform takes it from platform:athena*ScanLimitGb) and configuration.enforceWorkgroupConfiguration to true.",
    validateResource: validateResourceOfType(aws.athena.Workgroup, (workgroup, _args, reportViolation) => {
        const configuration = probe(() => workgroup.configuration);
        if (!isKnown(configuration)) {
            return;
        }
        const cutoff = configuration?.bytesScannedCutoffPerQuery;
        if (isKnown(cutoff) && (cutoff === undefined || cutoff < 10 * 1024 ** 2)) {
            reportViolation(`configuration.bytesScannedCutoffPerQuery must be set to at least 10485760 bytes (10 MB); found ${show(cutoff)}.`);
        }
        const enforce = configuration?.enforceWorkgroupConfiguration;
        if (isKnown(enforce) && enforce !== true) {
            reportViolation(`configuration.enforceWorkgroupConfiguration must be true, or a client can lift the scan limit; found ${show(enforce)}.`);
        }
    }),
};

export const athenaPolicies = [athenaWorkgroupEnforceConfiguration, athenaWorkgroupResultsEncrypted, athenaWorkgroupScanLimit];
