import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { checkov } from "./lib/metadata";
import { asList, isKnown, probe, show } from "./lib/values";

/** @severity medium */
export const ecrRepositoryImmutableTags: ResourceValidationPolicy = {
    name: "ecr-repository-immutable-tags",
    description: "Checks whether ECR repositories make image tags immutable, so a job definition's image cannot be swapped under it.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV_AWS_51"], "Ensure ECR Image Tags are immutable."),
    tags: ["security", "ecr"],
    remediationSteps: "Set imageTagMutability to IMMUTABLE and reference images by digest or unique tag.",
    validateResource: validateResourceOfType(aws.ecr.Repository, (repository, _args, reportViolation) => {
        if (repository.imageTagMutability !== "IMMUTABLE" && repository.imageTagMutability !== "IMMUTABLE_WITH_EXCLUSION") {
            reportViolation(`imageTagMutability must be IMMUTABLE; found ${show(repository.imageTagMutability ?? "MUTABLE")}.`);
        }
    }),
};

/** @severity medium */
export const ecrRepositoryScanOnPush: ResourceValidationPolicy = {
    name: "ecr-repository-scan-on-push",
    description: "Checks whether ECR repositories scan images for vulnerabilities when they are pushed.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV_AWS_163"], "Ensure ECR image scanning on push is enabled."),
    tags: ["security", "ecr"],
    remediationSteps: "Set imageScanningConfiguration: { scanOnPush: true } (or use registry-level enhanced scanning).",
    validateResource: validateResourceOfType(aws.ecr.Repository, (repository, _args, reportViolation) => {
        if (repository.imageScanningConfiguration?.scanOnPush !== true) {
            reportViolation(`imageScanningConfiguration.scanOnPush must be true; found ${show(repository.imageScanningConfiguration?.scanOnPush)}.`);
        }
    }),
};

/** @severity medium */
export const ecrRepositoryCmk: ResourceValidationPolicy = {
    name: "ecr-repository-cmk",
    description: "Checks whether ECR repositories encrypt images with a customer-managed KMS key.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV_AWS_136"], "Ensure that ECR repositories are encrypted using KMS."),
    tags: ["security", "encryption", "ecr"],
    remediationSteps: 'Set encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: <customer-managed key ARN> }].',
    validateResource: validateResourceOfType(aws.ecr.Repository, (repository, _args, reportViolation) => {
        const config = asList(repository.encryptionConfigurations)[0];
        const key = probe(() => config?.kmsKey);
        if (config?.encryptionType !== "KMS" && config?.encryptionType !== "KMS_DSSE") {
            reportViolation(`encryptionConfigurations[0].encryptionType must be KMS with a customer-managed key; found ${show(config?.encryptionType ?? "AES256")}.`);
        } else if (isKnown(key) && !key) {
            reportViolation("encryptionConfigurations[0].kmsKey must name a customer-managed key; none is set (AWS would use its own key).");
        }
    }),
};

export const ecrPolicies = [ecrRepositoryImmutableTags, ecrRepositoryScanOnPush, ecrRepositoryCmk];
