import * as assert from "assert";
import { QualityReport, qualityEmfLines, runSummaryEmfLines } from "../../../runtime/quality";

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

describe("quality/emf", () => {
    it("writes one line per check and one for the report, in embedded metric format", () => {
        const lines = qualityEmfLines(report, { timestamp: 1714608000000, dimensions: { Environment: "dev" } }).map((line) => JSON.parse(line));
        assert.deepStrictEqual(lines, [
            {
                _aws: {
                    Timestamp: 1714608000000,
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
                    Timestamp: 1714608000000,
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
                    Timestamp: 1714608000000,
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

    it("uses the given namespace and no extra dimensions by default", () => {
        const [first] = qualityEmfLines(report, { namespace: "Custom/NS", timestamp: 1 }).map((line) => JSON.parse(line));
        assert.deepStrictEqual(first._aws.CloudWatchMetrics[0].Namespace, "Custom/NS");
        assert.deepStrictEqual(first._aws.CloudWatchMetrics[0].Dimensions, [["Dataset", "Check"]]);
    });

    it("turns a run summary's counts into row metrics and one line per reference", () => {
        const lines = runSummaryEmfLines(
            { dataset: "orders", rows: { read: 16, dropped: 3, duplicates: 5, written: 8 }, eventTimeOutsidePartition: 1, referenceUnmatched: { stores: 1 } },
            { timestamp: 5 },
        ).map((line) => JSON.parse(line));
        assert.deepStrictEqual(lines, [
            {
                _aws: {
                    Timestamp: 5,
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
                _aws: { Timestamp: 5, CloudWatchMetrics: [{ Namespace: "DataPlatform/Quality", Dimensions: [["Dataset", "Reference"]], Metrics: [{ Name: "RowsUnmatchedReference", Unit: "Count" }] }] },
                Dataset: "orders",
                Reference: "stores",
                RowsUnmatchedReference: 1,
            },
        ]);
    });
});
