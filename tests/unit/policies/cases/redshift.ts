import * as aws from "@pulumi/aws";
import * as rds from "../../../../policies/rds";
import * as redshift from "../../../../policies/redshift";
import { devProvider, fixture, PropsOf } from "../helpers";
import { fails, notApplicable, passes, PolicyCase } from "./types";

const keyArn = "arn:aws:kms:us-east-1:123456789012:key/mrk-warehouse";
type ClusterProps = PropsOf<aws.redshift.ClusterArgs>;

const clusterProps = (props: Partial<ClusterProps> = {}): ClusterProps => ({
    clusterIdentifier: "platform-prod",
    nodeType: "ra3.xlplus",
    numberOfNodes: 2,
    databaseName: "analytics",
    masterUsername: "platform_admin",
    manageMasterPassword: true,
    encrypted: "true",
    kmsKeyId: keyArn,
    publiclyAccessible: false,
    enhancedVpcRouting: true,
    clusterSubnetGroupName: "platform-prod",
    clusterParameterGroupName: "platform-prod",
    automatedSnapshotRetentionPeriod: 35,
    skipFinalSnapshot: false,
    finalSnapshotIdentifier: "platform-prod-final",
    allowVersionUpgrade: true,
    ...props,
});
const cluster = (props: Partial<ClusterProps> = {}, provider = undefined as undefined | typeof devProvider) =>
    fixture(aws.redshift.Cluster, "warehouse-cluster", clusterProps(props), { outputs: { id: "platform-prod", arn: "arn:aws:redshift:us-east-1:123456789012:cluster:platform-prod" }, ...(provider ? { provider } : {}) });

const namespace = (props: Partial<PropsOf<aws.redshiftserverless.NamespaceArgs>> = {}) =>
    fixture(aws.redshiftserverless.Namespace, "warehouse-namespace", {
        namespaceName: "platform-dev",
        dbName: "analytics",
        adminUsername: "platform_admin",
        manageAdminPassword: true,
        kmsKeyId: keyArn,
        logExports: ["connectionlog", "userlog", "useractivitylog"],
        ...props,
    });
const workgroupArn = "arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/platform-dev";
const workgroup = (props: Partial<PropsOf<aws.redshiftserverless.WorkgroupArgs>> = {}) =>
    fixture(
        aws.redshiftserverless.Workgroup,
        "warehouse-workgroup",
        { workgroupName: "platform-dev", namespaceName: "platform-dev", publiclyAccessible: false, enhancedVpcRouting: true, configParameters: [{ parameterKey: "require_ssl", parameterValue: "true" }], ...props },
        { outputs: { arn: workgroupArn } },
    );
const usageLimit = fixture(aws.redshiftserverless.UsageLimit, "warehouse-daily-rpu", { resourceArn: workgroupArn, usageType: "serverless-compute", amount: 16, period: "daily", breachAction: "deactivate" });
const parameterGroup = (requireSsl: string) =>
    fixture(aws.redshift.ParameterGroup, "warehouse-params", { name: "platform-prod", family: "redshift-1.0", parameters: [{ name: "require_ssl", value: requireSsl }] });
const logging = (logExports = ["connectionlog", "userlog", "useractivitylog"]) =>
    fixture(aws.redshift.Logging, "warehouse-audit", { clusterIdentifier: "platform-prod", logDestinationType: "cloudwatch", logExports });

const namespaceArn = "arn:aws:redshift:us-east-1:123456789012:namespace:9a1b2c3d-0000-1111-2222-333344445555";
const auroraArn = "arn:aws:rds:us-east-1:123456789012:cluster:shop";
const authorize = (condition?: Record<string, unknown>, principal: unknown = { Service: "redshift.amazonaws.com" }) => ({
    Sid: "RedshiftAuthorizesTheAuroraCluster",
    Effect: "Allow",
    Principal: principal,
    Action: "redshift:AuthorizeInboundIntegration",
    Resource: namespaceArn,
    ...(condition ? { Condition: condition } : {}),
});
const create = { Sid: "AccountCreatesInboundIntegrations", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "redshift:CreateInboundIntegration", Resource: namespaceArn };
const resourcePolicy = (...statements: unknown[]) =>
    fixture(aws.redshift.ResourcePolicy, "warehouse-zero-etl-policy", { resourceArn: namespaceArn, policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) });
const integration = (props: Partial<PropsOf<aws.rds.IntegrationArgs>> = {}) =>
    fixture(aws.rds.Integration, "warehouse-zero-etl", { integrationName: "platform-prod-zero-etl", sourceArn: auroraArn, targetArn: namespaceArn, kmsKeyId: keyArn, additionalEncryptionContext: { "platform:integration": "platform-prod-zero-etl" }, ...props });

export const redshiftCases: PolicyCase[] = [
    passes(redshift.redshiftResourcePolicySourceScoped, "Redshift authorized for one Aurora cluster, the account creating", resourcePolicy(authorize({ StringEquals: { "aws:SourceArn": auroraArn } }), create)),
    passes(redshift.redshiftResourcePolicySourceScoped, "an ArnEquals source condition", resourcePolicy(authorize({ ArnEquals: { "aws:SourceArn": auroraArn } }))),
    fails(redshift.redshiftResourcePolicySourceScoped, "Redshift authorized for any source", resourcePolicy(authorize(), create), /statement "RedshiftAuthorizesTheAuroraCluster" of redshift.amazonaws.com must be scoped to one source with an aws:SourceArn condition; found none/),
    fails(redshift.redshiftResourcePolicySourceScoped, "a wildcard source", resourcePolicy(authorize({ ArnLike: { "aws:SourceArn": "arn:aws:rds:us-east-1:123456789012:cluster:*" } })), /found \["arn:aws:rds:us-east-1:123456789012:cluster:\*"\]/),
    fails(redshift.redshiftResourcePolicySourceScoped, "everyone may create integrations", resourcePolicy(authorize({ StringEquals: { "aws:SourceArn": auroraArn } }), { ...create, Principal: "*" }), /statement "AccountCreatesInboundIntegrations" must not allow everyone/),

    passes(rds.rdsIntegrationCmk, "an integration encrypted with the warehouse key", integration()),
    fails(rds.rdsIntegrationCmk, "an integration on the AWS-owned key", integration({ kmsKeyId: undefined, additionalEncryptionContext: undefined }), /kmsKeyId must name a customer-managed key; found nothing/),
    fails(rds.rdsIntegrationCmk, "an integration on the AWS-managed RDS key", integration({ kmsKeyId: "alias/aws/rds" }), /kmsKeyId must name a customer-managed key; found "alias\/aws\/rds"/),

    passes(redshift.redshiftWarehouseEncryptionCmk, "a cluster with the warehouse key", cluster()),
    passes(redshift.redshiftWarehouseEncryptionCmk, "a namespace with the warehouse key", namespace()),
    fails(redshift.redshiftWarehouseEncryptionCmk, "an unencrypted cluster", cluster({ encrypted: "false", kmsKeyId: undefined }), /encrypted must be true/),
    fails(redshift.redshiftWarehouseEncryptionCmk, "a namespace on the AWS-owned key", namespace({ kmsKeyId: undefined }), /kmsKeyId must name a customer-managed key/),

    passes(redshift.redshiftWarehouseNotPublic, "a private cluster", cluster()),
    fails(redshift.redshiftWarehouseNotPublic, "a public cluster", cluster({ publiclyAccessible: true }), /publiclyAccessible must be false/),
    fails(redshift.redshiftWarehouseNotPublic, "a public workgroup", workgroup({ publiclyAccessible: true }), /publiclyAccessible must be false/),

    passes(redshift.redshiftParametersRequireSsl, "a parameter group requiring SSL", parameterGroup("true")),
    passes(redshift.redshiftParametersRequireSsl, "a workgroup requiring SSL", workgroup()),
    fails(redshift.redshiftParametersRequireSsl, "a parameter group without SSL", parameterGroup("false"), /must set require_ssl to true; found "false"/),
    fails(redshift.redshiftParametersRequireSsl, "a workgroup without config parameters", workgroup({ configParameters: undefined }), /configParameters must set require_ssl/),

    passes(redshift.redshiftClusterSslParameterGroup, "the stack's SSL parameter group", [cluster(), parameterGroup("true")]),
    fails(redshift.redshiftClusterSslParameterGroup, "the default parameter group", [cluster({ clusterParameterGroupName: undefined })], /uses the default parameter group/),
    fails(redshift.redshiftClusterSslParameterGroup, "a stack group without SSL", [cluster(), parameterGroup("false")], /must set require_ssl to true/),

    passes(redshift.redshiftWarehouseEnhancedVpcRouting, "a cluster with enhanced routing", cluster()),
    fails(redshift.redshiftWarehouseEnhancedVpcRouting, "a workgroup without it", workgroup({ enhancedVpcRouting: false }), /enhancedVpcRouting must be true/),

    passes(redshift.redshiftClusterInVpc, "a subnet group", cluster()),
    fails(redshift.redshiftClusterInVpc, "no subnet group", cluster({ clusterSubnetGroupName: undefined }), /clusterSubnetGroupName must place the cluster/),

    passes(redshift.redshiftClusterVersionUpgrade, "upgrades allowed", cluster()),
    fails(redshift.redshiftClusterVersionUpgrade, "upgrades refused", cluster({ allowVersionUpgrade: false }), /allowVersionUpgrade must be true/),

    passes(redshift.redshiftClusterAutomatedSnapshots, "35 days", cluster()),
    fails(redshift.redshiftClusterAutomatedSnapshots, "snapshots off", cluster({ automatedSnapshotRetentionPeriod: 0 }), /automated snapshots off/),
    fails(redshift.redshiftClusterAutomatedSnapshots, "1 day against prod's minimum of 7", cluster({ automatedSnapshotRetentionPeriod: 1 }), /at least 7 days; found 1/, { minimumRetentionDays: 7 }),

    passes(redshift.redshiftClusterFinalSnapshot, "a final snapshot in prod", cluster()),
    notApplicable(redshift.redshiftClusterFinalSnapshot, "no final snapshot in dev", cluster({ skipFinalSnapshot: true, finalSnapshotIdentifier: undefined }, devProvider)),
    fails(redshift.redshiftClusterFinalSnapshot, "no final snapshot in prod", cluster({ skipFinalSnapshot: true, finalSnapshotIdentifier: undefined }), /skipFinalSnapshot must be false in prod/),

    passes(redshift.redshiftWarehouseAdminUsername, "platform_admin", namespace()),
    fails(redshift.redshiftWarehouseAdminUsername, "awsuser", cluster({ masterUsername: "awsuser" }), /must not be a default or common name.*found "awsuser"/),
    fails(redshift.redshiftWarehouseAdminUsername, "admin on a namespace", namespace({ adminUsername: "Admin" }), /found "Admin"/),

    passes(redshift.redshiftWarehouseDatabaseName, "analytics", cluster()),
    fails(redshift.redshiftWarehouseDatabaseName, "the default dev database", namespace({ dbName: undefined }), /dbName must be set to a name other than "dev"/),

    passes(redshift.redshiftWarehouseManagedPassword, "Redshift manages the password", cluster()),
    fails(redshift.redshiftWarehouseManagedPassword, "a password in the program", cluster({ manageMasterPassword: undefined, masterPassword: "Hunter2hunter2" }), /masterPassword must not be set/),
    fails(redshift.redshiftWarehouseManagedPassword, "a namespace without managed password", namespace({ manageAdminPassword: false }), /manageAdminPassword must be true/),

    passes(redshift.redshiftServerlessWorkgroupUsageLimit, "a daily RPU-hour limit", [workgroup(), usageLimit]),
    fails(redshift.redshiftServerlessWorkgroupUsageLimit, "no limit", [workgroup()], /must have a serverless-compute usage limit/),

    passes(redshift.redshiftWarehouseAuditLogging, "a cluster exporting all audit logs", [cluster(), logging()]),
    passes(redshift.redshiftWarehouseAuditLogging, "a namespace exporting all audit logs", [namespace()]),
    fails(redshift.redshiftWarehouseAuditLogging, "a cluster without logging", [cluster()], /must export audit logs/),
    fails(redshift.redshiftWarehouseAuditLogging, "a namespace missing the activity log", [namespace({ logExports: ["connectionlog", "userlog"] })], /must export useractivitylog/),
];
