import * as assert from "assert";
import { orders } from "../../../runtime/datasets";
import { decodeKinesisEvent, decodeMskEvent } from "../../../runtime/ingest/decode";
import { classifyRecord, RejectLine } from "../../../runtime/ingest/classify";
import { planBatch } from "../../../runtime/ingest/plan";
import { compileValidator } from "../../../runtime/ingest/validate";
import { renderNdjson } from "../../../runtime/ingest/write";
import { kinesisEvent, mskEvent, sequenceNumber, streamTime, validOrder } from "../../helpers/ingest/events";

const validator = compileValidator(orders);
const decode = (event: ReturnType<typeof mskEvent>) => decodeMskEvent(event, { maxRecordBytes: 10_000 });

describe("planning a batch", () => {
    it("lands a valid record with its normalised fields and the _ingest metadata", () => {
        const [record] = decode(mskEvent([{ offset: 15, key: "ORD-ABCDEFGHIJ12", value: validOrder() }]));
        const classification = classifyRecord(record!, validator);
        assert.strictEqual(classification.zone, "raw");
        const line = JSON.parse(classification.line);
        assert.deepStrictEqual(line._ingest, {
            dataset_version: 1,
            engine: "kafka",
            source: "orders",
            partition: "0",
            position: "15",
            ingest_time: new Date(streamTime).toISOString(),
            ingest_time_type: "CREATE_TIME",
            key: "ORD-ABCDEFGHIJ12",
            dt: "2024-05-01",
            hour: "10",
        });
        assert.strictEqual(line.order_id, "ORD-ABCDEFGHIJ12");
    });

    it("renders the raw line exactly as JSON.stringify of the record with its _ingest object, for text, binary and missing keys", () => {
        const records = decode(
            mskEvent([
                { offset: 1, key: "ORD-1", value: validOrder() },
                { offset: 2, value: validOrder({ event_time: "2024-05-01T09:59:59.999Z" }) },
            ]),
        );
        const binaryKey = { ...records[0]!, key: Buffer.from([0xff, 0x00]) };
        for (const record of [...records, binaryKey]) {
            const classification = classifyRecord(record, validator);
            assert.strictEqual(classification.zone, "raw");
            const parsed = JSON.parse(classification.line) as Record<string, unknown>;
            assert.strictEqual(JSON.stringify(parsed), classification.line);
        }
        const binary = JSON.parse(classifyRecord(binaryKey, validator).line)._ingest;
        assert.deepStrictEqual([binary.key, binary.key_base64], [null, "/wA="]);
        assert.strictEqual(JSON.parse(classifyRecord(records[1]!, validator).line)._ingest.hour, "09");
    });

    it("rejects a record with the first rule, field, error type, every violation, coordinates and the original payload", () => {
        const [record] = decode(mskEvent([{ offset: 16, key: "k", value: validOrder({ region: "MARS" }), headers: { trace: "t-1" } }]));
        const classification = classifyRecord(record!, validator);
        assert.strictEqual(classification.zone, "rejects");
        const line = JSON.parse(classification.line) as RejectLine;
        assert.strictEqual(line.error_type, "not_allowed");
        assert.strictEqual(line.rule, "allowed");
        assert.strictEqual(line.field, "region");
        assert.match(line.message, /region: expected one of NA, EMEA, APAC, LATAM, found "MARS"/);
        assert.strictEqual(line.violations.length, 1);
        assert.deepStrictEqual([line.engine, line.source, line.partition, line.position], ["kafka", "orders", "0", "16"]);
        assert.deepStrictEqual(JSON.parse(Buffer.from(line.payload_base64 ?? "", "base64").toString()), validOrder({ region: "MARS" }));
        assert.deepStrictEqual(JSON.parse(line.payload_text ?? ""), validOrder({ region: "MARS" }));
        assert.deepStrictEqual(line.headers, [{ key: "trace", value_base64: Buffer.from("t-1").toString("base64") }]);
        assert.strictEqual(line.key_base64, Buffer.from("k").toString("base64"));
    });

    it("lands a valid order whose headers carry non-ASCII bytes, as Lambda sends them (signed)", () => {
        const [record] = decode(mskEvent([{ offset: 17, value: validOrder(), headers: { trace: "naïve-ü", origin: "東京" } }]));
        assert.strictEqual(classifyRecord(record!, validator).zone, "raw");
        const [rejected] = decode(mskEvent([{ offset: 18, value: validOrder({ region: "MARS" }), headers: { trace: "naïve-ü" } }]));
        const line = JSON.parse(classifyRecord(rejected!, validator).line) as RejectLine;
        assert.deepStrictEqual(line.headers, [{ key: "trace", value_base64: Buffer.from("naïve-ü").toString("base64") }]);
    });

    it("keeps the decodable headers and the headers field as received on the reject line of a record with a broken header", () => {
        const event = mskEvent([{ offset: 19, value: validOrder() }]);
        const raw = [{ trace: [116, -61, -87] }, { broken: "text" }];
        const [record] = decode({ ...event, records: { "orders-0": [{ ...event.records["orders-0"]![0]!, headers: raw }] } } as unknown as ReturnType<typeof mskEvent>);
        const line = JSON.parse(classifyRecord(record!, validator).line) as RejectLine;
        assert.deepStrictEqual([line.error_type, line.field], ["undecodable", "headers"]);
        assert.deepStrictEqual(line.headers, [{ key: "trace", value_base64: Buffer.from("té").toString("base64") }]);
        assert.deepStrictEqual(line.headers_as_received, raw);
    });

    it("rejects text that is not JSON, JSON that is not an object and bytes that are not UTF-8 as poison, without payload text for binary", () => {
        const records = decode(
            mskEvent([
                { offset: 1, value: "{oops" },
                { offset: 2, value: "[1,2]" },
                { offset: 3, value: Buffer.from([0xff, 0xfe, 0x01]) },
            ]),
        );
        const lines = records.map((r) => JSON.parse(classifyRecord(r, validator).line) as RejectLine);
        assert.deepStrictEqual(
            lines.map((l) => l.error_type),
            ["not_json", "not_object", "undecodable"],
        );
        assert.strictEqual(lines[0]?.payload_text, "{oops");
        assert.strictEqual(lines[2]?.payload_text, null);
        assert.strictEqual(lines[2]?.payload_base64, Buffer.from([0xff, 0xfe, 0x01]).toString("base64"));
    });

    it("partitions rejects by the stream time and valid records by the event time", () => {
        const late = Date.UTC(2024, 4, 1, 12, 5);
        const plan = planBatch(
            "kafka",
            decode(
                mskEvent([
                    { offset: 10, value: validOrder(), timestamp: late },
                    { offset: 11, value: "nope", timestamp: late },
                ]),
            ),
            validator,
        );
        assert.deepStrictEqual(
            plan.objects.map((o) => o.key),
            ["orders/dt=2024-05-01/hour=10/orders+0+00000000000000000010.ndjson.gz", "orders/error_type=not_json/dt=2024-05-01/hour=12/orders+0+00000000000000000010.ndjson.gz"],
        );
    });

    it("makes one object per source partition and output partition, each keyed by the batch's first offset in that source partition", () => {
        const at = (hour: number) => validOrder({ event_time: `2024-05-01T${String(hour).padStart(2, "0")}:15:00Z` });
        const plan = planBatch(
            "kafka",
            decode(
                mskEvent([
                    { partition: 0, offset: 100, value: at(9) },
                    { partition: 0, offset: 101, value: at(10) },
                    { partition: 0, offset: 102, value: at(9) },
                    { partition: 1, offset: 7, value: at(10) },
                    { partition: 1, offset: 8, value: { bad: true } },
                ]),
            ),
            validator,
        );
        assert.deepStrictEqual(
            plan.objects.map((o) => [o.key, o.recordIndexes.length, o.firstPosition, o.lastPosition]),
            [
                ["orders/dt=2024-05-01/hour=09/orders+0+00000000000000000100.ndjson.gz", 2, "100", "102"],
                ["orders/dt=2024-05-01/hour=10/orders+0+00000000000000000100.ndjson.gz", 1, "101", "101"],
                ["orders/dt=2024-05-01/hour=10/orders+1+00000000000000000007.ndjson.gz", 1, "7", "7"],
                ["orders/error_type=unknown_field/dt=2024-05-01/hour=10/orders+1+00000000000000000007.ndjson.gz", 1, "8", "8"],
            ],
        );
        assert.strictEqual(plan.outcomes.length, 5);
    });

    it("produces the same objects, byte for byte, whatever order the records arrive in", () => {
        const specs = [
            { partition: 1, offset: 7, value: validOrder() },
            { partition: 0, offset: 101, value: validOrder({ order_id: "ORD-000000000001" }) },
            { partition: 0, offset: 100, value: "junk" },
            { partition: 0, offset: 99, value: validOrder({ order_id: "ORD-000000000002" }) },
        ];
        const render = (list: typeof specs) => planBatch("kafka", decode(mskEvent(list)), validator).objects.map((o) => [o.key, renderNdjson(o)]);
        assert.deepStrictEqual(render(specs), render([...specs].reverse()));
        const [, body] = render(specs).find(([key]) => key?.includes("orders+0+"))!;
        const positions = body!.trim().split("\n").map((l) => JSON.parse(l)._ingest.position);
        assert.deepStrictEqual(positions, ["99", "101"]);
    });

    it("keys Kinesis objects by stream, shard and the batch's first sequence number", () => {
        const records = decodeKinesisEvent(
            kinesisEvent([
                { sequenceNumber: sequenceNumber(5), value: validOrder() },
                { sequenceNumber: sequenceNumber(6), value: validOrder({ event_time: "2024-05-01T09:00:00Z" }) },
            ]),
            { maxRecordBytes: 10_000 },
        );
        const plan = planBatch("kinesis", records, validator);
        assert.deepStrictEqual(
            plan.objects.map((o) => o.key),
            [`orders/dt=2024-05-01/hour=10/orders+shardId-000000000000+${sequenceNumber(5)}.ndjson.gz`, `orders/dt=2024-05-01/hour=09/orders+shardId-000000000000+${sequenceNumber(5)}.ndjson.gz`],
        );
    });

    it("plans nothing for an empty batch", () => {
        const plan = planBatch("kafka", [], validator);
        assert.deepStrictEqual([plan.objects.length, plan.outcomes.length], [0, 0]);
    });

    it("turns an unexpected failure while processing a record into a processing_error reject that keeps the payload", () => {
        const [record] = decode(mskEvent([{ offset: 1, value: validOrder() }]));
        const broken = { dataset: orders, validate: () => { throw new Error("boom"); } };
        const classification = classifyRecord(record!, broken);
        assert.strictEqual(classification.zone, "rejects");
        const line = JSON.parse(classification.line) as RejectLine;
        assert.strictEqual(line.error_type, "processing_error");
        assert.match(line.message, /boom/);
        assert.deepStrictEqual(JSON.parse(line.payload_text ?? ""), validOrder());
    });
});
