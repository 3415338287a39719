import * as assert from "assert";
import { orders } from "../../../runtime/datasets";
import { createFirehoseTransformHandlerWith } from "../../../runtime/firehose/handler";
import { FirehoseTelemetry } from "../../../runtime/firehose/telemetry";
import { FirehoseTransformation, transformFirehoseEvent } from "../../../runtime/firehose/transform";
import { FirehoseTransformationEvent } from "../../../runtime/firehose/types";
import { decodeKinesisEvent } from "../../../runtime/ingest/decode";
import { EventShapeError } from "../../../runtime/ingest/errors";
import { planBatch } from "../../../runtime/ingest/plan";
import { compileValidator } from "../../../runtime/ingest/validate";
import { firehoseEvent } from "../../helpers/firehose/events";
import { kinesisEvent, KinesisRecordSpec, sequenceNumber, validOrder } from "../../helpers/ingest/events";

const pipeline = { validator: compileValidator(orders), maxRecordBytes: 10_000 };
const decoded = (data: string) => Buffer.from(data, "base64").toString("utf8");

const mixed: KinesisRecordSpec[] = [
    { sequenceNumber: sequenceNumber(1), partitionKey: "ORD-ABCDEFGHIJ12", value: validOrder() },
    { sequenceNumber: sequenceNumber(2), value: validOrder({ amount: "lots" }) },
    { sequenceNumber: sequenceNumber(3), value: "not json" },
    { sequenceNumber: sequenceNumber(4), shardId: "shardId-000000000001", value: validOrder({ order_id: "ORD-ABCDEFGHIJ13", event_time: "2024-05-01T09:59:00Z" }) },
    { sequenceNumber: sequenceNumber(5), value: "x".repeat(10_001) },
];

describe("Firehose transformation: the ingest validation under the record-transformation contract", () => {
    it("returns every input recordId exactly once, in input order", () => {
        const event = firehoseEvent(mixed);
        const { response } = transformFirehoseEvent(event, pipeline);
        assert.deepStrictEqual(
            response.records.map((r) => r.recordId),
            event.records.map((r) => r.recordId),
        );
    });

    it("returns Ok with the same raw-zone line the Lambda path writes, newline-terminated, for each valid record", () => {
        const { response } = transformFirehoseEvent(firehoseEvent(mixed), pipeline);
        const lambdaPlan = planBatch("kinesis", decodeKinesisEvent(kinesisEvent(mixed), { maxRecordBytes: 10_000 }), pipeline.validator);
        const lambdaRawLines = lambdaPlan.objects.filter((o) => o.zone === "raw").flatMap((o) => o.lines);
        const okLines = response.records.filter((r) => r.result === "Ok").map((r) => decoded(r.data));
        assert.strictEqual(okLines.length, 2);
        assert.ok(okLines.every((line) => line.endsWith("\n") && !line.slice(0, -1).includes("\n")));
        assert.deepStrictEqual(okLines.map((line) => line.slice(0, -1)).sort(), [...lambdaRawLines].sort());
    });

    it("gives each Ok record the dt and hour partition keys of its event time", () => {
        const { response } = transformFirehoseEvent(firehoseEvent(mixed), pipeline);
        assert.deepStrictEqual(
            response.records.filter((r) => r.result === "Ok").map((r) => r.metadata?.partitionKeys),
            [
                { dt: "2024-05-01", hour: "10" },
                { dt: "2024-05-01", hour: "09" },
            ],
        );
    });

    it("marks bad records ProcessingFailed with their original data and their reason, and never drops one", () => {
        const event = firehoseEvent(mixed);
        const t = transformFirehoseEvent(event, pipeline);
        const failed = t.response.records.filter((r) => r.result === "ProcessingFailed");
        assert.deepStrictEqual(
            failed.map((r) => r.data),
            [event.records[1]!.data, event.records[2]!.data, event.records[4]!.data],
        );
        assert.ok(failed.every((r) => r.metadata === undefined));
        assert.ok(t.response.records.every((r) => r.result !== "Dropped"));
        assert.deepStrictEqual(
            t.rejects.map((r) => [r.recordId, r.sequenceNumber, r.errorType, r.field]),
            [
                [event.records[1]!.recordId, sequenceNumber(2), "type_mismatch", "amount"],
                [event.records[2]!.recordId, sequenceNumber(3), "not_json", "value"],
                [event.records[4]!.recordId, sequenceNumber(5), "oversized", "data"],
            ],
        );
        assert.ok(t.rejects.every((r) => r.message.length > 10));
        assert.deepStrictEqual(t.counts, { in: 5, ok: 2, failed: 3 });
        assert.deepStrictEqual(t.rejectedByType, { type_mismatch: 1, not_json: 1, oversized: 1 });
    });

    it("rejects the same records for the same reasons as the Lambda path", () => {
        const t = transformFirehoseEvent(firehoseEvent(mixed), pipeline);
        const lambdaPlan = planBatch("kinesis", decodeKinesisEvent(kinesisEvent(mixed), { maxRecordBytes: 10_000 }), pipeline.validator);
        const lambdaRejects = lambdaPlan.records
            .map((record, i) => ({ position: record.coordinates.position, errorType: lambdaPlan.outcomes[i]!.errorType }))
            .filter((r) => r.errorType !== undefined);
        assert.deepStrictEqual(
            t.rejects.map((r) => ({ position: r.sequenceNumber, errorType: r.errorType })),
            lambdaRejects,
        );
    });

    it("lands a good batch whole and fails a bad batch whole", () => {
        const good = transformFirehoseEvent(firehoseEvent([1, 2, 3].map((n) => ({ sequenceNumber: sequenceNumber(n), value: validOrder({ order_id: `ORD-ABCDEFGHIJ2${n}` }) }))), pipeline);
        assert.deepStrictEqual(good.counts, { in: 3, ok: 3, failed: 0 });
        const bad = transformFirehoseEvent(firehoseEvent([1, 2].map((n) => ({ sequenceNumber: sequenceNumber(n), value: validOrder({ currency: "euro" }) }))), pipeline);
        assert.deepStrictEqual(bad.counts, { in: 2, ok: 0, failed: 2 });
        assert.deepStrictEqual(bad.response.records.map((r) => r.result), ["ProcessingFailed", "ProcessingFailed"]);
    });

    it("fails a record without Kinesis metadata or with an unusable sequence number, and keeps the rest of the batch", () => {
        const event = firehoseEvent(mixed.slice(0, 1).concat([{ sequenceNumber: sequenceNumber(9), value: validOrder() }, { sequenceNumber: sequenceNumber(10), value: validOrder() }]));
        const { kinesisRecordMetadata: _dropped, ...withoutMetadata } = event.records[1]!;
        const broken: FirehoseTransformationEvent = {
            ...event,
            records: [event.records[0]!, withoutMetadata, { ...event.records[2]!, kinesisRecordMetadata: { ...event.records[2]!.kinesisRecordMetadata!, sequenceNumber: "12ab" } }],
        };
        const t = transformFirehoseEvent(broken, pipeline);
        assert.deepStrictEqual(t.response.records.map((r) => r.result), ["Ok", "ProcessingFailed", "ProcessingFailed"]);
        assert.deepStrictEqual(t.rejects.map((r) => [r.errorType, r.field]), [
            ["undecodable", "kinesisRecordMetadata"],
            ["undecodable", "kinesis.sequenceNumber"],
        ]);
        assert.match(t.rejects[1]!.message, /event\.records\[2\]\.kinesisRecordMetadata: expected a decimal sequence number, found "12ab"/);
    });

    it("answers an empty batch with no records", () => {
        assert.deepStrictEqual(transformFirehoseEvent(firehoseEvent([]), pipeline).response, { records: [] });
    });

    for (const [title, event, path] of [
        ["no records list", { invocationId: "x", deliveryStreamArn: "arn", region: "us-east-1", sourceKinesisStreamArn: "arn:aws:kinesis:us-east-1:1:stream/orders" }, "event.records"],
        ["no source stream (a Direct PUT delivery stream)", { ...firehoseEvent(mixed), sourceKinesisStreamArn: undefined }, "event.sourceKinesisStreamArn"],
        ["a record without a recordId", { ...firehoseEvent(mixed), records: [{ ...firehoseEvent(mixed).records[0]!, recordId: "" }] }, "event.records[0].recordId"],
    ] as const) {
        it(`throws an EventShapeError naming the path for ${title}`, () => {
            assert.throws(
                () => transformFirehoseEvent(event, pipeline),
                (error: unknown) => error instanceof EventShapeError && error.path === path,
            );
        });
    }
});

describe("Firehose transformation handler", () => {
    function recording(): FirehoseTelemetry & { transformed: FirehoseTransformation[]; errors: unknown[] } {
        const transformed: FirehoseTransformation[] = [];
        const errors: unknown[] = [];
        return { transformed, errors, setContext: () => undefined, batchTransformed: (t) => void transformed.push(t), batchErrored: (e) => void errors.push(e) };
    }

    it("reads its dataset from DATASET and reports each invocation", async () => {
        const telemetry = recording();
        const handler = createFirehoseTransformHandlerWith({ env: { DATASET: "orders", MAX_RECORD_BYTES: "10000" }, telemetry });
        const response = await handler(firehoseEvent(mixed));
        assert.deepStrictEqual(response.records.map((r) => r.result), ["Ok", "ProcessingFailed", "ProcessingFailed", "Ok", "ProcessingFailed"]);
        assert.deepStrictEqual(telemetry.transformed.map((t) => t.counts), [{ in: 5, ok: 2, failed: 3 }]);
    });

    it("reports and rethrows an unusable envelope so Firehose retries the invocation", async () => {
        const telemetry = recording();
        const handler = createFirehoseTransformHandlerWith({ env: { DATASET: "orders" }, telemetry });
        await assert.rejects(handler({ records: "nope" } as never), EventShapeError);
        assert.strictEqual(telemetry.errors.length, 1);
    });

    it("refuses an unknown dataset at cold start, naming DATASET and the known ones", () => {
        assert.throws(() => createFirehoseTransformHandlerWith({ env: { DATASET: "nope" }, telemetry: recording() }), /DATASET: unknown dataset 'nope'; expected one of: .*orders/);
    });
});
