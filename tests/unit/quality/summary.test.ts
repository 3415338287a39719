import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { orders } from "../../../runtime/datasets";
import { evaluateQuality, parseRunSummary } from "../../../runtime/quality";

/** The summary the Spark job wrote for the test data in tests/spark (kept identical by a pytest test). */
const fixture = fs.readFileSync(path.join(__dirname, "fixtures", "orders-run-summary.json"), "utf8");

describe("quality/summary", () => {
    it("parses the transform job's run summary", () => {
        const summary = parseRunSummary(fixture);
        assert.deepStrictEqual(
            { dataset: summary.dataset, range: summary.range, rows: summary.rows, partitions: summary.partitions.length, unmatched: summary.referenceUnmatched },
            {
                dataset: "orders",
                range: { start: "2024-05-01T10:00:00Z", end: "2024-05-02T02:00:00Z" },
                rows: { read: 16, dropped: 3, malformed: 2, missingRequired: 1, duplicates: 5, written: 8 },
                partitions: 2,
                unmatched: { customers: 1, stores: 1 },
            },
        );
    });

    it("judges the run's metrics: the 2,000,000 order breaks amount_in_range (7 of 8 < 0.999)", () => {
        const summary = parseRunSummary(fixture);
        const report = evaluateQuality(orders.quality, summary.qualityMetrics, { dataset: "orders", source: "sparkRun", referenceTime: new Date(summary.range.end) });
        assert.deepStrictEqual(
            report.results.map((result) => [result.name, result.passed, result.observed]),
            [
                ["orders_present", true, 8],
                ["customer_present", true, 1],
                ["order_id_unique", true, 1],
                ["amount_in_range", false, 0.875],
                ["coupon_usage", true, 0.125],
                ["orders_fresh", true, -3],
            ],
        );
        assert.deepStrictEqual([report.passed, report.errorFailures, report.warnFailures], [false, 1, 0]);
    });

    const broken: [string, (document: Record<string, any>) => void, string][] = [
        ["another version", (d) => (d.summaryVersion = 2), "run summary: summaryVersion 2 is not supported (expected 1); deploy matching job and quality step"],
        ["a bad range end", (d) => (d.range.end = "yesterday"), "run summary: range.end must be an ISO-8601 timestamp"],
        ["counts that do not add up", (d) => (d.rows.written = 9), "run summary: rows: read (16) != malformed (2) + missingRequired (1) + duplicates (5) + written (9)"],
        ["a wrong dropped total", (d) => (d.rows.dropped = 2), "run summary: rows: dropped (2) != malformed (2) + missingRequired (1)"],
        ["partitions that disagree with the totals", (d) => {
            d.partitions[0].read = 11;
            d.partitions[0].written = 4;
        }, "run summary: rows.read (16) != the sum over partitions (17)"],
        ["no quality metrics", (d) => delete d.qualityMetrics, "run summary: qualityMetrics must be an object"],
    ];
    for (const [what, mutate, message] of broken) {
        it(`refuses ${what}`, () => {
            const document = JSON.parse(fixture);
            mutate(document);
            assert.throws(() => parseRunSummary(JSON.stringify(document)), { name: "QualityInputError", message });
        });
    }

    it("refuses text that is not JSON, naming the source", () => {
        assert.throws(() => parseRunSummary("{", "s3://b/_runs/orders/x.json"), (error: Error) => error.name === "QualityInputError" && error.message.startsWith("s3://b/_runs/orders/x.json is not JSON: "));
    });
});
