import * as assert from "assert";
import { createLoadHandler } from "../../../runtime/warehouse/handler";

/** Fake SDK clients: each records the commands it was sent and answers like the service. */
function fakes(curatedKeys: readonly string[]) {
    const s3Commands: { name: string; input: any }[] = [];
    const sql: string[] = [];
    const s3 = {
        send: async (command: any) => {
            s3Commands.push({ name: command.constructor.name, input: command.input });
            if (command.constructor.name === "ListObjectsV2Command") {
                return { Contents: curatedKeys.filter((k) => k.startsWith(command.input.Prefix)).map((Key) => ({ Key, Size: 10 })), IsTruncated: false };
            }
            return {};
        },
    };
    const redshiftData = {
        send: async (command: any) => {
            const name = command.constructor.name;
            if (name === "BatchExecuteStatementCommand") {
                sql.push(...command.input.Sqls);
                return { Id: `s-${sql.length}` };
            }
            if (name === "ExecuteStatementCommand") {
                sql.push(command.input.Sql);
                return { Id: `s-${sql.length}` };
            }
            if (name === "DescribeStatementCommand") {
                return { Id: command.input.Id, Status: "FINISHED", HasResultSet: false, SubStatements: [] };
            }
            throw new Error(`unexpected ${name}`);
        },
    };
    return { s3, redshiftData, s3Commands, sql };
}

const env = {
    WAREHOUSE_WORKGROUP_NAME: "wg",
    WAREHOUSE_DATABASE: "analytics",
    WAREHOUSE_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:111122223333:secret:admin",
    WAREHOUSE_COPY_ROLE_ARN: "arn:aws:iam::111122223333:role/copy",
    CURATED_URI: "s3://curated-b",
};

describe("the load function, for a database dataset (change data capture)", () => {
    it("synchronises the table with the curated state: a manifest of every curated file, then the staged DELETE and MERGE", async () => {
        const f = fakes(["customers/part-00000.snappy.parquet", "orders/dt=2026-12-06/x.parquet"]);
        const handle = createLoadHandler({ env, s3: f.s3 as never, redshiftData: f.redshiftData as never, logger: { info: () => undefined } as never });
        const result = await handle({ dataset: "customers" });
        assert.deepStrictEqual([(result as { mode?: string }).mode, (result as { files: number }).files], ["cdc-sync", 1]);
        const manifest = f.s3Commands.find((c) => c.name === "PutObjectCommand");
        assert.strictEqual(manifest?.input.Key, "_manifests/customers/cdc-sync.manifest.json");
        assert.match(String(manifest?.input.Body), /s3:\/\/curated-b\/customers\/part-00000\.snappy\.parquet/);
        assert.ok(f.sql.some((s) => /^DELETE FROM "analytics"\."customers" WHERE NOT EXISTS/.test(s.trim())), f.sql.join("\n"));
        assert.ok(f.sql.some((s) => /^MERGE INTO "analytics"\."customers" USING "stage_customers_cdc"/.test(s.trim())), f.sql.join("\n"));
    });

    it("refuses to sync from an empty curated folder instead of deleting every row", async () => {
        const f = fakes([]);
        const handle = createLoadHandler({ env, s3: f.s3 as never, redshiftData: f.redshiftData as never, logger: { info: () => undefined } as never });
        await assert.rejects(handle({ dataset: "customers" }), /no curated files under s3:\/\/curated-b\/customers\/; run the CDC apply first/);
        assert.ok(!f.sql.some((s) => /DELETE/i.test(s)), "nothing is deleted");
    });
});
