import * as aws from "@pulumi/aws";
import { ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { environmentOverrideProperty, environmentsProperty, policyConfig } from "./lib/config";
import { requireEnvironmentIn, resourceEnvironment } from "./lib/environment";
import { checkov } from "./lib/metadata";
import { label, ofType, prop, referencedBy } from "./lib/stack";
import { parseDocument, publicAllowStatements, statementLabel } from "./lib/documents";
import { asList, isKnown, isTrue, probe, show, isCustomerManagedKey } from "./lib/values";

type Report = (message: string) => void;

/** @severity high */
export const redshiftWarehouseEncryptionCmk: ResourceValidationPolicy = {
    name: "redshift-warehouse-encryption-cmk",
    description: "Checks whether Redshift clusters and Redshift Serverless namespaces encrypt data at rest with a customer-managed KMS key.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_64", "CKV_AWS_142", "CKV_AWS_282"], "Ensure all data stored in the Redshift cluster is securely encrypted at rest, with KMS; ensure the Redshift Serverless namespace is encrypted by KMS using a CMK."),
    tags: ["security", "encryption", "redshift"],
    remediationSteps: 'Clusters: set encrypted "true" and kmsKeyId to the warehouse key. Namespaces: set kmsKeyId to the warehouse key.',
    validateResource: [
        validateResourceOfType(aws.redshift.Cluster, (cluster, _args, reportViolation) => {
            if (!isTrue(cluster.encrypted)) {
                reportViolation(`encrypted must be true; found ${show(cluster.encrypted)}.`);
            }
            const key = probe(() => cluster.kmsKeyId);
            if (isKnown(key) && !key) {
                reportViolation("kmsKeyId must name a customer-managed key; none is set (AWS would use its own key).");
            }
        }),
        validateResourceOfType(aws.redshiftserverless.Namespace, (namespace, _args, reportViolation) => {
            const key = probe(() => namespace.kmsKeyId);
            if (isKnown(key) && !isCustomerManagedKey(key, "redshift")) {
                reportViolation(`kmsKeyId must name a customer-managed key; found ${show(key)}.`);
            }
        }),
    ],
};

/** @severity critical */
export const redshiftWarehouseNotPublic: ResourceValidationPolicy = {
    name: "redshift-warehouse-not-public",
    description: "Checks whether Redshift clusters and Redshift Serverless workgroups are not publicly accessible.",
    enforcementLevel: "advisory",
    severity: "critical",
    framework: checkov(["CKV_AWS_87", "CKV_AWS_391"], "Redshift cluster should not be publicly accessible; avoid a common master username together with public access."),
    tags: ["security", "network", "redshift"],
    remediationSteps: "Set publiclyAccessible to false; reach the warehouse from inside the VPC or through the Redshift Data API.",
    validateResource: [
        validateResourceOfType(aws.redshift.Cluster, (cluster, _args, reportViolation) => {
            if (cluster.publiclyAccessible === true) {
                reportViolation("publiclyAccessible must be false; found true.");
            }
        }),
        validateResourceOfType(aws.redshiftserverless.Workgroup, (workgroup, _args, reportViolation) => {
            if (workgroup.publiclyAccessible === true) {
                reportViolation("publiclyAccessible must be false; found true.");
            }
        }),
    ],
};

function requireSslIn(parameters: readonly { name?: string; value?: string }[], what: string, report: Report): void {
    const value = parameters.find((p) => p.name === "require_ssl")?.value;
    if (!isTrue(value)) {
        report(`${what} must set require_ssl to true; found ${show(value)}.`);
    }
}

/** @severity high */
export const redshiftParametersRequireSsl: ResourceValidationPolicy = {
    name: "redshift-parameters-require-ssl",
    description: "Checks whether Redshift parameter groups and Redshift Serverless workgroups require SSL for every connection.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_105"], "Ensure Redshift uses SSL."),
    tags: ["security", "encryption", "redshift"],
    remediationSteps: 'Add { name: "require_ssl", value: "true" } to the parameter group\'s parameters, or { parameterKey: "require_ssl", parameterValue: "true" } to the workgroup\'s configParameters.',
    validateResource: [
        validateResourceOfType(aws.redshift.ParameterGroup, (group, _args, reportViolation) => requireSslIn(asList(group.parameters), "The parameter group", reportViolation)),
        validateResourceOfType(aws.redshiftserverless.Workgroup, (workgroup, _args, reportViolation) =>
            requireSslIn(asList(workgroup.configParameters).map((p) => ({ name: p.parameterKey, value: p.parameterValue })), "The workgroup's configParameters", reportViolation),
        ),
    ],
};

/** @severity high */
export const redshiftClusterSslParameterGroup: StackValidationPolicy = {
    name: "redshift-cluster-ssl-parameter-group",
    description: "Checks whether every Redshift cluster uses a parameter group of this stack that requires SSL (the default parameter group does not).",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["security", "encryption", "redshift"],
    remediationSteps: "Declare an aws.redshift.ParameterGroup with require_ssl true and set the cluster's clusterParameterGroupName to its name.",
    validateStack: (args, reportViolation) => {
        const groups = ofType(args.resources, aws.redshift.ParameterGroup);
        for (const cluster of ofType(args.resources, aws.redshift.Cluster)) {
            const name = prop(cluster, (p) => p.clusterParameterGroupName as string | undefined);
            if (isKnown(name) && !name) {
                reportViolation(`${label(cluster)} uses the default parameter group, which does not require SSL; set clusterParameterGroupName to a group with require_ssl true.`, cluster.urn);
                continue;
            }
            const matches = referencedBy(cluster, "clusterParameterGroupName", name, groups);
            if (matches.length === 0) {
                if (isKnown(name)) {
                    reportViolation(`${label(cluster)} uses parameter group ${show(name)}, which must be declared in this stack with require_ssl true; it is not.`, cluster.urn);
                }
                continue;
            }
            const parameters = prop(matches[0], (p) => asList(p.parameters) as { name?: string; value?: string }[]);
            if (isKnown(parameters)) {
                requireSslIn(parameters, `${label(matches[0])}, the parameter group of ${label(cluster)},`, (message) => reportViolation(message, cluster.urn));
            }
        }
    },
};

/** @severity medium */
export const redshiftWarehouseEnhancedVpcRouting: ResourceValidationPolicy = {
    name: "redshift-warehouse-enhanced-vpc-routing",
    description: "Checks whether Redshift clusters and workgroups use enhanced VPC routing, so COPY and UNLOAD traffic stays on the VPC's routes and endpoints.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV_AWS_321"], "Ensure Redshift clusters use enhanced VPC routing."),
    tags: ["security", "network", "redshift"],
    remediationSteps: "Set enhancedVpcRouting to true (and give the VPC an S3 gateway endpoint).",
    validateResource: [
        validateResourceOfType(aws.redshift.Cluster, (cluster, _args, reportViolation) => {
            if (cluster.enhancedVpcRouting !== true) {
                reportViolation(`enhancedVpcRouting must be true; found ${show(cluster.enhancedVpcRouting)}.`);
            }
        }),
        validateResourceOfType(aws.redshiftserverless.Workgroup, (workgroup, _args, reportViolation) => {
            if (workgroup.enhancedVpcRouting !== true) {
                reportViolation(`enhancedVpcRouting must be true; found ${show(workgroup.enhancedVpcRouting)}.`);
            }
        }),
    ],
};

/** @severity high */
export const redshiftClusterInVpc: ResourceValidationPolicy = {
    name: "redshift-cluster-in-vpc",
    description: "Checks whether Redshift clusters are placed in the VPC through a subnet group.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_154"], "Ensure Redshift is not deployed outside of a VPC."),
    tags: ["security", "network", "redshift"],
    remediationSteps: "Declare an aws.redshift.SubnetGroup of the private subnets and set clusterSubnetGroupName.",
    validateResource: validateResourceOfType(aws.redshift.Cluster, (cluster, _args, reportViolation) => {
        const group = probe(() => cluster.clusterSubnetGroupName);
        if (isKnown(group) && !group) {
            reportViolation("clusterSubnetGroupName must place the cluster in the VPC's private subnets; none is set.");
        }
    }),
};

/** @severity low */
export const redshiftClusterVersionUpgrade: ResourceValidationPolicy = {
    name: "redshift-cluster-version-upgrade",
    description: "Checks whether Redshift clusters accept engine version upgrades in their maintenance window.",
    enforcementLevel: "advisory",
    severity: "low",
    framework: checkov(["CKV_AWS_141"], "Ensured that Redshift cluster allowing version upgrade by default."),
    tags: ["security", "redshift"],
    remediationSteps: "Set allowVersionUpgrade to true and a preferredMaintenanceWindow outside the load schedule.",
    validateResource: validateResourceOfType(aws.redshift.Cluster, (cluster, _args, reportViolation) => {
        if (cluster.allowVersionUpgrade === false) {
            reportViolation("allowVersionUpgrade must be true; found false.");
        }
    }),
};

const snapshotSchema = {
    properties: {
        minimumRetentionDays: { type: "integer" as const, minimum: 1, maximum: 35, default: 1, description: "Shortest automated snapshot retention allowed, in days. Defaults to 1." },
    },
};

/** @severity high */
export const redshiftClusterAutomatedSnapshots: ResourceValidationPolicy = {
    name: "redshift-cluster-automated-snapshots",
    description: "Checks whether Redshift clusters keep automated snapshots for at least the configured number of days.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_343"], "Ensure Amazon Redshift clusters should have automatic snapshots enabled."),
    tags: ["data-protection", "redshift"],
    remediationSteps: "Set automatedSnapshotRetentionPeriod (platform:warehouseSnapshotRetentionDays) to at least the configured minimum.",
    configSchema: snapshotSchema,
    validateResource: validateResourceOfType(aws.redshift.Cluster, (cluster, args, reportViolation) => {
        const { minimumRetentionDays } = policyConfig<{ minimumRetentionDays: number }>(args, snapshotSchema);
        const days = cluster.automatedSnapshotRetentionPeriod ?? 1;
        if (days < minimumRetentionDays) {
            reportViolation(`automatedSnapshotRetentionPeriod must be at least ${minimumRetentionDays} days; found ${days}${days === 0 ? " (automated snapshots off)" : ""}.`);
        }
    }),
};

const finalSnapshotSchema = {
    properties: {
        environments: environmentsProperty(["prod"], "deleting a cluster must leave a final snapshot"),
        environment: environmentOverrideProperty,
    },
};

/** @severity high */
export const redshiftClusterFinalSnapshot: ResourceValidationPolicy = {
    name: "redshift-cluster-final-snapshot",
    description: "Checks whether Redshift clusters in protected environments (prod) take a final snapshot when they are deleted or replaced.",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["data-protection", "redshift"],
    remediationSteps: "Set skipFinalSnapshot to false and finalSnapshotIdentifier (the platform derives both from platform:protectData).",
    configSchema: finalSnapshotSchema,
    validateResource: validateResourceOfType(aws.redshift.Cluster, (cluster, args, reportViolation) => {
        const config = policyConfig<{ environments: string[]; environment?: string }>(args, finalSnapshotSchema);
        const environment = requireEnvironmentIn(args, resourceEnvironment(args, config.environment), config.environments);
        if (cluster.skipFinalSnapshot !== false) {
            reportViolation(`skipFinalSnapshot must be false in ${environment}; found ${show(cluster.skipFinalSnapshot ?? "unset (provider default skips it)")}.`);
        }
        const identifier = probe(() => cluster.finalSnapshotIdentifier);
        if (isKnown(identifier) && !identifier) {
            reportViolation(`finalSnapshotIdentifier must be set in ${environment}; none is set.`);
        }
    }),
};

const usernameSchema = {
    properties: {
        forbiddenUsernames: {
            type: "array" as const,
            items: { type: "string" as const, minLength: 1 },
            default: ["awsuser", "admin", "administrator", "root", "master", "rdsadmin", "redshift", "user", "sa"],
            description: "Admin user names refused because they are defaults or the first names an attacker tries. Defaults to awsuser, admin, administrator, root, master, rdsadmin, redshift, user, sa.",
        },
    },
};

function checkUsername(name: string | undefined, what: string, args: ResourceValidationArgs, report: Report): void {
    const { forbiddenUsernames } = policyConfig<{ forbiddenUsernames: string[] }>(args, usernameSchema);
    if (!name) {
        report(`${what} must be set to a non-default name; none is set.`);
    } else if (forbiddenUsernames.includes(name.toLowerCase())) {
        report(`${what} must not be a default or common name (${forbiddenUsernames.join(", ")}); found ${show(name)}.`);
    }
}

/** @severity medium */
export const redshiftWarehouseAdminUsername: ResourceValidationPolicy = {
    name: "redshift-warehouse-admin-username",
    description: "Checks whether Redshift clusters and namespaces use a non-default admin user name.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV_AWS_391"], "Avoid AWS Redshift cluster with commonly used master username and public access setting enabled."),
    tags: ["security", "redshift"],
    remediationSteps: "Set masterUsername (clusters) or adminUsername (namespaces) from platform:warehouseAdminUser to a name that is not a default.",
    configSchema: usernameSchema,
    validateResource: [
        validateResourceOfType(aws.redshift.Cluster, (cluster, args, report) => checkUsername(cluster.masterUsername, "masterUsername", args, report)),
        validateResourceOfType(aws.redshiftserverless.Namespace, (namespace, args, report) => checkUsername(namespace.adminUsername, "adminUsername", args, report)),
    ],
};

/** @severity low */
export const redshiftWarehouseDatabaseName: ResourceValidationPolicy = {
    name: "redshift-warehouse-database-name",
    description: 'Checks whether Redshift clusters and namespaces name their database instead of using the default "dev".',
    enforcementLevel: "advisory",
    severity: "low",
    framework: checkov(["CKV_AWS_320"], "Ensure Redshift clusters do not use the default database name."),
    tags: ["security", "redshift"],
    remediationSteps: "Set databaseName (clusters) or dbName (namespaces) from platform:warehouseDatabase.",
    validateResource: [
        validateResourceOfType(aws.redshift.Cluster, (cluster, _args, report) => {
            if (!cluster.databaseName || cluster.databaseName === "dev") {
                report(`databaseName must be set to a name other than "dev"; found ${show(cluster.databaseName ?? "dev (the default)")}.`);
            }
        }),
        validateResourceOfType(aws.redshiftserverless.Namespace, (namespace, _args, report) => {
            if (!namespace.dbName || namespace.dbName === "dev") {
                report(`dbName must be set to a name other than "dev"; found ${show(namespace.dbName ?? "dev (the default)")}.`);
            }
        }),
    ],
};

/** @severity high */
export const redshiftWarehouseManagedPassword: ResourceValidationPolicy = {
    name: "redshift-warehouse-managed-password",
    description: "Checks whether Redshift admin passwords are generated and rotated by Redshift in Secrets Manager rather than set by the program.",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["security", "redshift"],
    remediationSteps: "Set manageMasterPassword (clusters) or manageAdminPassword (namespaces) to true with the warehouse key, and remove any password input.",
    validateResource: [
        validateResourceOfType(aws.redshift.Cluster, (cluster, _args, report) => {
            if (cluster.manageMasterPassword !== true) {
                report(`manageMasterPassword must be true; found ${show(cluster.manageMasterPassword)}.`);
            }
            if (cluster.masterPassword !== undefined || cluster.masterPasswordWo !== undefined) {
                report("masterPassword must not be set; let Redshift manage the password in Secrets Manager.");
            }
        }),
        validateResourceOfType(aws.redshiftserverless.Namespace, (namespace, _args, report) => {
            if (namespace.manageAdminPassword !== true) {
                report(`manageAdminPassword must be true; found ${show(namespace.manageAdminPassword)}.`);
            }
            if (namespace.adminUserPassword !== undefined || namespace.adminUserPasswordWo !== undefined) {
                report("adminUserPassword must not be set; let Redshift manage the password in Secrets Manager.");
            }
        }),
    ],
};

/** @severity medium */
export const redshiftServerlessWorkgroupUsageLimit: StackValidationPolicy = {
    name: "redshift-serverless-workgroup-usage-limit",
    description: "Checks whether every Redshift Serverless workgroup has a compute usage limit, so a runaway query cannot spend without bound.",
    enforcementLevel: "advisory",
    severity: "medium",
    tags: ["cost", "redshift"],
    remediationSteps: 'Declare an aws.redshiftserverless.UsageLimit { resourceArn: workgroup.arn, usageType: "serverless-compute", amount (RPU-hours), period, breachAction }.',
    validateStack: (args, reportViolation) => {
        const limits = ofType(args.resources, aws.redshiftserverless.UsageLimit).filter((l) => {
            const usage = prop(l, (p) => p.usageType as string | undefined);
            return !isKnown(usage) || usage === "serverless-compute";
        });
        for (const workgroup of ofType(args.resources, aws.redshiftserverless.Workgroup)) {
            const found = limits.some((l) => referencedBy(l, "resourceArn", prop(l, (p) => p.resourceArn as string | undefined), [workgroup]).length > 0);
            if (!found) {
                reportViolation(`${label(workgroup)} must have a serverless-compute usage limit (an aws.redshiftserverless.UsageLimit on its ARN); none is declared.`, workgroup.urn);
            }
        }
    },
};

const auditSchema = {
    properties: {
        requiredLogs: {
            type: "array" as const,
            items: { type: "string" as const, enum: ["connectionlog", "userlog", "useractivitylog"] },
            default: ["connectionlog", "userlog", "useractivitylog"],
            description: "Audit logs every warehouse must export. Defaults to all three.",
        },
    },
};

function missingLogs(exports: unknown, required: readonly string[]): string[] {
    const exported = asList(exports as string[]);
    return required.filter((r) => !exported.includes(r));
}

/** @severity medium */
export const redshiftWarehouseAuditLogging: StackValidationPolicy = {
    name: "redshift-warehouse-audit-logging",
    description: "Checks whether every Redshift cluster (through aws.redshift.Logging) and namespace exports its connection, user and user-activity audit logs.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV_AWS_71"], "Ensure Redshift Cluster logging is enabled."),
    tags: ["audit", "redshift"],
    remediationSteps: 'Clusters: declare an aws.redshift.Logging { clusterIdentifier, logDestinationType: "cloudwatch", logExports }. Namespaces: set logExports. Turn on enable_user_activity_logging for the activity log.',
    configSchema: auditSchema,
    validateStack: (args, reportViolation) => {
        const { requiredLogs } = policyConfig<{ requiredLogs: string[] }>(args, auditSchema);
        const loggings = ofType(args.resources, aws.redshift.Logging);
        for (const cluster of ofType(args.resources, aws.redshift.Cluster)) {
            const logging = loggings.find((l) => referencedBy(l, "clusterIdentifier", prop(l, (p) => p.clusterIdentifier as string | undefined), [cluster]).length > 0);
            if (!logging) {
                reportViolation(`${label(cluster)} must export audit logs: declare an aws.redshift.Logging for it.`, cluster.urn);
                continue;
            }
            const destination = prop(logging, (p) => p.logDestinationType as string | undefined);
            const exports = prop(logging, (p) => p.logExports as unknown);
            if (isKnown(destination) && destination === "cloudwatch" && isKnown(exports)) {
                const missing = missingLogs(exports, requiredLogs);
                if (missing.length > 0) {
                    reportViolation(`${label(logging)} must export ${missing.join(", ")}.`, logging.urn);
                }
            }
        }
        for (const namespace of ofType(args.resources, aws.redshiftserverless.Namespace)) {
            const exports = prop(namespace, (p) => p.logExports as unknown);
            if (isKnown(exports)) {
                const missing = missingLogs(exports, requiredLogs);
                if (missing.length > 0) {
                    reportViolation(`${label(namespace)} must export ${missing.join(", ")} in logExports.`, namespace.urn);
                }
            }
        }
    },
};

/** @severity high */
export const redshiftResourcePolicySourceScoped: ResourceValidationPolicy = {
    name: "redshift-resource-policy-source-scoped",
    description:
        "Checks whether Redshift resource policies (the namespace's authorization of zero-ETL integrations) allow nobody publicly and scope every statement of a service principal to one source with aws:SourceArn.",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["security", "iam", "redshift"],
    remediationSteps:
        'Give the redshift.amazonaws.com statement (redshift:AuthorizeInboundIntegration) a Condition {"StringEquals": {"aws:SourceArn": "<Aurora cluster ARN>"}}, and name the account (or a role) as the principal of redshift:CreateInboundIntegration.',
    validateResource: validateResourceOfType(aws.redshift.ResourcePolicy, (resourcePolicy, _args, reportViolation) => {
        const parsed = probe(() => parseDocument(resourcePolicy.policy));
        if (!isKnown(parsed) || parsed === undefined) {
            return;
        }
        if ("invalid" in parsed) {
            reportViolation(`policy must be a JSON policy document; found ${parsed.invalid}.`);
            return;
        }
        for (const statement of publicAllowStatements(parsed.statements)) {
            reportViolation(`${statementLabel(statement)} must not allow everyone (Principal "*" without a condition naming the source).`);
        }
        for (const statement of parsed.statements) {
            const services = statement.principal === "*" || statement.principal === undefined ? [] : (statement.principal.Service ?? []);
            if (statement.effect !== "Allow" || services.length === 0) {
                continue;
            }
            const sources = sourceArnValues(statement.condition);
            if (sources.length === 0 || sources.some((arn) => arn === "*" || /:\*?$/.test(arn))) {
                reportViolation(`${statementLabel(statement)} of ${services.join(", ")} must be scoped to one source with an aws:SourceArn condition; found ${sources.length === 0 ? "none" : show(sources)}.`);
            }
        }
    }),
};

/** The ARNs an aws:SourceArn condition (StringEquals, ArnEquals, ArnLike, StringLike) admits. */
function sourceArnValues(condition: Record<string, Record<string, unknown>> | undefined): string[] {
    return Object.entries(condition ?? {})
        .filter(([operator]) => /^(StringEquals|StringLike|ArnEquals|ArnLike)$/.test(operator))
        .flatMap(([, keys]) => Object.entries(keys).filter(([key]) => key.toLowerCase() === "aws:sourcearn"))
        .flatMap(([, values]) => asList(values as string | string[]).map(String));
}

export const redshiftPolicies = [
    redshiftWarehouseEncryptionCmk,
    redshiftWarehouseNotPublic,
    redshiftParametersRequireSsl,
    redshiftClusterSslParameterGroup,
    redshiftWarehouseEnhancedVpcRouting,
    redshiftClusterInVpc,
    redshiftClusterVersionUpgrade,
    redshiftClusterAutomatedSnapshots,
    redshiftClusterFinalSnapshot,
    redshiftWarehouseAdminUsername,
    redshiftWarehouseDatabaseName,
    redshiftWarehouseManagedPassword,
    redshiftServerlessWorkgroupUsageLimit,
    redshiftWarehouseAuditLogging,
    redshiftResourcePolicySourceScoped,
];
