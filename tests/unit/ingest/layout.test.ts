import * as assert from "assert";
import { conflictObjectKey, parseObjectKey, rawObjectKey, rejectObjectKey, sourceObjectName } from "../../../runtime/ingest/layout";
import { formatTimestamp, hourPartition, isIsoDate, parseTimestamp } from "../../../runtime/ingest/time";
import { sequenceNumber } from "../../helpers/ingest/events";

describe("event-time partitions", () => {
    const table: readonly [string, string, string][] = [
        ["2024-05-01T00:00:00Z", "2024-05-01", "00"],
        ["2024-05-01T23:59:59.999Z", "2024-05-01", "23"],
        ["2024-05-02T01:30:00+02:00", "2024-05-01", "23"],
        ["2024-12-31T22:00:00-03:00", "2025-01-01", "01"],
        ["2024-02-29T12:00:00Z", "2024-02-29", "12"],
    ];
    for (const [text, dt, hour] of table) {
        it(`puts ${text} in dt=${dt}/hour=${hour} (UTC)`, () => {
            const ms = parseTimestamp(text);
            assert.ok(ms !== undefined);
            assert.deepStrictEqual(hourPartition(ms), { dt, hour });
        });
    }

    it("parses zones, fractions and a space separator, and refuses times without a zone or out of range", () => {
        assert.strictEqual(parseTimestamp("2024-05-01 10:15:00.5Z"), Date.UTC(2024, 4, 1, 10, 15, 0, 500));
        assert.strictEqual(parseTimestamp("2024-05-01T10:15+0130"), Date.UTC(2024, 4, 1, 8, 45));
        for (const bad of ["2024-05-01T10:15:00", "2024-13-01T00:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01T10:60:00Z", "2023-02-29T00:00:00Z", "yesterday", "2024-05-01T10:15:00+25:00"]) {
            assert.strictEqual(parseTimestamp(bad), undefined, bad);
        }
        assert.strictEqual(formatTimestamp(Date.UTC(2024, 4, 1, 10, 15)), "2024-05-01T10:15:00.000Z");
    });

    it("checks calendar dates", () => {
        assert.ok(isIsoDate("2024-02-29"));
        assert.ok(!isIsoDate("2023-02-29"));
        assert.ok(!isIsoDate("2024-5-1"));
    });
});

describe("object keys", () => {
    it("name Kafka objects <topic>+<partition>+<first offset zero-padded to 20>", () => {
        assert.strictEqual(sourceObjectName({ engine: "kafka", source: "orders", partition: "3" }, "15"), "orders+3+00000000000000000015");
    });

    it("name Kinesis objects <stream>+<shardId>+<first sequence number>", () => {
        assert.strictEqual(sourceObjectName({ engine: "kinesis", source: "orders", partition: "shardId-000000000001" }, sequenceNumber(7)), `orders+shardId-000000000001+${sequenceNumber(7)}`);
    });

    it("put raw objects under <dataset>/dt=/hour= and rejects under <dataset>/error_type=/dt=/hour=", () => {
        const partition = { dt: "2024-05-01", hour: "10" };
        assert.strictEqual(rawObjectKey("orders", partition, "orders+0+00000000000000000015"), "orders/dt=2024-05-01/hour=10/orders+0+00000000000000000015.ndjson.gz");
        assert.strictEqual(
            rejectObjectKey("orders", "pattern_mismatch", partition, "orders+0+00000000000000000015"),
            "orders/error_type=pattern_mismatch/dt=2024-05-01/hour=10/orders+0+00000000000000000015.ndjson.gz",
        );
    });

    it("derive conflict keys from the content hash", () => {
        assert.strictEqual(conflictObjectKey("orders/dt=2024-05-01/hour=10/orders+0+00000000000000000015.ndjson.gz", "abcdef0123456789ffff"), "orders/dt=2024-05-01/hour=10/orders+0+00000000000000000015+abcdef0123456789.ndjson.gz");
    });

    it("split back into their parts", () => {
        assert.deepStrictEqual(parseObjectKey("orders/error_type=not_json/dt=2024-05-01/hour=10/orders-eu+12+00000000000000000015.ndjson.gz"), {
            dataset: "orders",
            errorType: "not_json",
            dt: "2024-05-01",
            hour: "10",
            source: "orders-eu",
            partition: "12",
            firstPosition: "15",
        });
        assert.deepStrictEqual(parseObjectKey(`orders/dt=2024-05-01/hour=10/orders+shardId-000000000001+${sequenceNumber(3)}+abcdef0123456789.ndjson.gz`), {
            dataset: "orders",
            dt: "2024-05-01",
            hour: "10",
            source: "orders",
            partition: "shardId-000000000001",
            firstPosition: sequenceNumber(3),
            contentHash: "abcdef0123456789",
        });
        assert.strictEqual(parseObjectKey("orders/other/file.json"), undefined);
    });
});
