import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { parseDocument, publicAllowStatements, statementLabel } from "./lib/documents";
import { isKnown, probe, show, isCustomerManagedKey } from "./lib/values";

/** @severity medium */
export const snsTopicCmk: ResourceValidationPolicy = {
    name: "sns-topic-cmk",
    description: "Checks whether SNS topics encrypt messages with a customer-managed KMS key.",
    enforcementLevel: "advisory",
    severity: "medium",
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

export const snsPolicies = [snsTopicCmk, snsTopicPolicyNoPublicAccess];
