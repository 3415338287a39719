import * as assert from "assert";
import { WarehouseConfig } from "../../../../infra/config";
import { PlatformContext } from "../../../../infra/shared/context";
import { Warehouse } from "../../../../infra/warehouse";
import { ZeroEtlSource } from "../../../../infra/warehouse/decisions";
import { construct, named, namesOf, ofType, types } from "./harness";

const network = { vpcId: "vpc-1", cidr: "10.20.0.0/16", privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"] };
const serverless: WarehouseConfig = { mode: "serverless", baseRpu: 8, maxRpu: 32, dailyRpuHours: 16, snapshotRetentionDays: 35, adminUser: "platform_admin", database: "analytics" };
const provisioned: WarehouseConfig = { mode: "provisioned", nodeType: "ra3.xlplus", nodeCount: 2, snapshotRetentionDays: 7, adminUser: "platform_admin", database: "analytics" };

const zeroEtl: ZeroEtlSource = {
    clusterArn: "arn:aws:rds:us-east-1:123456789012:cluster:shop",
    engine: "aurora-postgresql",
    database: "shop",
    tables: [
        { schema: "public", table: "customers" },
        { schema: "crm", table: "accounts" },
    ],
};

function warehouse(config: WarehouseConfig, curatedDatabase?: string, source?: ZeroEtlSource) {
    return (context: PlatformContext) =>
        new Warehouse("warehouse", {
            context,
            warehouse: config,
            network,
            curatedBucketArn: "arn:aws:s3:::curated",
            artifactsBucketArn: "arn:aws:s3:::artifacts",
            ...(curatedDatabase ? { curatedDatabase } : {}),
            ...(source ? { zeroEtl: source } : {}),
        });
}

/** The logical names of what a declared resource depends on (its dependencies are URNs). */
const dependencyNames = (resource: { dependencies?: readonly string[] }) => [...(resource.dependencies ?? [])].map((urn) => urn.split("::").pop()).sort();

const zeroEtlTypes = { integration: "aws:rds/integration:Integration", resourcePolicy: "aws:redshift/resourcePolicy:ResourcePolicy", rule: "aws:cloudwatch/eventRule:EventRule", target: "aws:cloudwatch/eventTarget:EventTarget" };

describe("Warehouse, constructed alone", () => {
    it("serverless: a namespace and workgroup encrypted with the warehouse key, a daily RPU limit and a capacity alarm", async () => {
        const { component, resources } = await construct(warehouse(serverless));
        const namespace = named(resources, types.namespace, "warehouse-namespace");
        assert.deepStrictEqual([namespace.inputs.namespaceName, namespace.inputs.kmsKeyId, namespace.inputs.manageAdminPassword], ["platform-test", "arn:aws:kms:us-east-1:123456789012:key/warehouse", true]);
        const workgroup = named(resources, types.workgroup, "warehouse-workgroup");
        assert.deepStrictEqual([workgroup.inputs.baseCapacity, workgroup.inputs.maxCapacity, workgroup.inputs.publiclyAccessible, workgroup.inputs.subnetIds], [8, 32, false, network.privateSubnetIds]);
        assert.strictEqual(named(resources, types.usageLimit, "warehouse-daily-rpu").inputs.amount, 16);
        assert.deepStrictEqual(ofType(resources, types.redshiftCluster), []);
        assert.deepStrictEqual(namesOf(resources, types.alarm), ["warehouse-capacity-saturated", "warehouse-snapshots-schedule-failed"]);
        assert.deepStrictEqual(component.target, { kind: "serverless", name: "platform-test" });
    });

    it("serverless: snapshots the namespace every night, kept the configured days, with a role that may only create snapshots", async () => {
        const { resources } = await construct(warehouse(serverless));
        const schedule = named(resources, "aws:scheduler/schedule:Schedule", "warehouse-nightly-snapshot");
        assert.strictEqual(schedule.inputs.scheduleExpression, "cron(30 3 * * ? *)");
        assert.strictEqual(schedule.inputs.target.arn, "arn:aws:scheduler:::aws-sdk:redshiftserverless:createSnapshot");
        assert.deepStrictEqual(JSON.parse(schedule.inputs.target.input), {
            namespaceName: "platform-test",
            snapshotName: "platform-test-nightly-<aws.scheduler.execution-id>",
            retentionPeriod: 35,
        });
        const policy = JSON.parse(named(resources, "aws:iam/rolePolicy:RolePolicy", "warehouse-snapshots-scheduler").inputs.policy);
        const snapshot = policy.Statement.find((statement: { Sid: string }) => statement.Sid === "SnapshotTheNamespace");
        assert.deepStrictEqual([snapshot.Action, snapshot.Resource], ["redshift-serverless:CreateSnapshot", "arn:aws:redshift-serverless:us-east-1:123456789012:snapshot/*"]);
        assert.deepStrictEqual(policy.Statement.map((statement: { Sid: string }) => statement.Sid), ["SnapshotTheNamespace", "RecordFailedStarts", "EncryptFailedStarts"]);
    });

    it("provisioned: no snapshot schedule (the cluster keeps its automated snapshots)", async () => {
        const { resources } = await construct(warehouse(provisioned));
        assert.deepStrictEqual(ofType(resources, "aws:scheduler/schedule:Schedule"), []);
        assert.strictEqual(named(resources, types.redshiftCluster, "warehouse-cluster").inputs.automatedSnapshotRetentionPeriod, 7);
    });

    it("provisioned: a private, encrypted multi-node cluster with health and disk alarms", async () => {
        const { component, resources } = await construct(warehouse(provisioned));
        const cluster = named(resources, types.redshiftCluster, "warehouse-cluster");
        assert.deepStrictEqual(
            [cluster.inputs.clusterType, cluster.inputs.numberOfNodes, cluster.inputs.kmsKeyId, cluster.inputs.publiclyAccessible, cluster.inputs.skipFinalSnapshot],
            ["multi-node", 2, "arn:aws:kms:us-east-1:123456789012:key/warehouse", false, true],
        );
        assert.deepStrictEqual(ofType(resources, types.workgroup), []);
        assert.deepStrictEqual(namesOf(resources, types.alarm), ["warehouse-disk", "warehouse-health"]);
        assert.deepStrictEqual(component.target, { kind: "provisioned", name: "platform-test" });
    });

    it("keeps a final snapshot and protects the cluster when the context protects data", async () => {
        const { resources } = await construct(warehouse(provisioned), { protectData: true });
        const cluster = named(resources, types.redshiftCluster, "warehouse-cluster");
        assert.deepStrictEqual([cluster.inputs.skipFinalSnapshot, cluster.inputs.finalSnapshotIdentifier, cluster.protect], [false, "platform-test-final", true]);
    });

    it("declares the catalog access its load role needs, on the stack's curated database by default", async () => {
        const { component, resources } = await construct(warehouse(serverless));
        assert.deepStrictEqual(
            component.catalogAccess.map(({ principalArn: _principal, ...grant }) => grant),
            [{ name: "warehouse", zone: "curated", tablePermissions: ["SELECT", "DESCRIBE"], databasePermissions: ["DESCRIBE"] }],
        );
        const policy = JSON.parse(named(resources, "aws:iam/rolePolicy:RolePolicy", "warehouse-load").inputs.policy);
        assert.ok(JSON.stringify(policy).includes("database/platform_test_curated"), "the load role reads the default curated database");
    });

    it("reads the curated database it is given", async () => {
        const { resources } = await construct(warehouse(serverless, "other_curated"));
        const policy = named(resources, "aws:iam/rolePolicy:RolePolicy", "warehouse-load").inputs.policy as string;
        assert.ok(policy.includes("database/other_curated") && !policy.includes("platform_test_curated"));
    });

    it("rejects a serverless maximum below its base capacity", async () => {
        await assert.rejects(
            construct(warehouse({ ...serverless, baseRpu: 64, maxRpu: 32 })),
            new Error(`Warehouse "warehouse": warehouse.maxRpu: expected at least baseRpu (64); found 32. Fix: raise maxRpu to 64 or more, or lower baseRpu`),
        );
    });

    describe("with a zero-ETL integration from an Aurora cluster", () => {
        it("serverless: integrates the cluster into the namespace with the warehouse key, only the captured tables, after the workgroup has case-sensitive identifiers", async () => {
            const { component, resources } = await construct(warehouse(serverless, undefined, zeroEtl));
            const namespaceArn = "arn:aws:redshiftserverless:us-east-1:123456789012:namespace/warehouse-namespace-";
            const integration = named(resources, zeroEtlTypes.integration, "warehouse-zero-etl");
            assert.strictEqual(integration.inputs.sourceArn, zeroEtl.clusterArn);
            assert.ok(String(integration.inputs.targetArn).startsWith(namespaceArn), `the target is the namespace: ${integration.inputs.targetArn}`);
            assert.deepStrictEqual(
                [integration.inputs.integrationName, integration.inputs.kmsKeyId, integration.inputs.additionalEncryptionContext, integration.inputs.dataFilter],
                ["platform-test-zero-etl", "arn:aws:kms:us-east-1:123456789012:key/warehouse", { "platform:integration": "platform-test-zero-etl" }, "include: shop.public.customers, include: shop.crm.accounts"],
            );
            const workgroup = named(resources, types.workgroup, "warehouse-workgroup");
            assert.deepStrictEqual(workgroup.inputs.configParameters.find((p: { parameterKey: string }) => p.parameterKey === "enable_case_sensitive_identifier"), { parameterKey: "enable_case_sensitive_identifier", parameterValue: "true" });
            const policyResource = named(resources, zeroEtlTypes.resourcePolicy, "warehouse-zero-etl-policy");
            assert.strictEqual(policyResource.inputs.resourceArn, integration.inputs.targetArn);
            assert.deepStrictEqual(JSON.parse(policyResource.inputs.policy).Statement, [
                {
                    Sid: "RedshiftAuthorizesTheAuroraCluster",
                    Effect: "Allow",
                    Principal: { Service: "redshift.amazonaws.com" },
                    Action: "redshift:AuthorizeInboundIntegration",
                    Resource: integration.inputs.targetArn,
                    Condition: { StringEquals: { "aws:SourceArn": zeroEtl.clusterArn } },
                },
                { Sid: "AccountCreatesInboundIntegrations", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "redshift:CreateInboundIntegration", Resource: integration.inputs.targetArn },
            ]);
            assert.deepStrictEqual(
                dependencyNames(integration),
                ["warehouse-namespace", "warehouse-workgroup", "warehouse-zero-etl-policy"],
                "the integration waits for the policy and the case-sensitive workgroup",
            );
            assert.deepStrictEqual(namesOf(resources, types.alarm), ["warehouse-capacity-saturated", "warehouse-snapshots-schedule-failed", "warehouse-zero-etl-failed"]);
            assert.ok(component.zeroEtlIntegrationArn, "the integration's ARN is exposed");
        });

        it("provisioned: targets the cluster's namespace ARN and sets case-sensitive identifiers in its parameter group", async () => {
            const { resources } = await construct(warehouse(provisioned, undefined, { ...zeroEtl, engine: "aurora-mysql", tables: [{ schema: "shop", table: "customers" }] }));
            const integration = named(resources, zeroEtlTypes.integration, "warehouse-zero-etl");
            assert.match(String(integration.inputs.targetArn), /^arn:aws:redshift:us-east-1:123456789012:namespace:[0-9a-f-]{36}$/);
            assert.strictEqual(integration.inputs.dataFilter, "include: shop.customers");
            assert.strictEqual(named(resources, zeroEtlTypes.resourcePolicy, "warehouse-zero-etl-policy").inputs.resourceArn, integration.inputs.targetArn);
            const parameters = named(resources, "aws:redshift/parameterGroup:ParameterGroup", "warehouse-params").inputs.parameters as { name: string; value: string }[];
            assert.deepStrictEqual(parameters.map((p) => p.name), ["require_ssl", "enable_user_activity_logging", "enable_case_sensitive_identifier"]);
            assert.deepStrictEqual(dependencyNames(integration), ["warehouse-cluster", "warehouse-params", "warehouse-zero-etl-policy"]);
        });

        it("sends the integration's failure events to the alarm topic and alarms on them", async () => {
            const { resources } = await construct(warehouse(serverless, undefined, zeroEtl));
            const rule = named(resources, zeroEtlTypes.rule, "warehouse-zero-etl-events");
            const pattern = JSON.parse(rule.inputs.eventPattern);
            assert.deepStrictEqual(pattern.source, ["aws.rds"]);
            assert.match(pattern.resources[0], /^arn:aws:rds:us-east-1:123456789012:integration:/);
            assert.deepStrictEqual(pattern.detail.$or, [{ EventCategories: ["failure"] }, { Message: [{ wildcard: "*needs attention*" }] }]);
            assert.strictEqual(named(resources, zeroEtlTypes.target, "warehouse-zero-etl-events").inputs.rule, rule.inputs.name);
        });

        it("keeps case-insensitive identifiers and declares no integration without one", async () => {
            const { resources } = await construct(warehouse(serverless));
            const workgroup = named(resources, types.workgroup, "warehouse-workgroup");
            assert.deepStrictEqual(workgroup.inputs.configParameters.map((p: { parameterKey: string }) => p.parameterKey), ["require_ssl", "enable_user_activity_logging"]);
            assert.deepStrictEqual([...ofType(resources, zeroEtlTypes.integration), ...ofType(resources, zeroEtlTypes.resourcePolicy)], []);
        });
    });
});
