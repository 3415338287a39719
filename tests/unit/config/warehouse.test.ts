import * as assert from "assert";
import { ConfigReader } from "../../../infra/config/reader";
import { isServerlessBaseCapacity, parseWarehouse, warehouseKeys } from "../../../infra/config/warehouse";
import { parseClean, readArea, rejectsEach } from "./helpers";

const dev = (reader: ConfigReader) => parseWarehouse(reader, "dev", 3);
const prod = (reader: ConfigReader) => parseWarehouse(reader, "prod", 3);
const provisioned = { warehouseMode: "provisioned" };

describe("config area: warehouse", () => {
    it("defaults to Redshift Serverless from 8 to 32 RPUs with 24 RPU-hours a day", () => {
        assert.deepStrictEqual(parseClean(warehouseKeys, dev), { mode: "serverless", baseRpu: 8, maxRpu: 32, dailyRpuHours: 24, snapshotRetentionDays: 7, adminUser: "platform_admin", database: "analytics" });
    });

    it("defaults a provisioned cluster to two ra3.large nodes with a week of snapshots", () => {
        assert.deepStrictEqual(parseClean(warehouseKeys, dev, provisioned), { mode: "provisioned", nodeType: "ra3.large", nodeCount: 2, snapshotRetentionDays: 7, adminUser: "platform_admin", database: "analytics" });
    });

    it("accepts the base capacities Redshift Serverless offers: 4, steps of 8 to 512, steps of 32 to 1024", () => {
        const offered = Array.from({ length: 1100 }, (_, i) => i).filter(isServerlessBaseCapacity);
        assert.deepStrictEqual(offered.slice(0, 4), [4, 8, 16, 24]);
        assert.deepStrictEqual(offered.filter((rpu) => rpu >= 496), [496, 504, 512, 544, 576, 608, 640, 672, 704, 736, 768, 800, 832, 864, 896, 928, 960, 992, 1024]);
        assert.strictEqual(offered.length, 1 + 64 + 16);
        const four = parseClean(warehouseKeys, prod, { warehouseBaseRpu: "4", warehouseMaxRpu: "64", warehouseSnapshotRetentionDays: "35" });
        assert.deepStrictEqual([four.mode, four.mode === "serverless" && four.baseRpu, four.snapshotRetentionDays], ["serverless", 4, 35]);
    });

    it("accepts a provisioned cluster on fewer than three AZs", () => {
        assert.strictEqual(parseClean(warehouseKeys, (reader) => parseWarehouse(reader, "dev", 1), provisioned).mode, "provisioned");
    });

    it("reports a serverless warehouse on two AZs against availabilityZones, with both ways out", () => {
        const reader = readArea(warehouseKeys);
        parseWarehouse(reader, "dev", 2);
        assert.deepStrictEqual(reader.problems, [
            {
                key: "platform:availabilityZones",
                expected: "3 with a serverless warehouse (a Redshift Serverless workgroup needs subnets in three AZs)",
                found: "2",
                fix: "pulumi config set platform:availabilityZones 3, or pulumi config set platform:warehouseMode provisioned",
            },
        ]);
    });

    rejectsEach(warehouseKeys, dev, [
        { title: "an unknown warehouse mode", values: { warehouseMode: "dedicated" }, problem: { key: "platform:warehouseMode", expected: "one of serverless, provisioned", found: '"dedicated"', fix: "pulumi config set platform:warehouseMode serverless" } },
        { title: "a reserved warehouse admin name", values: { warehouseAdminUser: "admin" }, problem: { key: "platform:warehouseAdminUser", expected: "a lower-case identifier other than admin, awsuser, root or master", found: '"admin"', fix: "pulumi config set platform:warehouseAdminUser platform_admin" } },
        { title: "an admin name with upper case", values: { warehouseAdminUser: "Ops" }, problem: { key: "platform:warehouseAdminUser", expected: "a lower-case identifier other than admin, awsuser, root or master", found: '"Ops"', fix: "pulumi config set platform:warehouseAdminUser platform_admin" } },
        { title: "the default warehouse database name", values: { warehouseDatabase: "dev" }, problem: { key: "platform:warehouseDatabase", expected: "a lower-case identifier other than the default 'dev'", found: '"dev"', fix: "pulumi config set platform:warehouseDatabase analytics" } },
        { title: "a serverless base RPU between 512 and 1024 not a multiple of 32", values: { warehouseBaseRpu: "520", warehouseMaxRpu: "64" }, problem: { key: "platform:warehouseBaseRpu", expected: "4, a multiple of 8 from 8 to 512, or a multiple of 32 from 512 to 1024", found: "520", fix: "pulumi config set platform:warehouseBaseRpu 8" } },
        { title: "a serverless base RPU not a multiple of 8", values: { warehouseBaseRpu: "12" }, problem: { key: "platform:warehouseBaseRpu", expected: "4, a multiple of 8 from 8 to 512, or a multiple of 32 from 512 to 1024", found: "12", fix: "pulumi config set platform:warehouseBaseRpu 8" } },
        { title: "a serverless max RPU below a large base (the fix stays within 1024)", values: { warehouseMaxRpu: "8", warehouseBaseRpu: "512" }, problem: { key: "platform:warehouseMaxRpu", expected: "a multiple of 8 from warehouseBaseRpu (512) to 1024", found: "8", fix: "pulumi config set platform:warehouseMaxRpu 1024" } },
        { title: "a serverless max RPU below base", values: { warehouseMaxRpu: "8", warehouseBaseRpu: "16" }, problem: { key: "platform:warehouseMaxRpu", expected: "a multiple of 8 from warehouseBaseRpu (16) to 1024", found: "8", fix: "pulumi config set platform:warehouseMaxRpu 64" } },
        { title: "a serverless max RPU above the dev cap", values: { warehouseMaxRpu: "512" }, problem: { key: "platform:warehouseMaxRpu", expected: "at most 64 in dev", found: "512", fix: "pulumi config set platform:warehouseMaxRpu 64" } },
        { title: "no daily RPU-hours", values: { warehouseDailyRpuHours: "0" }, problem: { key: "platform:warehouseDailyRpuHours", expected: "an integer from 1 to 24576", found: "0", fix: "pulumi config set platform:warehouseDailyRpuHours 96" } },
        { title: "a provisioned node type not allowed in dev", values: { ...provisioned, warehouseNodeType: "ra3.4xlarge" }, problem: { key: "platform:warehouseNodeType", expected: "a type allowed in dev: ra3.large, ra3.xlplus", found: '"ra3.4xlarge"', fix: "pulumi config set platform:warehouseNodeType ra3.large" } },
        { title: "provisioned nodes above the dev cap", values: { ...provisioned, warehouseNodeCount: "3" }, problem: { key: "platform:warehouseNodeCount", expected: "at most 2 in dev", found: "3", fix: "pulumi config set platform:warehouseNodeCount 2" } },
        { title: "snapshots kept beyond 35 days", values: { ...provisioned, warehouseSnapshotRetentionDays: "36" }, problem: { key: "platform:warehouseSnapshotRetentionDays", expected: "an integer from 1 to 35", found: "36", fix: "pulumi config set platform:warehouseSnapshotRetentionDays 35" } },
    ]);

    rejectsEach(warehouseKeys, prod, [
        { title: "a refused Redshift node type", values: { ...provisioned, warehouseNodeType: "dc2.large" }, problem: { key: "platform:warehouseNodeType", expected: "a supported type (DC2 nodes do not support managed storage, data sharing or a customer-managed key rotation without resize; use an RA3 type)", found: '"dc2.large"', fix: "pulumi config set platform:warehouseNodeType ra3.large" } },
        { title: "an unknown Redshift node type", values: { ...provisioned, warehouseNodeType: "ra4.large" }, problem: { key: "platform:warehouseNodeType", expected: "a known type: ra3.large, ra3.xlplus, ra3.4xlarge, ra3.16xlarge, dc2.large, dc2.8xlarge", found: '"ra4.large"', fix: "pulumi config set platform:warehouseNodeType ra3.large" } },
        { title: "a single-node cluster in prod", values: { ...provisioned, warehouseNodeCount: "1" }, problem: { key: "platform:warehouseNodeCount", expected: "at least 2 in prod (a single-node cluster has no redundancy)", found: "1", fix: "pulumi config set platform:warehouseNodeCount 2" } },
    ]);

    it("caps ra3.xlplus at 16 nodes, a limit of the node type", () => {
        const reader = readArea(warehouseKeys, { ...provisioned, warehouseNodeType: "ra3.xlplus", warehouseNodeCount: "17" });
        parseWarehouse(reader, "prod", 3);
        assert.deepStrictEqual(
            reader.problems.map((p) => p.expected),
            ["at most 16 for ra3.xlplus", "at most 8 in prod"],
        );
    });
});
