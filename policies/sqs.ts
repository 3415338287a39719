import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { policyConfig } from "./lib/config";
import { parseDocument, publicAllowStatements, Statement, statementLabel } from "./lib/documents";
import { checkov } from "./lib/metadata";
import { isKnown, probe, show, isCustomerManagedKey } from "./lib/values";

/** @severity high */
export const sqsQueueEncryption: ResourceValidationPolicy = {
    name: "sqs-queue-encryption",
    description: "Checks whether SQS queues encrypt messages at rest.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_27"], "Ensure all data stored in the SQS queue is encrypted."),
    tags: ["security", "encryption", "sqs"],
    remediationSteps: "Set kmsMasterKeyId to a customer-managed key (preferred) or sqsManagedSseEnabled to true.",
    validateResource: validateResourceOfType(aws.sqs.Queue, (queue, _args, reportViolation) => {
        const key = probe(() => queue.kmsMasterKeyId);
        if (isKnown(key) && !key && queue.sqsManagedSseEnabled === false) {
            reportViolation("The queue must be encrypted: set kmsMasterKeyId (or leave sqsManagedSseEnabled on); sqsManagedSseEnabled is false and no key is set.");
        }
    }),
};

/** @severity medium */
export const sqsQueueCmk: ResourceValidationPolicy = {
    name: "sqs-queue-cmk",
    description: "Checks whether SQS queues are encrypted with a customer-managed KMS key rather than SQS-managed or AWS-managed keys.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV2_AWS_73"], "Ensure AWS SQS uses CMK not AWS default keys for encryption."),
    tags: ["security", "encryption", "sqs"],
    remediationSteps: "Set kmsMasterKeyId to the ARN of a customer-managed key (not alias/aws/sqs) and let producers and consumers use it.",
    validateResource: validateResourceOfType(aws.sqs.Queue, (queue, _args, reportViolation) => {
        const key = probe(() => queue.kmsMasterKeyId);
        if (isKnown(key) && !isCustomerManagedKey(key, "sqs")) {
            reportViolation(`kmsMasterKeyId must name a customer-managed key; found ${show(key)}.`);
        }
    }),
};

function queuePolicyValidations(check: (statements: Statement[], report: (message: string) => void) => void) {
    const run = (read: () => unknown, report: (message: string) => void) => {
        const parsed = probe(() => parseDocument(read()));
        if (!isKnown(parsed) || !parsed) {
            return;
        }
        if ("invalid" in parsed) {
            report(`The queue policy must be a valid policy document; it is ${parsed.invalid}.`);
            return;
        }
        check(parsed.statements, report);
    };
    return [validateResourceOfType(aws.sqs.QueuePolicy, (p, _args, report) => run(() => p.policy, report)), validateResourceOfType(aws.sqs.Queue, (q, _args, report) => run(() => q.policy, report))];
}

/** @severity high */
export const sqsQueuePolicyNoWildcardAction: ResourceValidationPolicy = {
    name: "sqs-queue-policy-no-wildcard-action",
    description: 'Checks whether SQS queue policies avoid allowing every action ("*" or "sqs:*").',
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_72"], "Ensure SQS policy does not allow ALL (*) actions."),
    tags: ["security", "sqs"],
    remediationSteps: "List the actions each principal needs (e.g. sqs:SendMessage for a producer).",
    validateResource: queuePolicyValidations((statements, report) => {
        for (const s of statements) {
            if (s.effect === "Allow" && (s.notActions !== undefined || s.actions.some((a) => a === "*" || a.toLowerCase() === "sqs:*"))) {
                report(`${statementLabel(s)} allows every SQS action; list the actions the principal needs.`);
            }
        }
    }),
};

/** @severity critical */
export const sqsQueuePolicyNoPublicAccess: ResourceValidationPolicy = {
    name: "sqs-queue-policy-no-public-access",
    description: "Checks whether SQS queue policies only allow named services or principals, never a wildcard principal without a condition that pins the caller.",
    enforcementLevel: "advisory",
    severity: "critical",
    framework: checkov(["CKV_AWS_168", "CKV_AWS_387"], "Ensure SQS queue policy is not public by only allowing specific services or principals to access it; ensure SQS policy does not allow public access through wildcards."),
    tags: ["security", "sqs"],
    remediationSteps: "Name the principal (service or role) in Allow statements, or add an aws:SourceArn / aws:SourceAccount condition.",
    validateResource: queuePolicyValidations((statements, report) => {
        for (const s of publicAllowStatements(statements)) {
            report(`${statementLabel(s)} allows ${s.actions.join(", ")} to every principal; name the principals or add a condition that pins the caller.`);
        }
    }),
};

const retentionSchema = {
    properties: {
        minimumSeconds: {
            type: "integer" as const,
            minimum: 60,
            maximum: 1209600,
            default: 1209600,
            description: "Shortest message retention allowed, in seconds. Failed-batch queues hold the only record of what to replay, so the default is SQS's maximum, 14 days (1209600).",
        },
    },
};

/** @severity medium */
export const sqsQueueRetention: ResourceValidationPolicy = {
    name: "sqs-queue-retention",
    description: "Checks whether SQS queues keep messages at least the minimum retention, so failed batches sent to them survive until someone replays them.",
    enforcementLevel: "advisory",
    severity: "medium",
    tags: ["reliability", "sqs"],
    remediationSteps: "Set messageRetentionSeconds to at least the configured minimum (14 days by default).",
    configSchema: retentionSchema,
    validateResource: validateResourceOfType(aws.sqs.Queue, (queue, args, reportViolation) => {
        const { minimumSeconds } = policyConfig<{ minimumSeconds: number }>(args, retentionSchema);
        const retention = queue.messageRetentionSeconds ?? 345600;
        if (retention < minimumSeconds) {
            reportViolation(`messageRetentionSeconds must be at least ${minimumSeconds}; found ${retention}${queue.messageRetentionSeconds === undefined ? " (the SQS default)" : ""}.`);
        }
    }),
};

export const sqsPolicies = [sqsQueueEncryption, sqsQueueCmk, sqsQueuePolicyNoWildcardAction, sqsQueuePolicyNoPublicAccess, sqsQueueRetention];
