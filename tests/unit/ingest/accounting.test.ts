import * as assert from "assert";
import { orders } from "../../../runtime/datasets";
import { settleBatch } from "../../../runtime/ingest/accounting";
import { decodeKinesisEvent, decodeMskEvent } from "../../../runtime/ingest/decode";
import { planBatch } from "../../../runtime/ingest/plan";
import { compileValidator } from "../../../runtime/ingest/validate";
import { ObjectWriteResult } from "../../../runtime/ingest/write";
import { kinesisEvent, mskEvent, sequenceNumber, validOrder } from "../../helpers/ingest/events";

const validator = compileValidator(orders);
const statuses = (keys: readonly string[], failed: (key: string) => boolean): ObjectWriteResult[] =>
    keys.map((key) => ({ key, bucket: "b", status: failed(key) ? "failed" : "written", finalKey: key, bytes: 10, ...(failed(key) ? { error: "boom" } : {}) }));

describe("batch accounting", () => {
    const kafkaPlan = planBatch(
        "kafka",
        decodeMskEvent(
            mskEvent([
                { partition: 0, offset: 1, value: validOrder() },
                { partition: 0, offset: 2, value: "x" },
                { partition: 0, offset: 3, value: validOrder({ region: "MARS" }) },
                { partition: 1, offset: 9, value: validOrder() },
            ]),
            { maxRecordBytes: 10_000 },
        ),
        validator,
    );

    it("counts every record once as landed or rejected when all writes succeed", () => {
        const { summary, batchItemFailures } = settleBatch(kafkaPlan, statuses(kafkaPlan.objects.map((o) => o.key), () => false), orders);
        assert.deepStrictEqual(summary.counts, { in: 4, landed: 2, rejected: 2, failed: 0 });
        assert.deepStrictEqual(summary.rejectedByType, { not_json: 1, not_allowed: 1 });
        assert.deepStrictEqual(summary.objects, { planned: 4, written: 4, alreadyPresent: 0, conflicts: 0, failed: 0, bytes: 40 });
        assert.deepStrictEqual(summary.sources, [
            { sourceId: "kafka:orders:0", firstPosition: "1", lastPosition: "3", records: 3 },
            { sourceId: "kafka:orders:1", firstPosition: "9", lastPosition: "9", records: 1 },
        ]);
        assert.deepStrictEqual(batchItemFailures, []);
    });

    it("counts the records of failed Kafka objects as failed and lists the failures", () => {
        const failedKey = kafkaPlan.objects.find((o) => o.zone === "raw" && o.sourceId === "kafka:orders:1")!.key;
        const { summary } = settleBatch(kafkaPlan, statuses(kafkaPlan.objects.map((o) => o.key), (key) => key === failedKey), orders);
        assert.deepStrictEqual(summary.counts, { in: 4, landed: 1, rejected: 2, failed: 1 });
        assert.deepStrictEqual(summary.failures, [{ bucket: "b", key: failedKey, error: "boom" }]);
    });

    it("reports a Kinesis shard's records from its first record in the batch when any object of the shard fails", () => {
        const plan = planBatch(
            "kinesis",
            decodeKinesisEvent(
                kinesisEvent([
                    { shardId: "shardId-000000000001", sequenceNumber: sequenceNumber(1), value: validOrder() },
                    { shardId: "shardId-000000000001", sequenceNumber: sequenceNumber(2), value: "junk" },
                    { shardId: "shardId-000000000001", sequenceNumber: sequenceNumber(3), value: validOrder() },
                    { shardId: "shardId-000000000002", sequenceNumber: sequenceNumber(4), value: validOrder() },
                ]),
                { maxRecordBytes: 10_000 },
            ),
            validator,
        );
        const rejectsKey = plan.objects.find((o) => o.zone === "rejects")!.key;
        const { summary, batchItemFailures } = settleBatch(plan, statuses(plan.objects.map((o) => o.key), (key) => key === rejectsKey), orders);
        assert.deepStrictEqual(batchItemFailures, [sequenceNumber(1), sequenceNumber(2), sequenceNumber(3)]);
        assert.deepStrictEqual(summary.counts, { in: 4, landed: 1, rejected: 0, failed: 3 });
    });

    it("balances an empty batch", () => {
        const { summary } = settleBatch(planBatch("kinesis", [], validator), [], orders);
        assert.deepStrictEqual(summary.counts, { in: 0, landed: 0, rejected: 0, failed: 0 });
    });

    it("refuses write results that do not match the plan", () => {
        assert.throws(() => settleBatch(kafkaPlan, [], orders), /4 objects were planned but 0 write results/);
    });
});
