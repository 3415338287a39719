import * as assert from "assert";
import { ConfigurationError, createMemoryObjectStore, decodeBase64Strict, getBooleanFromEnv, getEnumFromEnv, getIntegerFromEnv, getStringFromEnv, gunzip, gzipDeterministic, isUtf8, mapSettledWithConcurrency } from "../../../runtime/common";

describe("environment helpers", () => {
    it("read strings, trimmed, with defaults, and fail naming the variable when missing", () => {
        assert.strictEqual(getStringFromEnv({ key: "A", env: { A: "  value " } }), "value");
        assert.strictEqual(getStringFromEnv({ key: "A", env: { A: " " }, defaultValue: "d" }), "d");
        assert.throws(
            () => getStringFromEnv({ key: "RAW_BUCKET", env: {}, purpose: "the raw-zone bucket" }),
            (error: unknown) =>
                error instanceof ConfigurationError &&
                error.setting === "RAW_BUCKET" &&
                error.message === "environment variable RAW_BUCKET (the raw-zone bucket) is not set; expected a non-empty string; set RAW_BUCKET in the function's environment",
        );
    });

    it("read bounded integers, booleans and enums, naming what was expected and found", () => {
        assert.strictEqual(getIntegerFromEnv({ key: "N", env: { N: "12" }, min: 1, max: 20 }), 12);
        assert.throws(() => getIntegerFromEnv({ key: "N", env: { N: "21" }, min: 1, max: 20 }), /N must be an integer between 1 and 20, found '21'/);
        assert.throws(() => getIntegerFromEnv({ key: "N", env: { N: "1.5" } }), /found '1.5'/);
        assert.strictEqual(getBooleanFromEnv({ key: "B", env: { B: "Yes" } }), true);
        assert.strictEqual(getBooleanFromEnv({ key: "B", env: {}, defaultValue: false }), false);
        assert.throws(() => getBooleanFromEnv({ key: "B", env: { B: "maybe" } }), /B must be true or false, found 'maybe'/);
        assert.strictEqual(getEnumFromEnv({ key: "E", env: { E: "kinesis" }, allowed: ["kafka", "kinesis"] }), "kinesis");
        assert.throws(() => getEnumFromEnv({ key: "E", env: { E: "sqs" }, allowed: ["kafka", "kinesis"] }), /E must be one of kafka, kinesis, found 'sqs'/);
    });
});

describe("the in-memory object store", () => {
    it("creates conditionally like S3: a taken key answers 'exists' and is not overwritten", async () => {
        const store = createMemoryObjectStore();
        assert.strictEqual(await store.putObject({ bucket: "b", key: "k", body: Buffer.from("one"), ifNoneMatch: true, metadata: { "Content-SHA": "x" } }), "created");
        assert.strictEqual(await store.putObject({ bucket: "b", key: "k", body: Buffer.from("two"), ifNoneMatch: true }), "exists");
        assert.strictEqual(Buffer.from((await store.getObject("b", "k"))!).toString(), "one");
        assert.deepStrictEqual((await store.headObject("b", "k"))?.metadata, { "content-sha": "x" });
        assert.strictEqual(await store.putObject({ bucket: "b", key: "k", body: Buffer.from("three") }), "created");
        assert.strictEqual(Buffer.from((await store.getObject("b", "k"))!).toString(), "three");
        assert.strictEqual(await store.headObject("b", "missing"), undefined);
        assert.deepStrictEqual(store.requests, { put: 3, head: 2, get: 2, list: 0 });
    });

    it("lists keys under a prefix in order and copies bodies", async () => {
        const store = createMemoryObjectStore();
        const body = Buffer.from("abc");
        await store.putObject({ bucket: "b", key: "p/2", body });
        await store.putObject({ bucket: "b", key: "p/1", body });
        await store.putObject({ bucket: "b", key: "q/1", body });
        body[0] = 0;
        assert.deepStrictEqual(await store.listKeys("b", "p/"), ["p/1", "p/2"]);
        assert.strictEqual(Buffer.from((await store.getObject("b", "p/1"))!).toString(), "abc");
    });
});

describe("encoding helpers", () => {
    it("gzip deterministically and round-trip", async () => {
        const text = "line\n".repeat(1000);
        const [a, b] = await Promise.all([gzipDeterministic(text), gzipDeterministic(text)]);
        assert.ok(a.equals(b));
        assert.strictEqual((await gunzip(a)).toString(), text);
        assert.strictEqual(a.readUInt32LE(4), 0, "the gzip header must carry no modification time");
    });

    it("decode only canonical padded base64", () => {
        assert.strictEqual(decodeBase64Strict("aGVsbG8=")?.toString(), "hello");
        assert.strictEqual(decodeBase64Strict("")?.byteLength, 0);
        for (const bad of ["aGVsbG8", "aGV sbG8=", "a===", "!!!!"]) {
            assert.strictEqual(decodeBase64Strict(bad), undefined, bad);
        }
    });

    it("tell UTF-8 from other bytes", () => {
        assert.ok(isUtf8(Buffer.from("héllo ✓")));
        assert.ok(!isUtf8(Buffer.from([0xc3, 0x28])));
    });
});

describe("bounded concurrency", () => {
    it("runs at most `limit` tasks at once and keeps results in input order, failures included", async () => {
        let running = 0;
        let peak = 0;
        const results = await mapSettledWithConcurrency([5, 1, 3, 2, 4], 2, async (n) => {
            running += 1;
            peak = Math.max(peak, running);
            await new Promise((resolve) => setTimeout(resolve, n));
            running -= 1;
            if (n === 3) {
                throw new Error("three");
            }
            return n * 10;
        });
        assert.strictEqual(peak, 2);
        assert.deepStrictEqual(
            results.map((r) => (r.ok ? r.value : (r.error as Error).message)),
            [50, 10, "three", 20, 40],
        );
    });
});
