import * as assert from "assert";
import { gunzip } from "../../../runtime/common/encoding";
import { createS3ObjectStore, MaintenanceObjectStore } from "../../../runtime/common/objectStore";
import { orders } from "../../../runtime/datasets";
import { DatasetDefinition } from "../../../runtime/datasets/types";
import { ingestEvent } from "../../../runtime/ingest/process";
import { MskEvent } from "../../../runtime/ingest/types";
import { compileValidator } from "../../../runtime/ingest/validate";
import { exitCodes, runBatchCli } from "../../../runtime/batch/main";
import { createBuckets, credentials, motoEndpoint, region, requireMoto, uniqueName } from "../../helpers/ingest/services";
import { createCrashingStore } from "../../unit/batch/helpers";
import { recordAs } from "../../helpers/iam/recorder";
import { expectedCompactedKey, expectedReplayId, ordersBatchAt, ordersBeforeFix, rawBatchKey, replayBatch, replayBatchName, replayRejectKeys } from "../../unit/batch/fixtures";
import { captureOutput } from "../../helpers/output";

/** Every object of a bucket as key → text (gunzipped when gzip), read back from moto. */
async function objectsOf(store: MaintenanceObjectStore, bucket: string): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    for (const { key } of await store.listObjects(bucket, "")) {
        const body = Buffer.from((await store.getObject(bucket, key)) ?? new Uint8Array());
        result.set(key, body[0] === 0x1f && body[1] === 0x8b ? (await gunzip(body)).toString("utf8") : body.toString("utf8"));
    }
    return result;
}

function line(text: string | undefined, needle: string): string {
    const found = (text ?? "").split("\n").find((candidate) => candidate.includes(needle));
    assert.ok(found, `no line with ${needle}`);
    return found;
}

describe("batch job against S3 (moto)", () => {
    let store: MaintenanceObjectStore;

    before(async () => {
        await requireMoto();
        store = createS3ObjectStore({ endpoint: motoEndpoint, forcePathStyle: true, region, credentials });
    });

    async function zones(dataset: DatasetDefinition, events: readonly MskEvent[]): Promise<{ raw: string; rejects: string }> {
        const buckets = { raw: uniqueName("raw"), rejects: uniqueName("rejects") };
        await createBuckets(buckets.raw, buckets.rejects);
        const pipeline = { validator: compileValidator(dataset), targets: { store, rawBucket: buckets.raw, rejectsBucket: buckets.rejects, concurrency: 4 }, maxRecordBytes: 1 << 20 };
        for (const event of events) {
            const settled = await recordAs({ component: "ingest", dataset: dataset.name, buckets: { [buckets.raw]: "raw", [buckets.rejects]: "rejects" } }, () => ingestEvent("kafka", event, pipeline));
            assert.strictEqual(settled.summary.counts.failed, 0);
        }
        return buckets;
    }

    function cli(argv: readonly string[], buckets: { raw: string; rejects: string }, target: MaintenanceObjectStore = store) {
        const env = { RAW_BUCKET: buckets.raw, REJECTS_BUCKET: buckets.rejects, AWS_BATCH_JOB_ID: "job-it", BATCH_CONCURRENCY: "1" };
        // The job runs as the batch job role; the dataset is the one the command line names.
        const dataset = argv[argv.indexOf("--dataset") + 1] ?? "orders";
        return recordAs({ component: "batch", dataset, buckets: { [buckets.raw]: "raw", [buckets.rejects]: "rejects" } }, () =>
            captureOutput(() => runBatchCli(argv, { env, store: target })),
        ).then(({ result: code, lines }) => ({ code, lines }));
    }

    it("replays rejects end to end: exact raw and rejects objects, conditional writes and deletes on S3", async () => {
        const buckets = await zones(ordersBeforeFix, [replayBatch]);
        const fixedBuckets = await zones(orders, [replayBatch]);
        const withFix = { raw: await objectsOf(store, fixedBuckets.raw), rejects: await objectsOf(store, fixedBuckets.rejects) };
        const rejectsBefore = await objectsOf(store, buckets.rejects);

        const { code, lines } = await cli(["replay-rejects", "--dataset", "orders", "--from", "2024-05-01T00", "--to", "2024-05-02T00"], buckets);
        assert.strictEqual(code, exitCodes.ok);
        const report = lines.find((entry) => entry.message === "replay finished")?.report as { counts: unknown } | undefined;
        assert.deepStrictEqual(report?.counts, { in: 6, replayed: 2, stillRejected: 4 });

        const r1 = expectedReplayId(replayRejectKeys.notAllowed);
        const r2 = expectedReplayId(replayRejectKeys.length);
        const raw = await objectsOf(store, buckets.raw);
        const ingestRaw = `orders/dt=2024-05-01/hour=10/${replayBatchName}.ndjson.gz`;
        assert.deepStrictEqual([...raw.keys()], [`orders/dt=2024-05-01/hour=09/replay-${r2}.ndjson.gz`, ingestRaw, `orders/dt=2024-05-01/hour=10/replay-${r1}.ndjson.gz`]);
        assert.strictEqual(raw.get(`orders/dt=2024-05-01/hour=10/replay-${r1}.ndjson.gz`), `${line(withFix.raw.get(ingestRaw), "ORD-AAAAAAAAAAA1")}\n`);
        assert.strictEqual(raw.get(`orders/dt=2024-05-01/hour=09/replay-${r2}.ndjson.gz`), withFix.raw.get(`orders/dt=2024-05-01/hour=09/${replayBatchName}.ndjson.gz`));

        const rejects = await objectsOf(store, buckets.rejects);
        const crossField = `orders/error_type=cross_field/dt=2024-05-01/hour=10/replay-${r1}.ndjson.gz`;
        assert.deepStrictEqual([...rejects.keys()], [crossField, `orders/error_type=not_allowed/dt=2024-05-01/hour=10/replay-${r1}.ndjson.gz`, replayRejectKeys.notJson, replayRejectKeys.undecodable]);
        assert.strictEqual(rejects.get(crossField), withFix.rejects.get(`orders/error_type=cross_field/dt=2024-05-01/hour=10/${replayBatchName}.ndjson.gz`));
        assert.strictEqual(rejects.get(`orders/error_type=not_allowed/dt=2024-05-01/hour=10/replay-${r1}.ndjson.gz`), `${line(rejectsBefore.get(replayRejectKeys.notAllowed), "ORD-DDDDDDDDDDD1")}\n`);
        const head = await store.headObject(buckets.raw, `orders/dt=2024-05-01/hour=10/replay-${r1}.ndjson.gz`);
        assert.deepStrictEqual(head?.metadata, { "ndjson-sha256": head?.metadata["ndjson-sha256"], "record-count": "1", "first-position": "100", "last-position": "100" });

        const again = await cli(["replay-rejects", "--dataset", "orders", "--from", "2024-05-01T00", "--to", "2024-05-02T00"], buckets);
        assert.strictEqual(again.code, exitCodes.ok);
        assert.deepStrictEqual(await objectsOf(store, buckets.raw), raw);
        assert.deepStrictEqual(await objectsOf(store, buckets.rejects), rejects);
    });

    it("finishes a replay that died after its first output, with nothing lost or duplicated", async () => {
        const buckets = await zones(ordersBeforeFix, [replayBatch]);
        const clean = await zones(ordersBeforeFix, [replayBatch]);
        assert.strictEqual((await cli(["replay-rejects", "--dataset", "orders", "--from", "2024-05-01T00", "--to", "2024-05-02T00"], clean)).code, exitCodes.ok);

        // Mutations: per reject object in key order, manifest, outputs, delete object, delete manifest;
        // the 6th is the first output of the second object.
        const crashing = createCrashingStore(store, { at: 6, mode: "after" });
        assert.strictEqual((await cli(["replay-rejects", "--dataset", "orders", "--from", "2024-05-01T00", "--to", "2024-05-02T00"], buckets, crashing)).code, exitCodes.failure);
        assert.ok([...(await objectsOf(store, buckets.rejects)).keys()].some((key) => key.startsWith("orders/_replay/")), "the interrupted replay left its manifest");
        assert.strictEqual((await cli(["replay-rejects", "--dataset", "orders", "--from", "2024-05-01T00", "--to", "2024-05-02T00"], buckets)).code, exitCodes.ok);
        assert.deepStrictEqual(await objectsOf(store, buckets.raw), await objectsOf(store, clean.raw));
        assert.deepStrictEqual(await objectsOf(store, buckets.rejects), await objectsOf(store, clean.rejects));
    });

    const compactionEvents = [...[0, 10, 20].map((first) => ordersBatchAt([first, first + 1, first + 2], 13)), ordersBatchAt([30, 31], 14)];
    const inputs13 = [0, 10, 20].map((first) => rawBatchKey("13", first));

    it("compacts a partition end to end: one verified output with exact key, bytes and metadata, inputs deleted", async () => {
        const buckets = await zones(orders, compactionEvents);
        const before = await objectsOf(store, buckets.raw);
        const { code, lines } = await cli(["compact", "--dataset", "orders", "--dt", "2024-05-01", "--hour", "13"], buckets);
        assert.strictEqual(code, exitCodes.ok);
        const output = expectedCompactedKey("13", inputs13);
        const after = await objectsOf(store, buckets.raw);
        assert.deepStrictEqual([...after.keys()], [output, rawBatchKey("14", 30)]);
        assert.strictEqual(after.get(output), inputs13.map((key) => before.get(key)).join(""));
        assert.strictEqual(after.get(rawBatchKey("14", 30)), before.get(rawBatchKey("14", 30)));
        const head = await store.headObject(buckets.raw, output);
        assert.deepStrictEqual(head?.metadata, {
            "ndjson-sha256": head?.metadata["ndjson-sha256"],
            "record-count": "9",
            "compaction-group": output.slice(-42, -10),
            "compaction-inputs": "3",
        });
        assert.strictEqual(head?.contentType, "application/gzip");
        const report = lines.find((entry) => entry.message === "compaction finished")?.report as { totals: Record<string, number> } | undefined;
        assert.deepStrictEqual([report?.totals.groups, report?.totals.inputObjects, report?.totals.records], [1, 3, 9]);
    });

    it("finishes a compaction that died after deleting its inputs, leaving no control objects", async () => {
        const buckets = await zones(orders, compactionEvents);
        const before = await objectsOf(store, buckets.raw);
        // Mutations: lease, manifest, output, delete inputs (dies after), delete manifest, release.
        const crashing = createCrashingStore(store, { at: 4, mode: "after" });
        assert.strictEqual((await cli(["compact", "--dataset", "orders", "--dt", "2024-05-01", "--hour", "13"], buckets, crashing)).code, exitCodes.failure);
        const interrupted = [...(await objectsOf(store, buckets.raw)).keys()];
        assert.ok(interrupted.some((key) => key.includes("/_compaction/dt=2024-05-01/hour=13/manifest-")));
        assert.ok(!interrupted.includes(inputs13[0] as string));
        assert.strictEqual((await cli(["compact", "--dataset", "orders", "--dt", "2024-05-01", "--hour", "13"], buckets)).code, exitCodes.ok);
        const output = expectedCompactedKey("13", inputs13);
        const after = await objectsOf(store, buckets.raw);
        assert.deepStrictEqual([...after.keys()], [output, rawBatchKey("14", 30)]);
        assert.strictEqual(after.get(output), inputs13.map((key) => before.get(key)).join(""));
    });
});
