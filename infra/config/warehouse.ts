/** Warehouse config: Redshift Serverless or a provisioned RA3 cluster, its capacity and names. */
import { Environment, redshiftNodeTypes } from "./catalog";
import { ConfigKey, ConfigReader } from "./reader";

export const warehouseKeys: readonly ConfigKey[] = [
    { name: "warehouseMode", type: "string", default: "serverless", example: "provisioned", description: "Redshift deployment: serverless (namespace and workgroup) or provisioned (RA3 cluster)." },
    { name: "warehouseBaseRpu", type: "integer", default: 8, example: "32", description: "Serverless base capacity in RPUs: 4 (data under 32 TB), a multiple of 8 from 8 to 512, or a multiple of 32 from 512 to 1024." },
    { name: "warehouseMaxRpu", type: "integer", default: 32, example: "128", description: "Serverless maximum capacity in RPUs: a multiple of 8, at least warehouseBaseRpu, at most 1024." },
    { name: "warehouseDailyRpuHours", type: "integer", default: 24, example: "96", description: "Serverless usage limit in RPU-hours per day; queries stop when it is reached (1 to 24576)." },
    { name: "warehouseNodeType", type: "string", default: "ra3.large", example: "ra3.xlplus", description: "Provisioned node type; each environment allows a list of RA3 types." },
    { name: "warehouseNodeCount", type: "integer", default: 2, example: "2", description: "Provisioned node count (1 to 32; ra3.large and ra3.xlplus up to 16)." },
    { name: "warehouseAdminUser", type: "string", default: "platform_admin", example: "platform_admin", description: "Admin user name (not 'admin', 'awsuser' or 'root'); its password is managed by Redshift in Secrets Manager." },
    { name: "warehouseDatabase", type: "string", default: "analytics", example: "analytics", description: "Database name (not 'dev')." },
    { name: "warehouseSnapshotRetentionDays", type: "integer", default: 7, example: "35", description: "Days each daily snapshot is kept, 1 to 35: a provisioned cluster's automated snapshots, or the snapshot a schedule takes of a serverless namespace every night." },
];

export type WarehouseConfig =
    | {
          readonly mode: "serverless";
          readonly baseRpu: number;
          readonly maxRpu: number;
          readonly dailyRpuHours: number;
          /** Days each nightly snapshot of the namespace is kept (recovery points alone last 24 hours). */
          readonly snapshotRetentionDays: number;
          readonly adminUser: string;
          readonly database: string;
      }
    | {
          readonly mode: "provisioned";
          readonly nodeType: string;
          readonly nodeCount: number;
          readonly snapshotRetentionDays: number;
          readonly adminUser: string;
          readonly database: string;
      };

/** Redshift Serverless base capacities: 4 RPU (warehouses under 32 TB), 8 to 512 in steps of 8, then to 1024 in steps of 32. */
export function isServerlessBaseCapacity(rpu: number): boolean {
    return rpu === 4 || (rpu >= 8 && rpu <= 512 && rpu % 8 === 0) || (rpu > 512 && rpu <= 1024 && rpu % 32 === 0);
}

const identifierPattern = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * Only the chosen mode's keys are judged. `availabilityZones` is the network's AZ count: a
 * serverless workgroup needs subnets in three AZs, so that problem is reported here.
 */
export function parseWarehouse(reader: ConfigReader, environment: Environment, availabilityZones: number): WarehouseConfig {
    const mode = reader.oneOf("warehouseMode", ["serverless", "provisioned"] as const);
    const adminUser = reader.str("warehouseAdminUser");
    if (!identifierPattern.test(adminUser) || ["admin", "awsuser", "root", "master", "rdsadmin"].includes(adminUser)) {
        reader.fail("warehouseAdminUser", "a lower-case identifier other than admin, awsuser, root or master", adminUser);
    }
    const database = reader.str("warehouseDatabase");
    if (!identifierPattern.test(database) || database === "dev") {
        reader.fail("warehouseDatabase", "a lower-case identifier other than the default 'dev'", database);
    }
    if (mode === "serverless") {
        const baseRpu = reader.int("warehouseBaseRpu");
        const maxRpu = reader.int("warehouseMaxRpu");
        // The maximum is judged against a valid base only: one problem per mistake.
        if (!isServerlessBaseCapacity(baseRpu)) {
            reader.fail("warehouseBaseRpu", "4, a multiple of 8 from 8 to 512, or a multiple of 32 from 512 to 1024", baseRpu, "pulumi config set platform:warehouseBaseRpu 8");
        } else if (maxRpu < baseRpu || maxRpu > 1024 || maxRpu % 8 !== 0) {
            reader.fail("warehouseMaxRpu", `a multiple of 8 from warehouseBaseRpu (${baseRpu}) to 1024`, maxRpu, `pulumi config set platform:warehouseMaxRpu ${Math.min(1024, Math.max(baseRpu, 8) * 4)}`);
        } else {
            reader.withinCapacity("warehouseMaxRpu", maxRpu, "warehouseMaxRpu", environment);
        }
        if (availabilityZones !== 3) {
            reader.fail("availabilityZones", "3 with a serverless warehouse (a Redshift Serverless workgroup needs subnets in three AZs)", availabilityZones, "pulumi config set platform:availabilityZones 3, or pulumi config set platform:warehouseMode provisioned");
        }
        return {
            mode,
            baseRpu,
            maxRpu,
            dailyRpuHours: reader.range("warehouseDailyRpuHours", 1, 24576),
            snapshotRetentionDays: reader.range("warehouseSnapshotRetentionDays", 1, 35),
            adminUser,
            database,
        };
    }
    const nodeType = reader.catalogueType("warehouseNodeType", redshiftNodeTypes, environment);
    const nodeCount = reader.range("warehouseNodeCount", 1, 32);
    if ((nodeType === "ra3.large" || nodeType === "ra3.xlplus") && nodeCount > 16) {
        reader.fail("warehouseNodeCount", `at most 16 for ${nodeType}`, nodeCount);
    }
    reader.withinCapacity("warehouseNodeCount", nodeCount, "warehouseNodes", environment);
    if (environment === "prod" && nodeCount < 2) {
        reader.fail("warehouseNodeCount", "at least 2 in prod (a single-node cluster has no redundancy)", nodeCount, "pulumi config set platform:warehouseNodeCount 2");
    }
    return { mode, nodeType, nodeCount, snapshotRetentionDays: reader.range("warehouseSnapshotRetentionDays", 1, 35), adminUser, database };
}
