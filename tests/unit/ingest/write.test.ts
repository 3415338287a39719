import * as assert from "assert";
import { gzipSync } from "zlib";
import { createMemoryObjectStore, gunzip } from "../../../runtime/common";
import { orders } from "../../../runtime/datasets";
import { RawLineMetadata, rawLineMetadataText } from "../../../runtime/ingest/classify";
import { decodeMskEvent } from "../../../runtime/ingest/decode";
import { planBatch } from "../../../runtime/ingest/plan";
import { compileValidator } from "../../../runtime/ingest/validate";
import { createObjectEncoder, encodeObject, objectMetadataNames, renderNdjson, writePlannedObjects, zoneGzipLevel } from "../../../runtime/ingest/write";
import { mskEvent, validOrder } from "../../helpers/ingest/events";
import { createFaultyStore, readAllRaw } from "../../helpers/ingest/stores";

const validator = compileValidator(orders);
const fragment = (text: string) => ({ text, bytes: Buffer.from(text, "utf8") });
const plan = (specs: Parameters<typeof mskEvent>[0]) => planBatch("kafka", decodeMskEvent(mskEvent(specs), { maxRecordBytes: 10_000 }), validator);
const batch = [
    { offset: 1, value: validOrder() },
    { offset: 2, value: "not json" },
    { offset: 3, value: validOrder({ order_id: "ORD-000000000003" }) },
];

describe("writing planned objects", () => {
    it("writes each object as gzip NDJSON with its content hash, record count and positions in the metadata", async () => {
        const store = createMemoryObjectStore();
        const planned = plan(batch);
        const results = await writePlannedObjects(planned, { store, rawBucket: "raw", rejectsBucket: "rejects", concurrency: 4 });
        assert.deepStrictEqual(
            results.map((r) => [r.bucket, r.status]),
            [
                ["raw", "written"],
                ["rejects", "written"],
            ],
        );
        const raw = store.objects("raw").get(planned.objects[0]!.key)!;
        assert.strictEqual((await gunzip(raw.body)).toString(), renderNdjson(planned.objects[0]!));
        assert.strictEqual(raw.contentType, "application/gzip");
        assert.strictEqual(raw.metadata[objectMetadataNames.recordCount], "2");
        assert.strictEqual(raw.metadata[objectMetadataNames.firstPosition], "1");
        assert.strictEqual(raw.metadata[objectMetadataNames.lastPosition], "3");
        assert.match(raw.metadata[objectMetadataNames.contentSha256] ?? "", /^[0-9a-f]{64}$/);
    });

    it("recognises an identical object that is already there and leaves it untouched", async () => {
        const store = createMemoryObjectStore();
        const targets = { store, rawBucket: "raw", rejectsBucket: "rejects", concurrency: 4 };
        await writePlannedObjects(plan(batch), targets);
        const before = await readAllRaw(store, "raw");
        const again = await writePlannedObjects(plan(batch), targets);
        assert.deepStrictEqual(
            again.map((r) => r.status),
            ["present", "present"],
        );
        assert.deepStrictEqual(await readAllRaw(store, "raw"), before);
    });

    it("stores different content found under the same key under a content-derived key, losing and overwriting nothing", async () => {
        const store = createMemoryObjectStore();
        const targets = { store, rawBucket: "raw", rejectsBucket: "rejects", concurrency: 4 };
        await writePlannedObjects(plan(batch.slice(0, 1)), targets);
        const results = await writePlannedObjects(plan(batch), targets);
        const raw = results.find((r) => r.bucket === "raw")!;
        assert.strictEqual(raw.status, "conflict");
        assert.match(raw.finalKey, /orders\+0\+00000000000000000001\+[0-9a-f]{16}\.ndjson\.gz$/);
        assert.deepStrictEqual([...store.objects("raw").keys()].sort(), [raw.key, raw.finalKey].sort());
        const retried = await writePlannedObjects(plan(batch), targets);
        assert.deepStrictEqual(retried.find((r) => r.bucket === "raw")?.finalKey, raw.finalKey);
        assert.strictEqual(store.objects("raw").size, 2);
    });

    it("reports a failed write in the result, names the error, and still writes the other objects", async () => {
        const inner = createMemoryObjectStore();
        const store = createFaultyStore(inner, (input) => (input.bucket === "rejects" ? new Error("SlowDown: please reduce your request rate") : undefined));
        const results = await writePlannedObjects(plan(batch), { store, rawBucket: "raw", rejectsBucket: "rejects", concurrency: 1 });
        assert.deepStrictEqual(
            results.map((r) => r.status),
            ["written", "failed"],
        );
        assert.match(results[1]?.error ?? "", /SlowDown/);
        assert.strictEqual(inner.objects("raw").size, 1);
    });

    it("streams lines into gzip with exactly the bytes and hash of encoding them in one go, for objects smaller and larger than a chunk, in either zone", async () => {
        // Multi-byte characters, and lines longer than a whole chunk, around the chunk boundaries.
        const text = (i: number) => (i % 7 === 0 ? "é😀ı".repeat(i % 50) : i % 500 === 499 ? "y".repeat(300_000) : "x".repeat(i % 300));
        for (const zone of ["raw", "rejects"] as const) {
            for (const count of [1, 40, 499, 500, 3000]) {
                // Every third line is a raw line given in parts: a record body and its metadata, whose key and source may hold multi-byte characters.
                const metadata = (i: number): RawLineMetadata => ({
                    source: fragment(`,"_ingest":{"source":${JSON.stringify(i % 2 === 0 ? "orders" : "órdenes😀")},"position":`),
                    position: JSON.stringify(String(i)),
                    time: `,"ingest_time":null,"key":`,
                    key: JSON.stringify(text(i + 7)),
                    partition: fragment(`,"dt":"2024-05-01","hour":"10"}}`),
                });
                const body = (i: number) => JSON.stringify({ i, text: text(i) }).slice(0, -1);
                const lines = Array.from({ length: count }, (_, i) => (i % 3 === 1 ? body(i) + rawLineMetadataText(metadata(i)) : JSON.stringify({ i, text: text(i) })));
                const encoder = createObjectEncoder(zoneGzipLevel[zone]);
                lines.forEach((line, i) => (i % 3 === 1 ? encoder.addRaw(body(i), metadata(i)) : encoder.add(line)));
                const streamed = await encoder.finish();
                const whole = await encodeObject({ lines, zone });
                assert.ok(streamed.body.equals(whole.body), `${zone}: ${count} lines`);
                assert.strictEqual(streamed.sha256, whole.sha256);
                assert.strictEqual(streamed.lineCount, count);
                assert.strictEqual((await gunzip(streamed.body)).toString(), renderNdjson({ lines }));
                assert.ok(whole.body.equals(gzipSync(renderNdjson({ lines }), { level: zone === "raw" ? 6 : 1 })), `${zone} objects are compressed at their zone's level`);
            }
        }
    });

    it("writes the same bytes for the same batch every time", async () => {
        const first = createMemoryObjectStore();
        const second = createMemoryObjectStore();
        await writePlannedObjects(plan(batch), { store: first, rawBucket: "raw", rejectsBucket: "rejects", concurrency: 4 });
        await writePlannedObjects(plan([...batch].reverse()), { store: second, rawBucket: "raw", rejectsBucket: "rejects", concurrency: 1 });
        assert.deepStrictEqual(await readAllRaw(first, "raw"), await readAllRaw(second, "raw"));
        assert.deepStrictEqual(await readAllRaw(first, "rejects"), await readAllRaw(second, "rejects"));
    });
});
