import * as assert from "assert";
import { ObjectStoreError } from "../../../runtime/common/errors";
import { createBuckets, motoEndpoint, motoStore, requireMoto, uniqueName } from "../../helpers/ingest/services";
import { startFaultProxy } from "../../helpers/ingest/faultProxy";

describe("the S3 object store against moto", () => {
    let bucket: string;
    before(async () => {
        await requireMoto();
        bucket = uniqueName("store");
        await createBuckets(bucket);
    });

    it("creates conditionally: a second PutObject with If-None-Match: * gets 412, reported as 'exists', and the first object stays", async () => {
        const store = motoStore();
        assert.strictEqual(await store.putObject({ bucket, key: "k", body: Buffer.from("first"), ifNoneMatch: true, metadata: { "ndjson-sha256": "abc" } }), "created");
        assert.strictEqual(await store.putObject({ bucket, key: "k", body: Buffer.from("second"), ifNoneMatch: true }), "exists");
        assert.strictEqual(Buffer.from((await store.getObject(bucket, "k"))!).toString(), "first");
        assert.deepStrictEqual((await store.headObject(bucket, "k"))?.metadata, { "ndjson-sha256": "abc" });
    });

    it("answers undefined for missing objects and lists keys under a prefix", async () => {
        const store = motoStore();
        assert.strictEqual(await store.headObject(bucket, "missing"), undefined);
        assert.strictEqual(await store.getObject(bucket, "missing"), undefined);
        await store.putObject({ bucket, key: "p/b", body: Buffer.from("x") });
        await store.putObject({ bucket, key: "p/a", body: Buffer.from("x") });
        assert.deepStrictEqual(await store.listKeys(bucket, "p/"), ["p/a", "p/b"]);
    });

    it("turns an unanswered request into an ObjectStoreError within the configured timeout", async () => {
        const proxy = await startFaultProxy(motoEndpoint);
        proxy.setRule(() => "stall");
        const store = motoStore(proxy.endpoint, { requestTimeoutMs: 300, maxAttempts: 2 });
        const started = Date.now();
        await assert.rejects(store.putObject({ bucket, key: "slow", body: Buffer.from("x"), ifNoneMatch: true }), (error: unknown) => error instanceof ObjectStoreError && /PutObject s3:\/\/.*\/slow failed/.test(error.message));
        assert.ok(Date.now() - started < 5_000);
        await proxy.close();
    });
});
