import * as assert from "assert";
import { orders, QualityCheck } from "../../../runtime/datasets";
import { CheckMetric, evaluateCheck, evaluateQuality, QualityInputError } from "../../../runtime/quality";

const at = new Date("2024-05-02T00:00:00Z");

describe("quality/evaluate", () => {
    describe("evaluateCheck", () => {
        type Row = [string, QualityCheck, CheckMetric, boolean, number | null, number | null, string];
        const table: Row[] = [
            ["a row count at the minimum passes", { kind: "rowCount", name: "n", min: 1, level: "error" }, { kind: "rowCount", total: 1 }, true, 1, null, "row count is 1; expected >= 1"],
            ["an empty table fails a minimum of 1", { kind: "rowCount", name: "n", min: 1, level: "error" }, { kind: "rowCount", total: 0 }, false, 0, null, "row count is 0; expected >= 1"],
            ["a row count above the maximum fails", { kind: "rowCount", name: "n", min: 1, max: 100, level: "error" }, { kind: "rowCount", total: 101 }, false, 101, null, "row count is 101; expected between 1 and 100"],
            ["a row count at the maximum passes", { kind: "rowCount", name: "n", min: 1, max: 100, level: "error" }, { kind: "rowCount", total: 100 }, true, 100, null, "row count is 100; expected between 1 and 100"],
            ["full completeness meets mostly 1", { kind: "completeness", name: "c", column: "customer_id", mostly: 1, level: "error" }, { kind: "completeness", total: 8, nonNull: 8 }, true, 1, 0, "completeness of customer_id is 1 (8 of 8 rows); expected at least 1"],
            ["one null fails mostly 1", { kind: "completeness", name: "c", column: "customer_id", mostly: 1, level: "error" }, { kind: "completeness", total: 8, nonNull: 7 }, false, 0.875, 1, "completeness of customer_id is 0.875 (7 of 8 rows); expected at least 1"],
            ["a low completeness meets a low mostly", { kind: "completeness", name: "c", column: "coupon_code", mostly: 0.01, level: "warn" }, { kind: "completeness", total: 100, nonNull: 1 }, true, 0.01, 99, "completeness of coupon_code is 0.01 (1 of 100 rows); expected at least 0.01"],
            ["no rows are vacuously complete", { kind: "completeness", name: "c", column: "coupon_code", mostly: 0.5, level: "warn" }, { kind: "completeness", total: 0, nonNull: 0 }, true, 1, 0, "completeness of coupon_code is 1 (0 of 0 rows); expected at least 0.5"],
            ["duplicates fail uniqueness", { kind: "uniqueness", name: "u", columns: ["order_id"], mostly: 1, level: "error" }, { kind: "uniqueness", total: 10, uniqueRows: 8 }, false, 0.8, 2, "uniqueness of (order_id) is 0.8 (8 of 10 rows); expected at least 1"],
            ["compound keys are named together", { kind: "uniqueness", name: "u", columns: ["a", "b"], mostly: 0.5, level: "warn" }, { kind: "uniqueness", total: 4, uniqueRows: 2 }, true, 0.5, 2, "uniqueness of (a, b) is 0.5 (2 of 4 rows); expected at least 0.5"],
            ["999 of 1000 in range meets 0.999 exactly", { kind: "range", name: "r", column: "amount", min: 0, max: 1_000_000, mostly: 0.999, level: "error" }, { kind: "range", total: 1000, inRange: 999 }, true, 0.999, 1, "share of amount within [0, 1000000] is 0.999 (999 of 1000 rows); expected at least 0.999"],
            ["998 of 1000 in range misses 0.999", { kind: "range", name: "r", column: "amount", min: 0, max: 1_000_000, mostly: 0.999, level: "error" }, { kind: "range", total: 1000, inRange: 998 }, false, 0.998, 2, "share of amount within [0, 1000000] is 0.998 (998 of 1000 rows); expected at least 0.999"],
            ["an open bound reads as infinity", { kind: "range", name: "r", column: "amount", min: 0, mostly: 1, level: "error" }, { kind: "range", total: 3, inRange: 3 }, true, 1, 0, "share of amount within [0, +∞] is 1 (3 of 3 rows); expected at least 1"],
            ["data 26 h old meets 26 h", { kind: "freshness", name: "f", column: "event_time", maxAgeHours: 26, level: "warn" }, { kind: "freshness", latest: "2024-04-30T22:00:00.000Z" }, true, 26, null, "newest event_time is 2024-04-30T22:00:00.000Z, 26 h before 2024-05-02T00:00:00.000Z; expected at most 26 h"],
            ["data 26.5 h old misses 26 h", { kind: "freshness", name: "f", column: "event_time", maxAgeHours: 26, level: "warn" }, { kind: "freshness", latest: "2024-04-30T21:30:00.000Z" }, false, 26.5, null, "newest event_time is 2024-04-30T21:30:00.000Z, 26.5 h before 2024-05-02T00:00:00.000Z; expected at most 26 h"],
            ["no values are never fresh", { kind: "freshness", name: "f", column: "event_time", maxAgeHours: 26, level: "warn" }, { kind: "freshness", latest: null }, false, null, null, "event_time has no values, so nothing is fresh; expected the newest within 26 h of 2024-05-02T00:00:00.000Z"],
        ];
        for (const [what, check, metric, passed, observed, unexpected, message] of table) {
            it(what, () => {
                const result = evaluateCheck(check, metric, at);
                assert.deepStrictEqual(
                    { passed: result.passed, observed: result.observed, unexpected: result.unexpected, message: result.message, level: result.level, name: result.name },
                    { passed, observed, unexpected, message, level: check.level, name: check.name },
                );
            });
        }
    });

    describe("evaluateQuality", () => {
        const healthy = {
            orders_present: { kind: "rowCount", total: 8 },
            customer_present: { kind: "completeness", total: 8, nonNull: 8 },
            order_id_unique: { kind: "uniqueness", total: 8, uniqueRows: 8 },
            amount_in_range: { kind: "range", total: 8, inRange: 8 },
            coupon_usage: { kind: "completeness", total: 8, nonNull: 1 },
            orders_fresh: { kind: "freshness", latest: "2024-05-01T23:00:00.000Z" },
        };

        it("passes when every check passes", () => {
            const report = evaluateQuality(orders.quality, healthy, { dataset: "orders", source: "sparkRun", referenceTime: at });
            assert.deepStrictEqual(
                { passed: report.passed, errorFailures: report.errorFailures, warnFailures: report.warnFailures, referenceTime: report.referenceTime, checks: report.results.map((r) => [r.name, r.passed]) },
                {
                    passed: true,
                    errorFailures: 0,
                    warnFailures: 0,
                    referenceTime: "2024-05-02T00:00:00.000Z",
                    checks: [["orders_present", true], ["customer_present", true], ["order_id_unique", true], ["amount_in_range", true], ["coupon_usage", true], ["orders_fresh", true]],
                },
            );
        });

        it("still passes when only warn-level checks fail", () => {
            const report = evaluateQuality(
                orders.quality,
                { ...healthy, coupon_usage: { kind: "completeness", total: 1000, nonNull: 0 }, orders_fresh: { kind: "freshness", latest: null } },
                { dataset: "orders", source: "warehouse", referenceTime: at },
            );
            assert.deepStrictEqual([report.passed, report.errorFailures, report.warnFailures], [true, 0, 2]);
        });

        it("fails when an error-level check fails", () => {
            const report = evaluateQuality(orders.quality, { ...healthy, order_id_unique: { kind: "uniqueness", total: 8, uniqueRows: 6 } }, { dataset: "orders", source: "sparkRun", referenceTime: at });
            assert.deepStrictEqual([report.passed, report.errorFailures, report.warnFailures], [false, 1, 0]);
        });

        it("fails a check that has no metric, at the check's level", () => {
            const { orders_present: _dropped, ...rest } = healthy;
            const report = evaluateQuality(orders.quality, rest, { dataset: "orders", source: "sparkRun", referenceTime: at });
            assert.deepStrictEqual(report.results[0], {
                name: "orders_present",
                kind: "rowCount",
                level: "error",
                passed: false,
                observed: null,
                unexpected: null,
                expected: "a metric",
                message: "no metric was produced for this check; rerun the producer with the current dataset definition",
            });
            assert.strictEqual(report.passed, false);
        });

        it("refuses a metric of another kind or with impossible counts", () => {
            assert.throws(
                () => evaluateQuality(orders.quality, { ...healthy, orders_present: { kind: "completeness", total: 1, nonNull: 1 } }, { dataset: "orders", source: "sparkRun", referenceTime: at }),
                (error: Error) =>
                    error instanceof QualityInputError &&
                    error.message === "metric of check 'orders_present' has kind 'completeness' but the check is 'rowCount'; produce metrics from the same dataset definition",
            );
            assert.throws(() => evaluateQuality(orders.quality, { ...healthy, customer_present: { kind: "completeness", total: 1, nonNull: 2 } }, { dataset: "orders", source: "sparkRun", referenceTime: at }), {
                message: "metric of check 'customer_present': nonNull (2) exceeds total (1)",
            });
            assert.throws(() => evaluateQuality(orders.quality, { ...healthy, orders_present: { kind: "rowCount", total: -1 } }, { dataset: "orders", source: "sparkRun", referenceTime: at }), {
                message: "metric of check 'orders_present': total must be a non-negative integer; found -1",
            });
        });

        it("accepts counts given as numeric strings, as SQL drivers return them", () => {
            const report = evaluateQuality(orders.quality, { ...healthy, orders_present: { kind: "rowCount", total: "12" } }, { dataset: "orders", source: "warehouse", referenceTime: at });
            assert.strictEqual(report.results[0].observed, 12);
        });
    });
});
