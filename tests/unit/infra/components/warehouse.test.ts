import * as assert from "assert";
import { WarehouseConfig } from "../../../../infra/config";
import { PlatformContext } from "../../../../infra/shared/context";
import { Warehouse } from "../../../../infra/warehouse";
import { construct, named, namesOf, ofType, types } from "./harness";

const network = { vpcId: "vpc-1", cidr: "10.20.0.0/16", privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"] };
const serverless: WarehouseConfig = { mode: "serverless", baseRpu: 8, maxRpu: 32, dailyRpuHours: 16, adminUser: "platform_admin", database: "analytics" };
const provisioned: WarehouseConfig = { mode: "provisioned", nodeType: "ra3.xlplus", nodeCount: 2, snapshotRetentionDays: 7, adminUser: "platform_admin", database: "analytics" };

function warehouse(config: WarehouseConfig, curatedDatabase?: string) {
    return (context: PlatformContext) =>
        new Warehouse("warehouse", {
            context,
            warehouse: config,
            network,
            curatedBucketArn: "arn:aws:s3:::curated",
            artifactsBucketArn: "arn:aws:s3:::artifacts",
            ...(curatedDatabase ? { curatedDatabase } : {}),
        });
}

describe("Warehouse, constructed alone", () => {
    it("serverless: a namespace and workgroup encrypted with the warehouse key, a daily RPU limit and a capacity alarm", async () => {
        const { component, resources } = await construct(warehouse(serverless));
        const namespace = named(resources, types.namespace, "warehouse-namespace");
        assert.deepStrictEqual([namespace.inputs.namespaceName, namespace.inputs.kmsKeyId, namespace.inputs.manageAdminPassword], ["platform-test", "arn:aws:kms:us-east-1:123456789012:key/warehouse", true]);
        const workgroup = named(resources, types.workgroup, "warehouse-workgroup");
        assert.deepStrictEqual([workgroup.inputs.baseCapacity, workgroup.inputs.maxCapacity, workgroup.inputs.publiclyAccessible, workgroup.inputs.subnetIds], [8, 32, false, network.privateSubnetIds]);
        assert.strictEqual(named(resources, types.usageLimit, "warehouse-daily-rpu").inputs.amount, 16);
        assert.deepStrictEqual(ofType(resources, types.redshiftCluster), []);
        assert.deepStrictEqual(namesOf(resources, types.alarm), ["warehouse-capacity-saturated"]);
        assert.deepStrictEqual(component.target, { kind: "serverless", name: "platform-test" });
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
});
