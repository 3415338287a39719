import { PolicyComplianceFramework } from "@pulumi/policy";

/**
 * The Checkov checks a policy implements, as the policy's compliance framework metadata (shown
 * by the Pulumi CLI and Pulumi Cloud next to a violation). IDs and wording come from Checkov's
 * AWS Terraform checks (bridgecrewio/checkov, `checkov/terraform/checks/`); Pulumi's bridged AWS
 * types map one to one to the Terraform types those checks match.
 */
export function checkov(ids: readonly string[], specification: string): PolicyComplianceFramework {
    return { name: "Checkov", version: "3", reference: ids.join(", "), specification };
}

/** The Checkov IDs recorded on a policy's framework metadata. */
export function checkovIds(framework: PolicyComplianceFramework | undefined): string[] {
    if (!framework || framework.name !== "Checkov") {
        return [];
    }
    return framework.reference.split(",").map((id) => id.trim()).filter(Boolean);
}
