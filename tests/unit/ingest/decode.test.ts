import * as assert from "assert";
import { comparePositions, decodeKinesisEvent, decodeMskEvent, streamNameFromArn } from "../../../runtime/ingest/decode";
import { EventShapeError } from "../../../runtime/ingest/errors";
import { MskEvent } from "../../../runtime/ingest/types";
import { b64, kinesisEvent, mskEvent, sequenceNumber, streamTime, validOrder } from "../../helpers/ingest/events";

const options = { maxRecordBytes: 1024 };

describe("decoding MSK events", () => {
    it("decodes key, value, headers and coordinates of each record", () => {
        const event = mskEvent([{ offset: 15, key: "order-1", value: validOrder(), headers: { trace: "abc", source: "pos" } }]);
        const [record] = decodeMskEvent(event, options);
        assert.ok(record);
        assert.deepStrictEqual(record.coordinates, { engine: "kafka", source: "orders", partition: "0", position: "15", streamTimeMs: streamTime, streamTimeType: "CREATE_TIME" });
        assert.strictEqual(record.key?.toString(), "order-1");
        assert.deepStrictEqual(JSON.parse(record.value?.toString() ?? ""), validOrder());
        assert.deepStrictEqual(
            record.headers.map((h) => [h.key, h.value.toString()]),
            [
                ["trace", "abc"],
                ["source", "pos"],
            ],
        );
        assert.strictEqual(record.poison, undefined);
    });

    it("gives a null key to records without one, whether absent or null", () => {
        const event = mskEvent([{ offset: 1, value: validOrder() }]);
        const withNull: MskEvent = { ...event, records: { "orders-0": [{ ...event.records["orders-0"]![0]!, key: null }] } };
        assert.strictEqual(decodeMskEvent(event, options)[0]?.key, null);
        assert.strictEqual(decodeMskEvent(withNull, options)[0]?.key, null);
    });

    it("decodes records of several topics and partitions", () => {
        const event = mskEvent([
            { topic: "orders", partition: 0, offset: 5, value: "{}" },
            { topic: "orders", partition: 2, offset: 9, value: "{}" },
            { topic: "orders-eu", partition: 1, offset: 3, value: "{}" },
        ]);
        const coordinates = decodeMskEvent(event, options).map((r) => `${r.coordinates.source}/${r.coordinates.partition}/${r.coordinates.position}`);
        assert.deepStrictEqual(coordinates.sort(), ["orders-eu/1/3", "orders/0/5", "orders/2/9"]);
    });

    it("decodes an empty batch to no records", () => {
        assert.deepStrictEqual(decodeMskEvent({ eventSource: "aws:kafka", records: {} }, options), []);
    });

    it("keeps the timestamp type and treats a missing timestamp as unknown", () => {
        const event = mskEvent([{ offset: 1, value: "{}", timestampType: "LOG_APPEND_TIME" }]);
        const record = event.records["orders-0"]![0]!;
        const noTime: MskEvent = { ...event, records: { "orders-0": [{ ...record, timestamp: -1 }] } };
        assert.strictEqual(decodeMskEvent(event, options)[0]?.coordinates.streamTimeType, "LOG_APPEND_TIME");
        assert.strictEqual(decodeMskEvent(noTime, options)[0]?.coordinates.streamTimeMs, null);
    });

    it("marks a record without value as undecodable poison", () => {
        const [record] = decodeMskEvent(mskEvent([{ offset: 1, value: null }]), options);
        assert.strictEqual(record?.poison?.errorType, "undecodable");
        assert.strictEqual(record?.poison?.field, "value");
    });

    it("marks a value that is not base64 as undecodable and keeps it as received", () => {
        const event = mskEvent([{ offset: 1, value: "{}" }]);
        const broken: MskEvent = { ...event, records: { "orders-0": [{ ...event.records["orders-0"]![0]!, value: "not*base64!" }] } };
        const [record] = decodeMskEvent(broken, options);
        assert.strictEqual(record?.poison?.errorType, "undecodable");
        assert.strictEqual(record?.valueAsReceived, "not*base64!");
    });

    it("marks malformed headers and keys as undecodable", () => {
        const event = mskEvent([{ offset: 1, value: "{}" }]);
        const base = event.records["orders-0"]![0]!;
        const badHeaders = { ...event, records: { "orders-0": [{ ...base, headers: [{ h: [300] }] }] } } as MskEvent;
        const badKey = { ...event, records: { "orders-0": [{ ...base, key: "%%%" }] } } as MskEvent;
        assert.strictEqual(decodeMskEvent(badHeaders, options)[0]?.poison?.field, "headers");
        assert.strictEqual(decodeMskEvent(badKey, options)[0]?.poison?.field, "key");
    });

    it("reads header values as Lambda sends them: Java signed bytes, -128 to 127 (and unsigned spellings of the same bytes)", () => {
        const event = mskEvent([{ offset: 1, value: "{}" }]);
        const base = event.records["orders-0"]![0]!;
        // "é" is C3 A9 in UTF-8; Lambda writes [-61, -87]. 0xFF arrives as -1.
        const signed = { ...event, records: { "orders-0": [{ ...base, headers: [{ name: [-61, -87] }, { bin: [-128, -1, 0, 127] }] }] } } as MskEvent;
        const [record] = decodeMskEvent(signed, options);
        assert.strictEqual(record?.poison, undefined);
        assert.strictEqual(record?.headers[0]?.value.toString("utf8"), "é");
        assert.deepStrictEqual([...record!.headers[1]!.value], [0x80, 0xff, 0, 0x7f]);
        const unsigned = { ...event, records: { "orders-0": [{ ...base, headers: [{ name: [0xc3, 0xa9] }] }] } } as MskEvent;
        assert.deepStrictEqual(decodeMskEvent(unsigned, options)[0]?.headers[0]?.value, Buffer.from("é"));
    });

    it("keeps the headers that decode, and the field as received, when one header is not bytes", () => {
        const event = mskEvent([{ offset: 1, value: "{}" }]);
        const base = event.records["orders-0"]![0]!;
        const raw: Record<string, number[]>[] = [{ good: [104, -61, -87] }, { bad: [-129] }, { also: [1.5] }];
        const [record] = decodeMskEvent({ ...event, records: { "orders-0": [{ ...base, headers: raw }] } } as unknown as MskEvent, options);
        assert.strictEqual(record?.poison?.field, "headers");
        assert.match(record!.poison!.message, /headers\[1\]\.bad\[0\] must be a byte \(an integer from -128 to 127\), found -129/);
        assert.deepStrictEqual(record?.headers.map((h) => [h.key, h.value.toString("utf8")]), [["good", "hé"]]);
        assert.deepStrictEqual(record?.headersAsReceived, raw);
    });

    it("marks payloads above the size limit as oversized, keeping the bytes", () => {
        const [record] = decodeMskEvent(mskEvent([{ offset: 1, value: "x".repeat(1025) }]), options);
        assert.strictEqual(record?.poison?.errorType, "oversized");
        assert.strictEqual(record?.value?.byteLength, 1025);
        assert.strictEqual(decodeMskEvent(mskEvent([{ offset: 1, value: "x".repeat(1024) }]), options)[0]?.poison, undefined);
    });

    it("rejects an event that is not an MSK event, naming the path", () => {
        assert.throws(() => decodeMskEvent({ Records: [] } as unknown as MskEvent, options), (error: unknown) => error instanceof EventShapeError && error.path === "event.records");
    });

    it("rejects a record without an offset, naming the path", () => {
        const event = mskEvent([{ offset: 1, value: "{}" }]);
        const { offset: _omit, ...rest } = event.records["orders-0"]![0]!;
        const broken = { ...event, records: { "orders-0": [rest] } } as unknown as MskEvent;
        assert.throws(() => decodeMskEvent(broken, options), /event\.records\['orders-0'\]\[0\]\.offset/);
    });

    it("falls back to the group key for topic and partition", () => {
        const event = { eventSource: "aws:kafka", records: { "my-topic-7": [{ offset: 3, timestamp: streamTime, value: b64("{}") }] } } as unknown as MskEvent;
        const [record] = decodeMskEvent(event, options);
        assert.strictEqual(record?.coordinates.source, "my-topic");
        assert.strictEqual(record?.coordinates.partition, "7");
    });
});

describe("decoding Kinesis events", () => {
    it("decodes data, partition key, stream, shard and sequence number; timestamps are seconds", () => {
        const event = kinesisEvent([{ sequenceNumber: sequenceNumber(1), value: validOrder(), partitionKey: "ORD-1", arrivalMs: streamTime + 987 }]);
        const [record] = decodeKinesisEvent(event, options);
        assert.deepStrictEqual(record?.coordinates, {
            engine: "kinesis",
            source: "orders",
            partition: "shardId-000000000000",
            position: sequenceNumber(1),
            streamTimeMs: streamTime + 987,
            streamTimeType: "APPROXIMATE_ARRIVAL",
        });
        assert.strictEqual(record?.key?.toString(), "ORD-1");
        assert.deepStrictEqual(JSON.parse(record?.value?.toString() ?? ""), validOrder());
    });

    it("decodes an empty batch to no records", () => {
        assert.deepStrictEqual(decodeKinesisEvent({ Records: [] }, options), []);
    });

    it("marks data that is not base64 as undecodable", () => {
        const event = kinesisEvent([{ sequenceNumber: sequenceNumber(1), value: "{}" }]);
        const broken = { Records: [{ ...event.Records[0]!, kinesis: { ...event.Records[0]!.kinesis, data: "@@@" } }] };
        assert.strictEqual(decodeKinesisEvent(broken, options)[0]?.poison?.errorType, "undecodable");
    });

    it("rejects records without a stream ARN or sequence number", () => {
        const event = kinesisEvent([{ sequenceNumber: sequenceNumber(1), value: "{}" }]);
        const noArn = { Records: [{ ...event.Records[0]!, eventSourceARN: "arn:aws:sqs:us-east-1:1:queue" }] };
        const noSeq = { Records: [{ ...event.Records[0]!, kinesis: { ...event.Records[0]!.kinesis, sequenceNumber: "" } }] };
        assert.throws(() => decodeKinesisEvent(noArn, options), /eventSourceARN/);
        assert.throws(() => decodeKinesisEvent(noSeq, options), /sequenceNumber/);
    });

    it("reads the stream name from its ARN", () => {
        assert.strictEqual(streamNameFromArn("arn:aws:kinesis:eu-west-1:123456789012:stream/orders-prod"), "orders-prod");
        assert.strictEqual(streamNameFromArn("arn:aws:kafka:eu-west-1:1:cluster/x"), undefined);
    });
});

describe("comparing positions", () => {
    it("orders decimal offsets and sequence numbers numerically, beyond 2^53", () => {
        assert.ok(comparePositions("9", "10") < 0);
        assert.ok(comparePositions(sequenceNumber(2), sequenceNumber(10)) < 0);
        assert.ok(comparePositions("49590000000000000000000000000000000000000000000000000002", "4959000000000000000000000000000000000000000000000000001") > 0);
        assert.strictEqual(comparePositions("007", "7"), 0);
    });
});
