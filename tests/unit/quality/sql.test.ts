import * as assert from "assert";
import { orders } from "../../../runtime/datasets";
import { checkMetricSql, metricsFromRow, qualityMetricsSql } from "../../../runtime/quality";

const window = { start: new Date("2024-05-01T00:00:00Z"), end: new Date("2024-05-02T00:00:00Z") };
const inWindow = `"event_time" >= CAST('2024-05-01 00:00:00.000+00' AS TIMESTAMPTZ) AND "event_time" < CAST('2024-05-02 00:00:00.000+00' AS TIMESTAMPTZ)`;

describe("quality/sql", () => {
    it("generates one query per check kind, restricted to the event-time window", () => {
        assert.deepStrictEqual(
            orders.quality.map((check, index) => checkMetricSql(orders, check, index, { schema: "analytics", window })),
            [
                `SELECT COUNT(*) AS c0_total FROM "analytics"."orders" WHERE ${inWindow}`,
                `SELECT COUNT(*) AS c1_total, COUNT("customer_id") AS c1_non_null FROM "analytics"."orders" WHERE ${inWindow}`,
                `SELECT COALESCE(SUM(n), 0) AS c2_total, COALESCE(SUM(CASE WHEN n = 1 THEN 1 ELSE 0 END), 0) AS c2_unique_rows FROM (SELECT COUNT(*) AS n FROM "analytics"."orders" WHERE "order_id" IS NOT NULL AND ${inWindow} GROUP BY "order_id") AS groups_2`,
                `SELECT COUNT("amount") AS c3_total, COUNT(CASE WHEN "amount" IS NOT NULL AND "amount" >= 0 AND "amount" <= 1000000 THEN 1 END) AS c3_in_range FROM "analytics"."orders" WHERE ${inWindow}`,
                `SELECT COUNT(*) AS c4_total, COUNT("coupon_code") AS c4_non_null FROM "analytics"."orders" WHERE ${inWindow}`,
                `SELECT CAST(FLOOR(EXTRACT(EPOCH FROM MAX("event_time"))) AS BIGINT) AS c5_latest_epoch FROM "analytics"."orders" WHERE ${inWindow}`,
            ],
        );
    });

    it("queries the whole table when no window is given", () => {
        assert.strictEqual(checkMetricSql(orders, orders.quality[0], 0, { schema: "analytics", table: "orders_v2" }), 'SELECT COUNT(*) AS c0_total FROM "analytics"."orders_v2"');
    });

    it("combines every check into one single-row query", () => {
        const sql = qualityMetricsSql(orders, { schema: "analytics" });
        assert.ok(sql.startsWith('SELECT * FROM (SELECT COUNT(*) AS c0_total FROM "analytics"."orders") AS m0 CROSS JOIN (SELECT COUNT(*) AS c1_total'));
        assert.strictEqual(sql.split(" CROSS JOIN ").length, orders.quality.length);
    });

    it("refuses an empty window", () => {
        assert.throws(() => qualityMetricsSql(orders, { schema: "analytics", window: { start: window.end, end: window.start } }), {
            name: "QualityInputError",
            message: "window end (2024-05-01T00:00:00.000Z) must be after its start (2024-05-02T00:00:00.000Z)",
        });
    });

    it("reads the metrics back from the row, converting counts and the epoch", () => {
        const row = { c0_total: "8", c1_total: "8", c1_non_null: "8", c2_total: "8", c2_unique_rows: "8", c3_total: 8, c3_in_range: 7, c4_total: "8", c4_non_null: "1", c5_latest_epoch: "1714626000" };
        assert.deepStrictEqual(metricsFromRow(orders.quality, row), {
            orders_present: { kind: "rowCount", total: 8 },
            customer_present: { kind: "completeness", total: 8, nonNull: 8 },
            order_id_unique: { kind: "uniqueness", total: 8, uniqueRows: 8 },
            amount_in_range: { kind: "range", total: 8, inRange: 7 },
            coupon_usage: { kind: "completeness", total: 8, nonNull: 1 },
            orders_fresh: { kind: "freshness", latest: "2024-05-02T05:00:00.000Z" },
        });
    });

    it("reads a null epoch as no values and names a missing column", () => {
        const row = { c0_total: 0, c1_total: 0, c1_non_null: 0, c2_total: 0, c2_unique_rows: 0, c3_total: 0, c3_in_range: 0, c4_total: 0, c4_non_null: 0, c5_latest_epoch: null };
        assert.deepStrictEqual(metricsFromRow(orders.quality, row).orders_fresh, { kind: "freshness", latest: null });
        const { c3_in_range: _gone, ...partial } = row;
        assert.throws(() => metricsFromRow(orders.quality, partial), {
            message: "metrics row lacks column 'c3_in_range' for check 'amount_in_range'; run the query qualityMetricsSql generated for this dataset",
        });
    });
});
