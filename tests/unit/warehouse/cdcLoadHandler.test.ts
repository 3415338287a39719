import * as assert from "assert";
import { customers, orders } from "../../../runtime/datasets";
import { withCdcKeys } from "../../../runtime/warehouse/config";
import { createLoadHandler } from "../../../runtime/warehouse/handler";
import { createMemoryObjectStore } from "../../../runtime/common";
import { createLakeTransport, createLineageEmitter, datasetNames } from "../../../runtime/lineage";
import { assertValidEvents, lakeLineageEvents } from "../../helpers/lineage/schema";

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

    it("reports the sync as a warehouse-load run from the curated state to the table, named by its load id", async () => {
        const f = fakes(["customers/part-00000.snappy.parquet"]);
        const store = createMemoryObjectStore();
        const lineage = {
            namespace: "etl-platform-prod",
            emitter: createLineageEmitter({ lake: createLakeTransport({ store, bucket: "ops", prefix: "lineage" }), onFailure: (failure) => assert.fail(failure.message) }),
            table: (dataset: string) => datasetNames.redshift("wg", "us-east-1", "analytics", "analytics", dataset),
        };
        const handle = createLoadHandler({ env, s3: f.s3 as never, redshiftData: f.redshiftData as never, logger: { info: () => undefined } as never, lineage });
        await handle({ dataset: "customers" });
        const events = await lakeLineageEvents(store);
        assertValidEvents(events);
        assert.deepStrictEqual(events.map((e) => [e.eventType, e.job.name]), [["START", "warehouse-load.customers"], ["COMPLETE", "warehouse-load.customers"]]);
        assert.deepStrictEqual(events[1]!.inputs.map((i) => `${i.namespace}/${i.name}`), ["s3://curated-b/customers"]);
        assert.deepStrictEqual(events[1]!.outputs.map((o) => `${o.namespace}/${o.name}`), ["redshift://wg.us-east-1:5439/analytics.analytics.customers"]);
        assert.strictEqual(events[0]!.run.runId, events[1]!.run.runId);
    });

    it("refuses to sync from an empty curated folder instead of deleting every row", async () => {
        const f = fakes([]);
        const handle = createLoadHandler({ env, s3: f.s3 as never, redshiftData: f.redshiftData as never, logger: { info: () => undefined } as never });
        await assert.rejects(handle({ dataset: "customers" }), /no curated files under s3:\/\/curated-b\/customers\/; run the CDC apply first/);
        assert.ok(!f.sql.some((s) => /DELETE/i.test(s)), "nothing is deleted");
    });

    it("merges on the key the table mapping declares (WAREHOUSE_CDC_KEYS), as the CDC apply did", async () => {
        const f = fakes(["customers/part-00000.snappy.parquet"]);
        const handle = createLoadHandler({ env: { ...env, WAREHOUSE_CDC_KEYS: "customers=id+created_at" }, s3: f.s3 as never, redshiftData: f.redshiftData as never, logger: { info: () => undefined } as never });
        await handle({ dataset: "customers" });
        const merge = f.sql.find((s) => /^MERGE INTO/.test(s.trim()));
        assert.match(String(merge), /ON "customers"\."id" = s\."id" AND "customers"\."created_at" = s\."created_at" /, String(merge));
        const table = f.sql.find((s) => /CREATE TABLE IF NOT EXISTS "analytics"\."customers"/.test(s));
        assert.match(String(table), /PRIMARY KEY \("id", "created_at"\)/, String(table));
    });
});

describe("WAREHOUSE_CDC_KEYS", () => {
    it("re-keys the captured datasets it names and leaves the others as defined", () => {
        const known = withCdcKeys({ WAREHOUSE_CDC_KEYS: "customers=id+created_at" }, [customers, orders]);
        assert.deepStrictEqual(known.map((d) => [d.name, d.key]), [["customers", ["id", "created_at"]], ["orders", orders.key]]);
        assert.deepStrictEqual(withCdcKeys({}, [customers]), [customers]);
    });

    for (const [value, message] of [
        ["customers", /WAREHOUSE_CDC_KEYS entry 'customers': expected dataset=key1\+key2/],
        ["orders=order_id", /expected a captured \(database\) dataset, one of customers; found 'orders'/],
        ["customers=client_no", /expected key columns of dataset 'customers' .*found unknown column\(s\) client_no/],
        ["customers=id,customers=email", /expected each dataset once; found 'customers' twice/],
    ] as const) {
        it(`rejects '${value}' with the entry, what was expected and the fix`, () => {
            assert.throws(() => withCdcKeys({ WAREHOUSE_CDC_KEYS: value }, [customers, orders]), message);
        });
    }
});
