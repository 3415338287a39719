import * as assert from "assert";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Pool } from "pg";
import { orders } from "../../../runtime/datasets";
import {
    DataApiExecutor,
    LoaderConfig,
    LoaderDeps,
    loadBatchStatements,
    loadCurated,
    planLoad,
    runLoadBatch,
    StatementFailedError,
    warehouseColumnType,
    stagedFields,
} from "../../../runtime/warehouse";
import { postgresDataApi } from "./postgresDataApi";
import { connectPostgres, freshBucket, freshSchema, motoS3 } from "./services";
import { bindScope, Scope } from "../../helpers/iam/recorder";

/** One curated row as the stand-in table holds it (the content of a Parquet file, keyed by its URI). */
interface Row {
    order_id: string;
    status: string;
    event_time: string;
    customer_id?: string | null;
    amount?: string;
    store_id?: string;
}

const oid = (n: number) => `ORD-${String(n).padStart(12, "0")}`;

/** Stand-in bytes of a curated file; PostgreSQL reads the rows from the stand-in table instead. */
const fileBody = (name: string, version: string) => `PAR1 ${name} ${version} PAR1`;

describe("warehouse loader on PostgreSQL through the Data API, with manifests on moto S3", function () {
    this.timeout(60_000);
    let pool: Pool;
    let s3: S3Client;
    let bucket: string;
    let schema: string;
    let config: LoaderConfig;
    const sources = "curated_files";

    /** The load function's requests, as its role makes them; the layout is the deployed one (CURATED_URI is the bucket root). */
    const loadScope = (): Scope => ({ component: "load", dataset: "orders", buckets: { [bucket]: "curated" }, warehouses: ["etl-test"], secrets: [adminSecret] });
    const adminSecret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:etl-test-admin";

    const newDeps = (at: string, emulator = postgresDataApi(pool, { pageSize: 1 })) => ({
        emulator,
        deps: {
            s3: bindScope(s3, loadScope()),
            warehouse: new DataApiExecutor(bindScope(emulator.client, loadScope()), { workgroupName: "etl-test", database: "etl_test", secretArn: adminSecret }, { sleep: async () => undefined }),
            clock: () => new Date(at),
        } satisfies LoaderDeps,
    });

    const uri = (name: string) => `s3://${bucket}/orders/${name}`;

    /** Writes a "Parquet" object to S3 and its rows to the stand-in table (replacing earlier rows of that URI). */
    async function putFile(name: string, rows: Row[], version = "v1"): Promise<void> {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `orders/${name}`, Body: fileBody(name, version) }));
        await pool.query(`DELETE FROM "${schema}"."${sources}" WHERE file_uri = $1`, [uri(name)]);
        for (const row of rows) {
            await pool.query(
                `INSERT INTO "${schema}"."${sources}" (file_uri, order_id, customer_id, store_id, region, channel, status, currency, amount, line_items, event_time, store_name, country, opened_date)
                 VALUES ($1, $2, $3, $4, 'NA', 'store', $5, 'USD', $6, $7, $8, 'Downtown Seattle', 'US', '2019-03-01')`,
                [uri(name), row.order_id, row.customer_id === undefined ? "CUST-00000001" : row.customer_id, row.store_id ?? "S0001", row.status, row.amount ?? "10.00", JSON.stringify([{ sku: "SKU-0001", quantity: 1, unit_price: Number(row.amount ?? "10.00") }]), row.event_time],
            );
        }
    }

    async function target(): Promise<string[][]> {
        const result = await pool.query({
            text: `SELECT order_id, status, to_char(event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') FROM "${schema}"."orders" ORDER BY order_id`,
            rowMode: "array",
        });
        return result.rows;
    }

    async function ledger(): Promise<string[][]> {
        const result = await pool.query({
            text: `SELECT file_uri, etag, to_char(loaded_at, 'YYYY-MM-DD HH24:MI:SS'), batch_id FROM "${schema}"."load_ledger" ORDER BY file_uri, loaded_at`,
            rowMode: "array",
        });
        return result.rows;
    }

    async function etag(name: string): Promise<string> {
        const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `orders/${name}` }));
        return (listed.Contents?.[0].ETag ?? "").replace(/"/g, "");
    }

    async function manifests(): Promise<string[]> {
        const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "_manifests/" }));
        return (listed.Contents ?? []).map((object) => object.Key as string).sort();
    }

    before(async () => {
        pool = await connectPostgres();
        s3 = motoS3();
        bucket = await freshBucket(s3, "wh-loader");
        schema = freshSchema("it_loader");
        config = {
            dataset: orders,
            schema,
            curatedUri: `s3://${bucket}`,
            manifestUri: `s3://${bucket}/_manifests`,
            dialect: { engine: "postgres", stageSourceTable: `${schema}.${sources}` },
        };
        const dialect = config.dialect;
        // The stand-in holds what the curated files hold: every staged column, not the warehouse's own _load_id.
        const columns = stagedFields(orders).map((field) => `"${field.name}" ${warehouseColumnType(field, dialect)}`);
        await pool.query(`CREATE SCHEMA "${schema}"`);
        await pool.query(`CREATE TABLE "${schema}"."${sources}" (file_uri TEXT NOT NULL, ${columns.join(", ")})`);
        await putFile("dt=2024-05-01/part-00000-a.snappy.parquet", [
            { order_id: oid(1), status: "placed", event_time: "2024-05-01T03:10:00Z", amount: "100.00" },
            { order_id: oid(2), status: "placed", event_time: "2024-05-01T03:20:00Z" },
        ]);
        await putFile("dt=2024-05-02/part-00000-b.snappy.parquet", [{ order_id: oid(3), status: "placed", event_time: "2024-05-02T01:00:00Z" }]);
        for (const key of ["orders/_SUCCESS", "orders/_temporary/0/part-00009.snappy.parquet", "orders/.spark-staging-1/part-0.parquet", "orders_daily_sales_by_region/dt=2024-05-01/part-0.parquet"]) {
            await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "not a data file" }));
        }
    });

    after(async () => {
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await pool.end();
        s3.destroy();
    });

    it("creates the tables, loads the new data files through one manifest and records them in the ledger", async () => {
        const { deps, emulator } = newDeps("2024-05-02T03:00:00Z");

        const result = await loadCurated(deps, config);

        const [batch] = result.batches;
        assert.deepStrictEqual({ ...result, batches: result.batches.map((b) => b.files) }, { dataset: "orders", filesListed: 2, filesAlreadyLoaded: 0, filesLoaded: 2, batches: [2] });
        assert.match(batch.batchId, /^orders-20240502T030000Z-[0-9a-f]{12}$/);
        assert.deepStrictEqual(await target(), [
            [oid(1), "placed", "2024-05-01T03:10:00"],
            [oid(2), "placed", "2024-05-01T03:20:00"],
            [oid(3), "placed", "2024-05-02T01:00:00"],
        ]);
        assert.deepStrictEqual(await ledger(), [
            [uri("dt=2024-05-01/part-00000-a.snappy.parquet"), await etag("dt=2024-05-01/part-00000-a.snappy.parquet"), "2024-05-02 03:00:00", batch.batchId],
            [uri("dt=2024-05-02/part-00000-b.snappy.parquet"), await etag("dt=2024-05-02/part-00000-b.snappy.parquet"), "2024-05-02 03:00:00", batch.batchId],
        ]);
        const loadIds = await pool.query(`SELECT DISTINCT "_load_id" FROM "${schema}"."orders"`);
        assert.deepStrictEqual(loadIds.rows, [{ _load_id: batch.batchId }], "every row carries the id of the load that wrote it, the ledger's batch_id");
        const manifest = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `_manifests/orders/${batch.batchId}.manifest.json` }));
        assert.deepStrictEqual(JSON.parse(await (manifest.Body as { transformToString(): Promise<string> }).transformToString()), {
            entries: [
                { url: uri("dt=2024-05-01/part-00000-a.snappy.parquet"), mandatory: true, meta: { content_length: Buffer.byteLength(fileBody("dt=2024-05-01/part-00000-a.snappy.parquet", "v1")) } },
                { url: uri("dt=2024-05-02/part-00000-b.snappy.parquet"), mandatory: true, meta: { content_length: Buffer.byteLength(fileBody("dt=2024-05-02/part-00000-b.snappy.parquet", "v1")) } },
            ],
        });
        assert.deepStrictEqual(emulator.requests.map((r) => r.operation), [
            "BatchExecuteStatement", "DescribeStatement", "DescribeStatement",
            "ExecuteStatement", "DescribeStatement", "DescribeStatement", "GetStatementResult",
            "BatchExecuteStatement", "DescribeStatement", "DescribeStatement",
        ]);
        const load = emulator.requests[7].input;
        assert.strictEqual(load.WorkgroupName, "etl-test");
        assert.strictEqual(load.ExecutionMode, "TRANSACTION");
        const plannedBatch = { batchId: batch.batchId, manifestUri: batch.manifestUri, loadedAt: new Date("2024-05-02T03:00:00Z"), files: [] as { uri: string; etag: string; size: number }[] };
        plannedBatch.files.push(
            { uri: uri("dt=2024-05-01/part-00000-a.snappy.parquet"), etag: await etag("dt=2024-05-01/part-00000-a.snappy.parquet"), size: 54 },
            { uri: uri("dt=2024-05-02/part-00000-b.snappy.parquet"), etag: await etag("dt=2024-05-02/part-00000-b.snappy.parquet"), size: 54 },
        );
        assert.deepStrictEqual(load.Sqls, loadBatchStatements(orders, plannedBatch, schema, config.dialect));
    });

    it("does nothing on a rerun with no new files: no manifest, no load transaction, nothing changed", async () => {
        const before = [await target(), await ledger(), await manifests()];
        const { deps, emulator } = newDeps("2024-05-02T04:00:00Z");

        const result = await loadCurated(deps, config);

        assert.deepStrictEqual(result, { dataset: "orders", filesListed: 2, filesAlreadyLoaded: 2, filesLoaded: 0, batches: [] });
        assert.deepStrictEqual([await target(), await ledger(), await manifests()], before);
        assert.deepStrictEqual(emulator.requests.map((r) => r.operation), [
            "BatchExecuteStatement", "DescribeStatement", "DescribeStatement",
            "ExecuteStatement", "DescribeStatement", "DescribeStatement", "GetStatementResult", "GetStatementResult",
        ]);
        assert.deepStrictEqual(emulator.requests[7].input.NextToken, "1");
    });

    it("merges a new file: later events update, earlier ones never roll back, duplicates in the stage collapse to the latest", async () => {
        await putFile("dt=2024-05-02/part-00001-c.snappy.parquet", [
            { order_id: oid(1), status: "shipped", event_time: "2024-05-02T02:00:00Z", amount: "100.00" },
            { order_id: oid(2), status: "cancelled", event_time: "2024-05-01T03:00:00Z" },
            { order_id: oid(4), status: "placed", event_time: "2024-05-02T04:00:00Z" },
            { order_id: oid(4), status: "paid", event_time: "2024-05-02T05:00:00Z" },
            { order_id: oid(5), status: "paid", event_time: "2024-05-02T06:00:00Z" },
            { order_id: oid(5), status: "shipped", event_time: "2024-05-02T06:00:00Z" },
        ]);
        const { deps } = newDeps("2024-05-02T07:00:00Z");

        const result = await loadCurated(deps, config);

        assert.deepStrictEqual([result.filesListed, result.filesAlreadyLoaded, result.filesLoaded], [3, 2, 1]);
        assert.deepStrictEqual(await target(), [
            [oid(1), "shipped", "2024-05-02T02:00:00"],
            [oid(2), "placed", "2024-05-01T03:20:00"],
            [oid(3), "placed", "2024-05-02T01:00:00"],
            [oid(4), "paid", "2024-05-02T05:00:00"],
            [oid(5), "shipped", "2024-05-02T06:00:00"],
        ]);
        const row = await pool.query(`SELECT line_items, amount::text, store_name, country, opened_date::text FROM "${schema}"."orders" WHERE order_id = $1`, [oid(1)]);
        assert.deepStrictEqual(row.rows, [{ line_items: [{ sku: "SKU-0001", quantity: 1, unit_price: 100 }], amount: "100.00", store_name: "Downtown Seattle", country: "US", opened_date: "2019-03-01" }]);
    });

    it("loads a rewritten file again (same URI, new ETag) and keeps both versions in the ledger", async () => {
        const name = "dt=2024-05-02/part-00000-b.snappy.parquet";
        const oldTag = await etag(name);
        await putFile(name, [{ order_id: oid(3), status: "cancelled", event_time: "2024-05-02T07:00:00Z" }], "v2");
        const newTag = await etag(name);
        assert.notStrictEqual(newTag, oldTag);

        const result = await loadCurated(newDeps("2024-05-02T08:00:00Z").deps, config);

        assert.strictEqual(result.filesLoaded, 1);
        assert.deepStrictEqual((await target())[2], [oid(3), "cancelled", "2024-05-02T07:00:00"]);
        assert.deepStrictEqual(
            (await ledger()).filter((entry) => entry[0] === uri(name)).map((entry) => entry[1]).sort(),
            [oldTag, newTag].sort(),
        );
    });

    it("rolls a failing batch back entirely and names the failing statement, then loads once the data is fixed", async () => {
        const name = "dt=2024-05-03/part-00000-d.snappy.parquet";
        await putFile(name, [
            { order_id: oid(6), status: "placed", event_time: "2024-05-03T01:00:00Z" },
            { order_id: oid(7), status: "placed", event_time: "2024-05-03T02:00:00Z", customer_id: null },
        ]);
        const before = [await target(), await ledger()];

        await assert.rejects(loadCurated(newDeps("2024-05-03T03:00:00Z").deps, config), (error: unknown) => {
            assert.ok(error instanceof StatementFailedError);
            assert.strictEqual(error.subStatementIndex, 3);
            assert.strictEqual(error.subStatementId, `${error.statementId}:3`);
            assert.match(error.errorText, /null value in column "customer_id" of relation "stage_orders" violates not-null constraint/);
            assert.match(error.message, /^orders: load batch orders-20240503T030000Z-[0-9a-f]{12}: Data API statement [0-9a-f-]{36} FAILED at statement 3 of the batch/);
            return true;
        });
        assert.deepStrictEqual([await target(), await ledger()], before);

        await putFile(name, [
            { order_id: oid(6), status: "placed", event_time: "2024-05-03T01:00:00Z" },
            { order_id: oid(7), status: "placed", event_time: "2024-05-03T02:00:00Z", customer_id: "CUST-00000007" },
        ], "v2");
        const result = await loadCurated(newDeps("2024-05-03T04:00:00Z").deps, config);
        assert.strictEqual(result.filesLoaded, 1);
        assert.deepStrictEqual((await target()).slice(5), [
            [oid(6), "placed", "2024-05-03T01:00:00"],
            [oid(7), "placed", "2024-05-03T02:00:00"],
        ]);
    });

    it("records a file exactly once when two loaders race over it or a batch is run twice", async () => {
        const name = "dt=2024-05-04/part-00000-e.snappy.parquet";
        await putFile(name, [{ order_id: oid(8), status: "placed", event_time: "2024-05-04T01:00:00Z" }]);
        const first = newDeps("2024-05-04T02:00:00Z");
        const second = newDeps("2024-05-04T02:00:01Z");
        const [planA, planB] = [await planLoad(first.deps, config), await planLoad(second.deps, config)];
        assert.deepStrictEqual([planA.batches.length, planB.batches.length], [1, 1]);

        await Promise.all([runLoadBatch(first.deps, config, planA.batches[0]), runLoadBatch(second.deps, config, planB.batches[0])]);
        await runLoadBatch(first.deps, config, planA.batches[0]);

        const entries = (await ledger()).filter((entry) => entry[0] === uri(name));
        assert.strictEqual(entries.length, 1);
        assert.ok([planA.batches[0].batchId, planB.batches[0].batchId].includes(entries[0][3]));
        assert.deepStrictEqual((await target()).filter((row) => row[0] === oid(8)), [[oid(8), "placed", "2024-05-04T01:00:00"]]);
        assert.deepStrictEqual((await planLoad(newDeps("2024-05-04T03:00:00Z").deps, config)).batches, []);
    });
});
