import * as assert from "assert";
import type { KafkaMessage } from "kafkajs";
import { ConfigurationError } from "../../../runtime/common";
import { decodeKinesisEvent, decodeMskEvent } from "../../../runtime/ingest/decode";
import { buildKinesisEvent, buildMskEvent, judgeKinesisResponse } from "../../../runtime/local/events";
import { resolveBatching } from "../../../runtime/local/runner";
import { sequenceNumber } from "../../helpers/ingest/events";

const message = (offset: string, key: string | null, value: string | null, headers: KafkaMessage["headers"] = {}): KafkaMessage => ({
    key: key === null ? null : Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    timestamp: "1714558560000",
    attributes: 0,
    offset,
    headers,
});

describe("the local runners' Lambda events", () => {
    it("build MSK events keyed <topic>-<partition> that the ingest decoder reads back, null keys and values left out", () => {
        const event = buildMskEvent({ eventSourceArn: "arn:aws:kafka:local:0:cluster/x/y", bootstrapServers: "127.0.0.1:9092" }, "orders", 2, [
            message("7", "k", '{"a":1}', { trace: Buffer.from("t"), multi: ["x", Buffer.from("y")] }),
            message("8", null, null),
        ]);
        assert.deepStrictEqual(Object.keys(event.records), ["orders-2"]);
        assert.strictEqual(event.eventSource, "aws:kafka");
        const [first, second] = event.records["orders-2"]!;
        assert.deepStrictEqual(first?.headers, [{ trace: [116] }, { multi: [120] }, { multi: [121] }]);
        // Lambda writes header values as Java byte[]: signed, so "é" (C3 A9) is [-61, -87] and 0xFF is -1.
        const binary = buildMskEvent({ eventSourceArn: "a", bootstrapServers: "b" }, "t", 0, [message("1", null, "{}", { name: "é", raw: Buffer.from([0x00, 0x7f, 0x80, 0xff]) })]);
        assert.deepStrictEqual(binary.records["t-0"]?.[0]?.headers, [{ name: [-61, -87] }, { raw: [0, 127, -128, -1] }]);
        assert.deepStrictEqual(decodeMskEvent(binary, { maxRecordBytes: 100 })[0]?.headers.map((h) => [...h.value]), [[0xc3, 0xa9], [0x00, 0x7f, 0x80, 0xff]]);
        assert.ok(!("key" in second!) && !("value" in second!));
        const decoded = decodeMskEvent(event, { maxRecordBytes: 100 });
        assert.deepStrictEqual(decoded[0]?.coordinates, { engine: "kafka", source: "orders", partition: "2", position: "7", streamTimeMs: 1714558560000, streamTimeType: "CREATE_TIME" });
        assert.strictEqual(decoded[1]?.poison?.errorType, "undecodable");
    });

    it("mark broker timestamps as LOG_APPEND_TIME", () => {
        const event = buildMskEvent({ eventSourceArn: "a", bootstrapServers: "b" }, "t", 0, [{ ...message("1", null, "{}"), attributes: 0x08 }]);
        assert.strictEqual(event.records["t-0"]?.[0]?.timestampType, "LOG_APPEND_TIME");
    });

    it("build Kinesis events with seconds timestamps and shard-prefixed event ids", () => {
        const event = buildKinesisEvent({ streamArn: "arn:aws:kinesis:us-east-1:1:stream/orders", awsRegion: "us-east-1", invokeIdentityArn: "arn:aws:iam::1:role/r" }, "shardId-000000000003", [
            { SequenceNumber: sequenceNumber(1), PartitionKey: "pk", Data: Buffer.from("{}"), ApproximateArrivalTimestamp: new Date(1714558560123) },
        ]);
        const [record] = event.Records;
        assert.strictEqual(record?.eventID, `shardId-000000000003:${sequenceNumber(1)}`);
        assert.strictEqual(record?.kinesis.approximateArrivalTimestamp, 1714558560.123);
        assert.deepStrictEqual(decodeKinesisEvent(event, { maxRecordBytes: 100 })[0]?.coordinates.streamTimeMs, 1714558560123);
    });

    it("read batchItemFailures the way Lambda does", () => {
        const seqs = ["1", "2", "3"];
        assert.deepStrictEqual(judgeKinesisResponse(seqs, undefined), { kind: "success" });
        assert.deepStrictEqual(judgeKinesisResponse(seqs, { batchItemFailures: [] }), { kind: "success" });
        assert.deepStrictEqual(judgeKinesisResponse(seqs, { batchItemFailures: null }), { kind: "success" });
        assert.deepStrictEqual(judgeKinesisResponse(seqs, { batchItemFailures: [{ itemIdentifier: "3" }, { itemIdentifier: "2" }] }), { kind: "partial", retryFrom: 1 });
        assert.strictEqual(judgeKinesisResponse(seqs, { batchItemFailures: [{ itemIdentifier: "" }] }).kind, "failure");
        assert.strictEqual(judgeKinesisResponse(seqs, { batchItemFailures: [{ itemIdentifier: "9" }] }).kind, "failure");
    });

    it("apply Lambda's batching defaults and limits", () => {
        assert.deepStrictEqual(resolveBatching({}, 500), { batchSize: 100, batchingWindowMs: 500, maxRetryAttempts: Number.POSITIVE_INFINITY, retryDelayMs: 500 });
        assert.throws(() => resolveBatching({ batchSize: 20_000 }, 0), (error: unknown) => error instanceof ConfigurationError && /batchSize must be an integer between 1 and 10000, found 20000/.test(error.message));
    });
});
