import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { orders } from "../../../runtime/datasets";
import { createLogger } from "../../../runtime/common/telemetry";
import { createQualityMetrics, QualityGateFailedError, runQuality } from "../../../runtime/quality";
import { BatchOutcome, ResultRow, StatementRunner } from "../../../runtime/warehouse";
import { captureOutput, emfDocuments } from "../../helpers/output";

const fixture = fs.readFileSync(path.join(__dirname, "fixtures", "orders-run-summary.json"), "utf8");

function s3With(objects: Record<string, string>) {
    const requests: { Bucket?: string; Key?: string }[] = [];
    return {
        requests,
        send: async (command: unknown) => {
            assert.ok(command instanceof GetObjectCommand);
            requests.push(command.input);
            const body = objects[`${command.input.Bucket}/${command.input.Key}`];
            if (body === undefined) {
                throw Object.assign(new Error("The specified key does not exist."), { name: "NoSuchKey" });
            }
            return { Body: { transformToString: async () => body } };
        },
    } as unknown as { requests: { Bucket?: string; Key?: string }[]; send: never };
}

class MetricsRunner implements StatementRunner {
    readonly queries: string[] = [];
    constructor(private readonly row: ResultRow) {}
    async executeBatch(): Promise<BatchOutcome> {
        throw new Error("not expected");
    }
    async query(sql: string): Promise<ResultRow[]> {
        this.queries.push(sql);
        return [this.row];
    }
}

/** Runs `action` with its log and metric lines captured, so they stay out of the test report. */
async function quietly<T>(action: () => Promise<T>): Promise<T> {
    return (await captureOutput(action)).result;
}

describe("quality/handler", () => {
    it("judges a Spark run summary from S3, emits the run and check metrics, and fails the gate on error-level failures", async () => {
        const s3 = s3With({ "etl-dev-curated/curated/_runs/orders/20240501T10_20240502T02.json": fixture });
        const { lines } = await captureOutput(() =>
            assert.rejects(
                runQuality({ s3, metrics: createQualityMetrics(), logger: createLogger({ serviceName: "quality" }) }, { dataset: "orders", source: "sparkRun", summaryUri: "s3://etl-dev-curated/curated/_runs/orders/20240501T10_20240502T02.json" }),
                (error: unknown) => {
                    assert.ok(error instanceof QualityGateFailedError);
                    assert.strictEqual(
                        error.message,
                        "data quality gate failed for dataset 'orders' (sparkRun): amount_in_range: share of amount within [0, 1000000] is 0.875 (7 of 8 rows); expected at least 0.999",
                    );
                    assert.strictEqual(error.report.errorFailures, 1);
                    return true;
                },
            ),
        );
        assert.deepStrictEqual(s3.requests, [{ Bucket: "etl-dev-curated", Key: "curated/_runs/orders/20240501T10_20240502T02.json" }]);
        assert.deepStrictEqual(emfDocuments(lines).map((line) => line.Check ?? (line.RowsRead !== undefined ? "run" : (line.Reference ?? "report"))), [
            "run",
            "customers",
            "stores",
            "orders_present",
            "customer_present",
            "order_id_unique",
            "amount_in_range",
            "coupon_usage",
            "orders_fresh",
            "report",
        ]);
        const log = lines.filter((line) => line._aws === undefined);
        assert.deepStrictEqual(
            log.map((line) => [line.level, line.service, line.message, line.dataset, (line.failed as { check: string }[]).map((failure) => failure.check)]),
            [["ERROR", "quality", "an error-level quality check failed", "orders", ["amount_in_range"]]],
        );
    });

    it("returns the failing report instead of throwing when failOnError is false", async () => {
        const s3 = s3With({ "bkt/s.json": fixture });
        const report = await quietly(() => runQuality({ s3 }, { dataset: "orders", source: "sparkRun", summaryUri: "s3://bkt/s.json", failOnError: false }));
        assert.deepStrictEqual([report.passed, report.source, report.referenceTime], [false, "sparkRun", "2024-05-02T02:00:00.000Z"]);
    });

    it("refuses a summary of another dataset", async () => {
        const s3 = s3With({ "bkt/s.json": fixture.replace('"dataset": "orders"', '"dataset": "payments"') });
        await assert.rejects(quietly(() => runQuality({ s3 }, { dataset: "orders", source: "sparkRun", summaryUri: "s3://bkt/s.json" })), {
            name: "QualityInputError",
            message: "s3://bkt/s.json is a summary of dataset 'payments', not 'orders'; pass the matching summaryUri",
        });
    });

    it("queries the warehouse for the window and passes when every error-level check holds", async () => {
        const runner = new MetricsRunner({ c0_total: 3, c1_total: 3, c1_non_null: 3, c2_total: 3, c2_unique_rows: 3, c3_total: 3, c3_in_range: 3, c4_total: 3, c4_non_null: 0, c5_latest_epoch: 1714600000 });
        const { result: report, lines } = await captureOutput(() =>
            runQuality({ warehouse: runner, schema: "sales" }, { dataset: "orders", source: "warehouse", start: "2024-05-01T00:00:00Z", end: "2024-05-02T00:00:00Z" }),
        );
        assert.deepStrictEqual([report.passed, report.errorFailures, report.warnFailures], [true, 0, 1]);
        assert.strictEqual(runner.queries.length, 1);
        assert.ok(runner.queries[0].includes('FROM "sales"."orders" WHERE "event_time" >= CAST(\'2024-05-01 00:00:00.000+00\' AS TIMESTAMPTZ)'));
        assert.strictEqual(emfDocuments(lines).length, orders.quality.length + 1);
        assert.strictEqual(lines.find((line) => line._aws === undefined)?.message, "quality checks passed");
    });
});


