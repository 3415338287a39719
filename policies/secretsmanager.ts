import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { policyConfig } from "./lib/config";
import { checkov } from "./lib/metadata";
import { label, ofType, prop, referencedBy } from "./lib/stack";
import { isKnown, probe, show, isCustomerManagedKey } from "./lib/values";

/** @severity medium */
export const secretsmanagerSecretCmk: ResourceValidationPolicy = {
    name: "secretsmanager-secret-cmk",
    description: "Checks whether Secrets Manager secrets are encrypted with a customer-managed KMS key.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV_AWS_149"], "Ensure that Secrets Manager secret is encrypted using KMS CMK."),
    tags: ["security", "encryption", "secretsmanager"],
    remediationSteps: "Set kmsKeyId to a customer-managed key (not aws/secretsmanager).",
    validateResource: validateResourceOfType(aws.secretsmanager.Secret, (secret, _args, reportViolation) => {
        const key = probe(() => secret.kmsKeyId);
        if (isKnown(key) && !isCustomerManagedKey(key, "secretsmanager")) {
            reportViolation(`kmsKeyId must name a customer-managed key; found ${show(key)}.`);
        }
    }),
};

const rotationSchema = {
    properties: {
        maximumDays: { type: "integer" as const, minimum: 1, maximum: 1000, default: 90, description: "Longest rotation interval allowed, in days. Defaults to 90." },
    },
};

/** @severity medium */
export const secretsmanagerSecretRotation: StackValidationPolicy = {
    name: "secretsmanager-secret-rotation",
    description: "Checks whether every Secrets Manager secret of the stack rotates automatically, at least every configured number of days.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV2_AWS_57", "CKV_AWS_304"], "Ensure Secrets Manager secrets should have automatic rotation enabled; ensure secrets are rotated within 90 days."),
    tags: ["security", "secretsmanager"],
    remediationSteps: "Declare an aws.secretsmanager.SecretRotation for the secret with a rotation function and rotationRules.automaticallyAfterDays (or a schedule) within the maximum.",
    configSchema: rotationSchema,
    validateStack: (args, reportViolation) => {
        const { maximumDays } = policyConfig<{ maximumDays: number }>(args, rotationSchema);
        const rotations = ofType(args.resources, aws.secretsmanager.SecretRotation);
        for (const secret of ofType(args.resources, aws.secretsmanager.Secret)) {
            const rotation = rotations.find((r) => referencedBy(r, "secretId", prop(r, (p) => p.secretId as string | undefined), [secret]).length > 0);
            if (!rotation) {
                reportViolation(`${label(secret)} must rotate automatically: declare an aws.secretsmanager.SecretRotation for it.`, secret.urn);
                continue;
            }
            const days = prop(rotation, (p) => p.rotationRules?.automaticallyAfterDays as number | undefined);
            if (isKnown(days) && typeof days === "number" && days > maximumDays) {
                reportViolation(`${label(rotation)} rotates every ${days} days; it must rotate within ${maximumDays}.`, rotation.urn);
            }
        }
    },
};

export const secretsmanagerPolicies = [secretsmanagerSecretCmk, secretsmanagerSecretRotation];
