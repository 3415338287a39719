import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { policyConfig } from "./lib/config";
import { parseDocument, publicAllowStatements, statementLabel } from "./lib/documents";
import { checkov } from "./lib/metadata";
import { isKnown, probe, show } from "./lib/values";

/** Asymmetric and HMAC keys cannot rotate automatically; only symmetric encryption keys are checked. */
function isSymmetricEncryptionKey(key: { keyUsage?: string; customerMasterKeySpec?: string }): boolean {
    return (key.keyUsage ?? "ENCRYPT_DECRYPT") === "ENCRYPT_DECRYPT" && (key.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT") === "SYMMETRIC_DEFAULT";
}

const rotationSchema = {
    properties: {
        maximumRotationDays: { type: "integer" as const, minimum: 90, maximum: 2560, default: 365, description: "Longest automatic rotation period allowed, in days. Defaults to 365." },
    },
};

/** @severity high */
export const kmsKeyRotation: ResourceValidationPolicy = {
    name: "kms-key-rotation",
    description: "Checks whether customer-managed symmetric KMS keys rotate automatically, at least once per configured period.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_7"], "Ensure rotation for customer created CMKs is enabled."),
    tags: ["security", "encryption", "kms"],
    remediationSteps: "Set enableKeyRotation to true and rotationPeriodInDays to at most the configured maximum (365 by default).",
    configSchema: rotationSchema,
    validateResource: validateResourceOfType(aws.kms.Key, (key, args, reportViolation) => {
        const { maximumRotationDays } = policyConfig<{ maximumRotationDays: number }>(args, rotationSchema);
        if (!isSymmetricEncryptionKey(key)) {
            return;
        }
        if (key.enableKeyRotation !== true) {
            reportViolation(`enableKeyRotation must be true; found ${show(key.enableKeyRotation)}.`);
        } else if (typeof key.rotationPeriodInDays === "number" && key.rotationPeriodInDays > maximumRotationDays) {
            reportViolation(`rotationPeriodInDays must be at most ${maximumRotationDays}; found ${key.rotationPeriodInDays}.`);
        }
    }),
};

/** @severity critical */
export const kmsKeyPolicyNoPublicPrincipal: ResourceValidationPolicy = {
    name: "kms-key-policy-no-public-principal",
    description: "Checks whether KMS key policies avoid allowing a wildcard principal without a condition that pins the caller to an account or service.",
    enforcementLevel: "advisory",
    severity: "critical",
    framework: checkov(["CKV_AWS_33"], "Ensure KMS key policy does not contain wildcard (*) principal."),
    tags: ["security", "kms"],
    remediationSteps: "Name the account root or roles in the key policy's Allow statements, or add a kms:CallerAccount / aws:SourceAccount condition.",
    validateResource: validateResourceOfType(aws.kms.Key, (key, _args, reportViolation) => {
        const parsed = probe(() => parseDocument(key.policy));
        if (!isKnown(parsed) || !parsed) {
            return;
        }
        if ("invalid" in parsed) {
            reportViolation(`The key policy must be a valid policy document; it is ${parsed.invalid}.`);
            return;
        }
        for (const s of publicAllowStatements(parsed.statements)) {
            reportViolation(`${statementLabel(s)} allows ${s.actions.join(", ")} to every principal; name the principals or add a condition that pins the caller's account.`);
        }
    }),
};

/** @severity medium */
export const kmsKeyEnabled: ResourceValidationPolicy = {
    name: "kms-key-enabled",
    description: "Checks whether KMS keys are enabled, so the data they protect stays readable.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV_AWS_227"], "Ensure KMS key is enabled."),
    tags: ["reliability", "kms"],
    remediationSteps: "Remove isEnabled: false (or set it to true). To retire a key, schedule its deletion instead.",
    validateResource: validateResourceOfType(aws.kms.Key, (key, _args, reportViolation) => {
        if (key.isEnabled === false) {
            reportViolation("isEnabled must be true; found false.");
        }
    }),
};

/** @severity medium */
export const kmsKeyPolicyDefined: ResourceValidationPolicy = {
    name: "kms-key-policy-defined",
    description: "Checks whether KMS keys declare an explicit key policy instead of relying on the default one.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV2_AWS_64"], "Ensure KMS key Policy is defined."),
    tags: ["security", "kms"],
    remediationSteps: "Set the key's policy input to a document that names the account root (delegating to IAM) and only the services of the key's data domain.",
    validateResource: validateResourceOfType(aws.kms.Key, (_key, args, reportViolation) => {
        const policy = probe(() => args.props.policy as unknown);
        if (isKnown(policy) && (policy === undefined || policy === null || policy === "")) {
            reportViolation("The key must have an explicit policy; none is set.");
        }
    }),
};

const deletionSchema = {
    properties: {
        minimumDays: { type: "integer" as const, minimum: 7, maximum: 30, default: 30, description: "Shortest pending-deletion window allowed, in days (7 to 30). Defaults to 30." },
    },
};

/** @severity high */
export const kmsKeyDeletionWindow: ResourceValidationPolicy = {
    name: "kms-key-deletion-window",
    description: "Checks whether KMS keys keep a long pending-deletion window, so a key deleted by mistake can be recovered before its data becomes unreadable.",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["data-protection", "kms"],
    remediationSteps: "Set deletionWindowInDays to at least the configured minimum (30 by default, also AWS's default).",
    configSchema: deletionSchema,
    validateResource: validateResourceOfType(aws.kms.Key, (key, args, reportViolation) => {
        const { minimumDays } = policyConfig<{ minimumDays: number }>(args, deletionSchema);
        if (typeof key.deletionWindowInDays === "number" && key.deletionWindowInDays < minimumDays) {
            reportViolation(`deletionWindowInDays must be at least ${minimumDays}; found ${key.deletionWindowInDays}.`);
        }
    }),
};

export const kmsPolicies = [kmsKeyRotation, kmsKeyPolicyNoPublicPrincipal, kmsKeyEnabled, kmsKeyPolicyDefined, kmsKeyDeletionWindow];
