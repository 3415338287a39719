import * as assert from "assert";
import { BatchSummary } from "../../../runtime/ingest/accounting";
import { createPowertoolsTelemetry, ingestMetricNames } from "../../../runtime/ingest/telemetry";

/** Runs `action` while capturing everything written to stdout and stderr, one parsed JSON document per line. */
function captureOutput(action: () => void): Record<string, unknown>[] {
    const streams = [process.stdout, process.stderr];
    const originals = streams.map((stream) => stream.write.bind(stream));
    const chunks: string[] = [];
    for (const stream of streams) {
        stream.write = ((chunk: string | Uint8Array) => {
            chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString());
            return true;
        }) as typeof stream.write;
    }
    try {
        action();
    } finally {
        streams.forEach((stream, index) => {
            stream.write = originals[index] as typeof stream.write;
        });
    }
    return chunks
        .join("")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const summary: BatchSummary = {
    dataset: "orders",
    datasetVersion: 1,
    engine: "kafka",
    counts: { in: 10, landed: 6, rejected: 3, failed: 1 },
    alreadyStoredRecords: 2,
    rejectedByType: { not_json: 2, cross_field: 1 },
    objects: { planned: 5, written: 3, alreadyPresent: 1, conflicts: 0, failed: 1, bytes: 1234 },
    sources: [{ sourceId: "kafka:orders:0", firstPosition: "1", lastPosition: "10", records: 10 }],
    failures: [{ bucket: "raw", key: "orders/dt=2024-05-01/hour=10/orders+0+00000000000000000001.ndjson.gz", error: "InternalError" }],
    windows: [{ zone: "raw", source: "orders", dt: "2024-05-01", hour: "10", records: 3, bytes: 1000 }],
    conflicts: [],
};

describe("ingest telemetry through Powertools", () => {
    const previous = process.env.POWERTOOLS_METRICS_DISABLED;
    before(() => {
        delete process.env.POWERTOOLS_METRICS_DISABLED;
    });
    after(() => {
        if (previous !== undefined) {
            process.env.POWERTOOLS_METRICS_DISABLED = previous;
        }
    });

    it("logs one structured line with the accounting and publishes EMF metrics in the configured namespace", () => {
        const output = captureOutput(() => {
            const telemetry = createPowertoolsTelemetry({ namespace: "Test/Ingest", serviceName: "ingest-test", dataset: "orders", engine: "kafka" });
            telemetry.batchProcessed(summary, 42);
        });
        const log = output.find((line) => line.message !== undefined);
        assert.ok(log, "no log line");
        assert.strictEqual(log.level, "ERROR");
        assert.strictEqual(log.service, "ingest-test");
        assert.deepStrictEqual(log.accounting, { in: 10, landed: 6, rejected: 3, failed: 1 });
        assert.deepStrictEqual([log.dataset, log.engine], ["orders", "kafka"]);
        assert.strictEqual((log.failures as unknown[]).length, 1);

        const emf = output.filter((line) => line._aws !== undefined);
        const batch = emf.find((line) => line[ingestMetricNames.recordsIn] !== undefined);
        assert.ok(batch, "no EMF document with the batch metrics");
        const directive = (batch._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] }).CloudWatchMetrics[0]!;
        assert.strictEqual(directive.Namespace, "Test/Ingest");
        assert.deepStrictEqual([...(directive.Dimensions[0] ?? [])].sort(), ["dataset", "engine", "service"]);
        assert.deepStrictEqual(
            [batch.RecordsIn, batch.RecordsLanded, batch.RecordsRejected, batch.RecordsFailed, batch.ObjectWriteFailures, batch.BatchFailures, batch.BatchDuration],
            [10, 6, 3, 1, 1, 1, 42],
        );
        const byType = emf.filter((line) => line[ingestMetricNames.recordsRejectedByType] !== undefined).map((line) => [line.errorType, line.RecordsRejectedByType]);
        assert.deepStrictEqual(byType.sort(), [
            ["cross_field", 1],
            ["not_json", 2],
        ]);
    });

    it("logs at INFO when the batch had no failures", () => {
        const output = captureOutput(() => {
            createPowertoolsTelemetry({ namespace: "Test/Ingest", serviceName: "ingest-test", dataset: "orders", engine: "kinesis" }).batchProcessed(
                { ...summary, counts: { in: 9, landed: 6, rejected: 3, failed: 0 }, failures: [], objects: { ...summary.objects, failed: 0 } },
                5,
            );
        });
        assert.strictEqual(output.find((line) => line.message !== undefined)?.level, "INFO");
    });
});
