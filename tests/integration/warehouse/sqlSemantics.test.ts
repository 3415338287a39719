import * as assert from "assert";
import { Pool } from "pg";
import { orders } from "../../../runtime/datasets";
import { evaluateQuality, metricsFromRow, qualityMetricsSql, runQuality } from "../../../runtime/quality";
import { DataApiExecutor, warehouseSetupStatements } from "../../../runtime/warehouse";
import { captureOutput, emfDocuments } from "../../helpers/output";
import { postgresDataApi } from "./postgresDataApi";
import { connectPostgres, freshSchema } from "./services";

const dialect = { engine: "postgres" as const, stageSourceTable: "unused" };

describe("warehouse SQL semantics on PostgreSQL 15", function () {
    this.timeout(60_000);
    let pool: Pool;
    let schema: string;

    before(async () => {
        pool = await connectPostgres();
        schema = freshSchema("it_sql");
    });

    after(async () => {
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await pool.end();
    });

    it("creates the schema, target and ledger idempotently with the curated columns, provenance and load id, and types", async () => {
        for (let run = 0; run < 2; run++) {
            for (const sql of warehouseSetupStatements(orders, schema, dialect)) {
                await pool.query(sql);
            }
        }
        const columns = await pool.query({
            text: `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
            values: [schema],
            rowMode: "array",
        });
        assert.deepStrictEqual(columns.rows, [
            ["load_ledger", "file_uri", "character varying", "NO"],
            ["load_ledger", "etag", "character varying", "NO"],
            ["load_ledger", "loaded_at", "timestamp without time zone", "NO"],
            ["load_ledger", "batch_id", "character varying", "NO"],
            ["orders", "order_id", "character varying", "NO"],
            ["orders", "customer_id", "character varying", "NO"],
            ["orders", "store_id", "character varying", "NO"],
            ["orders", "region", "character varying", "NO"],
            ["orders", "channel", "character varying", "NO"],
            ["orders", "status", "character varying", "NO"],
            ["orders", "currency", "character varying", "NO"],
            ["orders", "amount", "numeric", "NO"],
            ["orders", "line_items", "jsonb", "NO"],
            ["orders", "coupon_code", "character varying", "YES"],
            ["orders", "event_time", "timestamp with time zone", "NO"],
            ["orders", "shipped_time", "timestamp with time zone", "YES"],
            ["orders", "store_name", "character varying", "YES"],
            ["orders", "country", "character varying", "YES"],
            ["orders", "opened_date", "date", "YES"],
            ["orders", "customer_segment", "character varying", "YES"],
            ["orders", "customer_country", "character varying", "YES"],
            ["orders", "amount_usd", "numeric", "YES"],
            ["orders", "_raw_object", "character varying", "YES"],
            ["orders", "_source_engine", "character varying", "YES"],
            ["orders", "_source_name", "character varying", "YES"],
            ["orders", "_source_partition", "character varying", "YES"],
            ["orders", "_source_position", "character varying", "YES"],
            ["orders", "_source_object", "character varying", "YES"],
            ["orders", "_source_object_version", "character varying", "YES"],
            ["orders", "_source_line", "bigint", "YES"],
            ["orders", "_load_id", "character varying", "YES"],
        ]);
    });

    describe("quality metrics", () => {
        before(async () => {
            // A copy without the primary key, so duplicates and nulls can be measured.
            await pool.query(`CREATE TABLE "${schema}"."orders_raw" (LIKE "${schema}"."orders")`);
            await pool.query(`ALTER TABLE "${schema}"."orders_raw" ALTER COLUMN customer_id DROP NOT NULL, ALTER COLUMN order_id DROP NOT NULL`);
            const rows: [string | null, string | null, string, string | null, string][] = [
                ["ORD-000000000001", "CUST-00000001", "10.00", null, "2024-05-01T01:00:00Z"],
                ["ORD-000000000002", "CUST-00000002", "20.00", "SPRING", "2024-05-01T02:00:00Z"],
                ["ORD-000000000002", null, "1500000.00", null, "2024-05-01T03:00:00Z"],
                ["ORD-000000000003", "CUST-00000003", "0.00", null, "2024-05-01T21:30:00Z"],
                [null, "CUST-00000004", "5.00", null, "2024-05-01T22:00:00Z"],
                ["ORD-000000000009", "CUST-00000009", "1.00", null, "2024-05-02T00:00:00Z"],
            ];
            for (const [orderId, customer, amount, coupon, at] of rows) {
                await pool.query(
                    `INSERT INTO "${schema}"."orders_raw" (order_id, customer_id, store_id, region, channel, status, currency, amount, line_items, coupon_code, event_time)
                     VALUES ($1, $2, 'S0001', 'NA', 'store', 'placed', 'USD', $3, '[]', $4, $5)`,
                    [orderId, customer, amount, coupon, at],
                );
            }
        });

        it("computes every check's metric over the event-time window in one row", async () => {
            const sql = qualityMetricsSql(orders, { schema, table: "orders_raw", window: { start: new Date("2024-05-01T00:00:00Z"), end: new Date("2024-05-02T00:00:00Z") } });
            const result = await pool.query(sql);
            assert.strictEqual(result.rows.length, 1);
            assert.deepStrictEqual(metricsFromRow(orders.quality, result.rows[0]), {
                orders_present: { kind: "rowCount", total: 5 },
                customer_present: { kind: "completeness", total: 5, nonNull: 4 },
                order_id_unique: { kind: "uniqueness", total: 4, uniqueRows: 2 },
                amount_in_range: { kind: "range", total: 5, inRange: 4 },
                coupon_usage: { kind: "completeness", total: 5, nonNull: 1 },
                orders_fresh: { kind: "freshness", latest: "2024-05-01T22:00:00.000Z" },
            });
        });

        it("reports no values for freshness and zero counts on an empty window", async () => {
            const sql = qualityMetricsSql(orders, { schema, table: "orders_raw", window: { start: new Date("2030-01-01T00:00:00Z"), end: new Date("2030-01-02T00:00:00Z") } });
            const metrics = metricsFromRow(orders.quality, (await pool.query(sql)).rows[0]);
            assert.deepStrictEqual([metrics.orders_present, metrics.order_id_unique, metrics.orders_fresh], [
                { kind: "rowCount", total: 0 },
                { kind: "uniqueness", total: 0, uniqueRows: 0 },
                { kind: "freshness", latest: null },
            ]);
            const report = evaluateQuality(orders.quality, metrics, { dataset: "orders", source: "warehouse", referenceTime: new Date("2030-01-02T00:00:00Z") });
            assert.deepStrictEqual(report.results.map((r) => [r.name, r.passed]), [
                ["orders_present", false],
                ["customer_present", true],
                ["order_id_unique", true],
                ["amount_in_range", true],
                ["coupon_usage", true],
                ["orders_fresh", false],
            ]);
        });

        it("runs the warehouse quality step end to end through the Data API and fails the gate on the error-level failures", async () => {
            await pool.query(`ALTER TABLE "${schema}"."orders" RENAME TO "orders_target"`);
            await pool.query(`ALTER TABLE "${schema}"."orders_raw" RENAME TO "orders"`);
            try {
                const emulator = postgresDataApi(pool);
                const warehouse = new DataApiExecutor(emulator.client, { workgroupName: "etl-test", database: "etl_test" }, { sleep: async () => undefined });
                const { result: report, lines } = await captureOutput(() =>
                    runQuality({ warehouse, schema }, { dataset: "orders", source: "warehouse", start: "2024-05-01T00:00:00Z", end: "2024-05-02T00:00:00Z", failOnError: false }),
                );
                assert.deepStrictEqual(
                    report.results.map((r) => [r.name, r.passed, r.observed]),
                    [
                        ["orders_present", true, 5],
                        ["customer_present", false, 0.8],
                        ["order_id_unique", false, 0.5],
                        ["amount_in_range", false, 0.8],
                        ["coupon_usage", true, 0.2],
                        ["orders_fresh", true, 2],
                    ],
                );
                assert.deepStrictEqual([report.passed, report.errorFailures, report.warnFailures], [false, 3, 0]);
                assert.deepStrictEqual(emulator.requests.map((r) => r.operation), ["ExecuteStatement", "DescribeStatement", "DescribeStatement", "GetStatementResult"]);
                assert.deepStrictEqual(emfDocuments(lines).at(-1)?.ErrorFailures, 3);
            } finally {
                await pool.query(`ALTER TABLE "${schema}"."orders" RENAME TO "orders_raw"`);
                await pool.query(`ALTER TABLE "${schema}"."orders_target" RENAME TO "orders"`);
            }
        });
    });
});
