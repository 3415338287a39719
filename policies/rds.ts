import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isCustomerManagedKey, isKnown, probe, show } from "./lib/values";

/**
 * RDS resources the platform declares: the Aurora-to-Redshift zero-ETL integration
 * (`dbSourceZeroEtl`). The platform owns no RDS database; the source cluster is the application's.
 */

/** @severity high */
export const rdsIntegrationCmk: ResourceValidationPolicy = {
    name: "rds-integration-cmk",
    description: "Checks whether zero-ETL integrations encrypt the replicated data with a customer-managed KMS key (not the AWS-owned key RDS uses when kmsKeyId is unset).",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["security", "encryption", "rds", "redshift"],
    remediationSteps: "Set kmsKeyId to the warehouse key and additionalEncryptionContext to the integration's context; the key policy must let redshift.amazonaws.com create grants under that context.",
    validateResource: validateResourceOfType(aws.rds.Integration, (integration, _args, reportViolation) => {
        const key = probe(() => integration.kmsKeyId);
        if (isKnown(key) && !isCustomerManagedKey(key, "rds")) {
            reportViolation(`kmsKeyId must name a customer-managed key; found ${show(key)}.`);
        }
    }),
};

export const rdsPolicies = [rdsIntegrationCmk];
