import * as assert from "assert";
import { createQualityMetrics, publishQualityReport, publishRunSummary, QualityReport } from "../../../runtime/quality";
import { captureOutput } from "../../helpers/output";

const report: QualityReport = {
    dataset: "orders",
    source: "sparkRun",
    referenceTime: "2024-05-02T00:00:00.000Z",
    passed: false,
    errorFailures: 1,
    warnFailures: 1,
    results: [
        { name: "order_id_unique", kind: "uniqueness", level: "error", passed: false, observed: 0.75, unexpected: 2, expected: ">= 1", message: "m1" },
        { name: "orders_fresh", kind: "freshness", level: "warn", passed: false, observed: null, unexpected: null, expected: "<= 26 h", message: "m2" },
    ],
};

// EMF timestamps must lie within the last 14 days for CloudWatch (Powertools warns otherwise).
const timestamp = Date.now() - 60_000;

describe("quality metrics through Powertools Metrics", () => {
    it("publishes one EMF document per check and one for the report, with the names, units and dimensions the alarms read", async () => {
        const { lines } = await captureOutput(() => publishQualityReport(createQualityMetrics({ dimensions: { Environment: "dev" } }), report, timestamp));
        assert.deepStrictEqual(lines, [
            {
                _aws: {
                    Timestamp: timestamp,
                    CloudWatchMetrics: [{ Namespace: "DataPlatform/Quality", Dimensions: [["Environment", "Dataset", "Check"]], Metrics: [{ Name: "CheckPassed", Unit: "Count" }, { Name: "ObservedValue", Unit: "None" }] }],
                },
                Environment: "dev",
                Dataset: "orders",
                Check: "order_id_unique",
                Kind: "uniqueness",
                Level: "error",
                Source: "sparkRun",
                CheckPassed: 0,
                Message: "m1",
                ObservedValue: 0.75,
            },
            {
                _aws: {
                    Timestamp: timestamp,
                    CloudWatchMetrics: [{ Namespace: "DataPlatform/Quality", Dimensions: [["Environment", "Dataset", "Check"]], Metrics: [{ Name: "CheckPassed", Unit: "Count" }] }],
                },
                Environment: "dev",
                Dataset: "orders",
                Check: "orders_fresh",
                Kind: "freshness",
                Level: "warn",
                Source: "sparkRun",
                CheckPassed: 0,
                Message: "m2",
            },
            {
                _aws: {
                    Timestamp: timestamp,
                    CloudWatchMetrics: [
                        {
                            Namespace: "DataPlatform/Quality",
                            Dimensions: [["Environment", "Dataset"]],
                            Metrics: [{ Name: "QualityPassed", Unit: "Count" }, { Name: "ErrorFailures", Unit: "Count" }, { Name: "WarnFailures", Unit: "Count" }],
                        },
                    ],
                },
                Environment: "dev",
                Dataset: "orders",
                Source: "sparkRun",
                QualityPassed: 0,
                ErrorFailures: 1,
                WarnFailures: 1,
            },
        ]);
    });

    it("uses the given namespace, adds no service dimension and no extra dimensions by default", async () => {
        const { lines } = await captureOutput(() => publishQualityReport(createQualityMetrics({ namespace: "Custom/NS" }), report, timestamp));
        const first = lines[0] as { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] }; service?: unknown };
        assert.strictEqual(first._aws.CloudWatchMetrics[0]?.Namespace, "Custom/NS");
        assert.deepStrictEqual(first._aws.CloudWatchMetrics[0]?.Dimensions, [["Dataset", "Check"]]);
        assert.strictEqual(first.service, undefined);
    });

    it("stamps each document with the time of publishing when no timestamp is given", async () => {
        const before = Date.now();
        const { lines } = await captureOutput(() => publishQualityReport(createQualityMetrics(), report));
        const stamps = lines.map((line) => (line._aws as { Timestamp: number }).Timestamp);
        assert.ok(stamps.every((stamp) => stamp >= before && stamp <= Date.now()), `timestamps ${stamps.join(", ")}`);
    });

    it("turns a run summary's counts into row metrics and one document per reference", async () => {
        const { lines } = await captureOutput(() =>
            publishRunSummary(
                createQualityMetrics(),
                { dataset: "orders", rows: { read: 16, dropped: 3, duplicates: 5, written: 8 }, eventTimeOutsidePartition: 1, referenceUnmatched: { stores: 1 } },
                timestamp,
            ),
        );
        assert.deepStrictEqual(lines, [
            {
                _aws: {
                    Timestamp: timestamp,
                    CloudWatchMetrics: [
                        {
                            Namespace: "DataPlatform/Quality",
                            Dimensions: [["Dataset"]],
                            Metrics: ["RowsRead", "RowsDropped", "RowsDuplicate", "RowsWritten", "RowsOutsidePartition"].map((Name) => ({ Name, Unit: "Count" })),
                        },
                    ],
                },
                Dataset: "orders",
                RowsRead: 16,
                RowsDropped: 3,
                RowsDuplicate: 5,
                RowsWritten: 8,
                RowsOutsidePartition: 1,
            },
            {
                _aws: { Timestamp: timestamp, CloudWatchMetrics: [{ Namespace: "DataPlatform/Quality", Dimensions: [["Dataset", "Reference"]], Metrics: [{ Name: "RowsUnmatchedReference", Unit: "Count" }] }] },
                Dataset: "orders",
                Reference: "stores",
                RowsUnmatchedReference: 1,
            },
        ]);
    });
});
