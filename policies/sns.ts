import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { parseDocument, publicAllowStatements, statementLabel } from "./lib/documents";
import { checkov } from "./lib/metadata";
import { isKnown, probe, show, isCustomerManagedKey } from "./lib/values";

/** @severity medium */
export const snsTopicCmk: ResourceValidationPolicy = {
    name: "sns-topic-cmk",
    description: "Checks whether SNS topics encrypt messages with a customer-managed KMS key.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV_AWS_26"], "Ensure all data stored in the SNS topic is encrypted."),
    tags: ["security", "encryption", "sns"],
    remediationSteps: "Set kmsMasterKeyId to a customer-managed key whose policy lets the publishing services (CloudWatch, EventBridge, Budgets) use it.",
    validateResource: validateResourceOfType(aws.sns.Topic, (topic, _args, reportViolation) => {
        const key = probe(() => topic.kmsMasterKeyId);
        if (isKnown(key) && !isCustomerManagedKey(key, "sns")) {
            reportViolation(`kmsMasterKeyId must name a customer-managed key; found ${show(key)}.`);
        }
    }),
};

/** @severity critical */
export const snsTopicPolicyNoPublicAccess: ResourceValidationPolicy = {
    name: "sns-topic-policy-no-public-access",
    description: "Checks whether SNS topic policies only allow named services or principals, never a wildcard principal without a condition that pins the caller.",
    enforcementLevel: "advisory",
    severity: "critical",
    framework: checkov(["CKV_AWS_169"], "Ensure SNS topic policy is not public by only allowing specific services or principals to access it."),
    tags: ["security", "sns"],
    remediationSteps: "Name the publishing services in Allow statements and pin them with an aws:SourceAccount or aws:SourceArn condition.",
    validateResource: [
        validateResourceOfType(aws.sns.TopicPolicy, (policy, _args, reportViolation) => {
            const parsed = probe(() => parseDocument(policy.policy));
            if (!isKnown(parsed) || !parsed) {
                return;
            }
            if ("invalid" in parsed) {
                reportViolation(`The topic policy must be a valid policy document; it is ${parsed.invalid}.`);
                return;
            }
            for (const s of publicAllowStatements(parsed.statements)) {
                reportViolation(`${statementLabel(s)} allows ${s.actions.join(", ")} to every principal; name the principals or add a condition that pins the caller.`);
            }
        }),
    ],
};

/** The AWS account IDs an IAM principal value names (`123456789012` or `arn:aws:iam::123456789012:...`). */
export function principalAccounts(principal: unknown): string[] {
    const aws = principal !== null && typeof principal === "object" ? (principal as Record<string, unknown>).AWS : undefined;
    const values = typeof aws === "string" ? [aws] : Array.isArray(aws) ? aws.filter((v): v is string => typeof v === "string") : [];
    return values.flatMap((v) => {
        const match = /^(?:arn:aws[a-z-]*:iam::)?(\d{12})(?::|$)/.exec(v);
        return match ? [match[1]] : [];
    });
}

/**
 * A topic policy that lets another account's principals publish or subscribe without a condition
 * hands the alarm channel to that account. Principals of the topic's own account are fine; any
 * other account needs a condition (Checkov flags every unconditioned account principal).
 *
 * @severity high
 */
export const snsTopicPolicyNoCrossAccount: ResourceValidationPolicy = {
    name: "sns-topic-policy-no-cross-account",
    description: "Checks whether SNS topic policies allow principals of another AWS account only under a condition.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_385"], "Ensure AWS SNS topic policies do not allow cross-account access."),
    tags: ["security", "sns"],
    remediationSteps: "Grant publishing to AWS services pinned by aws:SourceAccount, or to principals of the topic's own account; if another account must publish, add a condition (aws:PrincipalOrgID, aws:SourceArn).",
    validateResource: validateResourceOfType(aws.sns.TopicPolicy, (policy, _args, reportViolation) => {
        const text = probe(() => policy.policy);
        const topicArn = probe(() => policy.arn);
        if (!isKnown(text) || typeof text !== "string") {
            return;
        }
        let statements: Record<string, unknown>[];
        try {
            const parsed = JSON.parse(text) as { Statement?: unknown };
            statements = (Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement]).filter((x): x is Record<string, unknown> => x !== null && typeof x === "object");
        } catch (err) {
            reportViolation(`policy must be a JSON policy document; it does not parse (${(err as Error).message}).`);
            return;
        }
        const ownAccount = isKnown(topicArn) && typeof topicArn === "string" ? topicArn.split(":")[4] : undefined;
        statements.forEach((s, i) => {
            if (s.Effect !== "Allow" || (s.Condition !== undefined && s.Condition !== null && Object.keys(s.Condition as object).length > 0)) {
                return;
            }
            const foreign = principalAccounts(s.Principal).filter((account) => account !== ownAccount);
            if (foreign.length > 0) {
                reportViolation(`Statement ${typeof s.Sid === "string" ? `"${s.Sid}"` : i} allows account(s) ${foreign.join(", ")}${ownAccount ? ` (the topic is in ${ownAccount})` : ""} without a condition; add one that pins the caller or grant the topic's own account only.`);
            }
        });
    }),
};

export const snsPolicies = [snsTopicCmk, snsTopicPolicyNoPublicAccess, snsTopicPolicyNoCrossAccount];
