import * as assert from "assert";
import { createMemoryObjectStore, gzipDeterministic, MemoryObjectStore } from "../../../runtime/common";
import { orders } from "../../../runtime/datasets";
import { DatasetDefinition } from "../../../runtime/datasets/types";
import { ingestEvent, IngestPipeline } from "../../../runtime/ingest/process";
import { KinesisStreamEvent, MskEvent } from "../../../runtime/ingest/types";
import { compileValidator } from "../../../runtime/ingest/validate";
import { rejectErrorTypes } from "../../../runtime/batch/layout";
import { sourceRecordOfRejectLine } from "../../../runtime/ingest/classify";
import { ReplayOptions, replayRejects } from "../../../runtime/batch/replay";
import { kinesisEvent, mskEvent, sequenceNumber, validOrder } from "../../helpers/ingest/events";
import { expectedReplayId, ordersBeforeFix, replayBatch, replayBatchName, replayRejectKeys } from "./fixtures";
import { capturingLogger, cloneInto, contents, createCrashingStore, CrashPlan, snapshot } from "./helpers";

const day = { fromMs: Date.UTC(2024, 4, 1, 0), toMs: Date.UTC(2024, 4, 2, 0) };

const batch = replayBatch;
const name = replayBatchName;
const rejectKeys = replayRejectKeys;
const rawIngestKey = `orders/dt=2024-05-01/hour=10/${name}.ndjson.gz`;
const id = expectedReplayId;

function pipeline(dataset: DatasetDefinition, store: MemoryObjectStore, maxRecordBytes = 1024 * 1024): IngestPipeline {
    return { validator: compileValidator(dataset), targets: { store, rawBucket: "raw", rejectsBucket: "rejects", concurrency: 4 }, maxRecordBytes };
}

async function landed(dataset: DatasetDefinition, event: MskEvent | KinesisStreamEvent = batch, engine: "kafka" | "kinesis" = "kafka", maxRecordBytes?: number): Promise<MemoryObjectStore> {
    const store = createMemoryObjectStore();
    await ingestEvent(engine, event, pipeline(dataset, store, maxRecordBytes));
    return store;
}

function options(store: ReplayOptions["store"], overrides: Partial<ReplayOptions> = {}): ReplayOptions {
    return {
        store,
        rawBucket: "raw",
        rejectsBucket: "rejects",
        validator: compileValidator(orders),
        ...day,
        errorTypes: rejectErrorTypes,
        includeUnknownTime: false,
        dryRun: false,
        maxRecordBytes: 1024 * 1024,
        concurrency: 4,
        logger: capturingLogger().logger,
        ...overrides,
    };
}

function lineOf(text: string | undefined, orderId: string): string {
    const found = (text ?? "").split("\n").find((line) => line.includes(orderId));
    assert.ok(found, `no line for ${orderId}`);
    return found;
}

describe("batch job: replay of rejects", () => {
    let rejectsBefore: Map<string, string>;
    let withFix: { raw: Map<string, string>; rejects: Map<string, string> };

    before(async () => {
        const old = await landed(ordersBeforeFix);
        rejectsBefore = await contents(old, "rejects");
        const fixed = await landed(orders);
        withFix = { raw: await contents(fixed, "raw"), rejects: await contents(fixed, "rejects") };
    });

    it("starts from the rejects the old definition produced", () => {
        assert.deepStrictEqual([...rejectsBefore.keys()], [rejectKeys.length, rejectKeys.notAllowed, rejectKeys.notJson, rejectKeys.undecodable]);
    });

    it("lands the records that now pass exactly as ingest would have, and keeps the rest with their new reasons", async () => {
        const store = await landed(ordersBeforeFix);
        const rawBefore = snapshot(store, "raw");
        await replayRejects(options(store));

        const r1 = id(rejectKeys.notAllowed);
        const r2 = id(rejectKeys.length);
        const raw = await contents(store, "raw");
        assert.deepStrictEqual([...raw.keys()], [`orders/dt=2024-05-01/hour=09/replay-${r2}.ndjson.gz`, rawIngestKey, `orders/dt=2024-05-01/hour=10/replay-${r1}.ndjson.gz`]);
        assert.strictEqual(snapshot(store, "raw").get(rawIngestKey), rawBefore.get(rawIngestKey), "the object ingest landed is untouched");
        assert.strictEqual(raw.get(`orders/dt=2024-05-01/hour=10/replay-${r1}.ndjson.gz`), `${lineOf(withFix.raw.get(rawIngestKey), "ORD-AAAAAAAAAAA1")}\n`);
        assert.strictEqual(raw.get(`orders/dt=2024-05-01/hour=09/replay-${r2}.ndjson.gz`), `${lineOf(withFix.raw.get(`orders/dt=2024-05-01/hour=09/${name}.ndjson.gz`), "ORD-CCCCCCCCCCC1")}\n`);
        const replayedA = JSON.parse(lineOf(raw.get(`orders/dt=2024-05-01/hour=10/replay-${r1}.ndjson.gz`), "ORD-AAAAAAAAAAA1")) as Record<string, unknown>;
        assert.strictEqual(replayedA.currency, "BRL");
        assert.deepStrictEqual(replayedA._ingest, {
            dataset_version: 1,
            engine: "kafka",
            source: "orders",
            partition: "0",
            position: "100",
            ingest_time: "2024-05-01T10:16:00.000Z",
            ingest_time_type: "CREATE_TIME",
            key: "A",
            dt: "2024-05-01",
            hour: "10",
        });

        const rejects = await contents(store, "rejects");
        assert.deepStrictEqual([...rejects.keys()], [
            `orders/error_type=cross_field/dt=2024-05-01/hour=10/replay-${r1}.ndjson.gz`,
            `orders/error_type=not_allowed/dt=2024-05-01/hour=10/replay-${r1}.ndjson.gz`,
            rejectKeys.notJson,
            rejectKeys.undecodable,
        ]);
        const b = rejects.get(`orders/error_type=cross_field/dt=2024-05-01/hour=10/replay-${r1}.ndjson.gz`);
        assert.strictEqual(b, `${lineOf(withFix.rejects.get(`orders/error_type=cross_field/dt=2024-05-01/hour=10/${name}.ndjson.gz`), "ORD-BBBBBBBBBBB1")}\n`);
        const reason = JSON.parse(b ?? "") as Record<string, unknown>;
        assert.deepStrictEqual([reason.error_type, reason.rule, reason.field, reason.position], ["cross_field", "amount_matches_line_items", "amount", "101"]);
        assert.strictEqual(rejects.get(`orders/error_type=not_allowed/dt=2024-05-01/hour=10/replay-${r1}.ndjson.gz`), `${lineOf(rejectsBefore.get(rejectKeys.notAllowed), "ORD-DDDDDDDDDDD1")}\n`);
        assert.strictEqual(rejects.get(rejectKeys.notJson), rejectsBefore.get(rejectKeys.notJson));
        assert.strictEqual(rejects.get(rejectKeys.undecodable), rejectsBefore.get(rejectKeys.undecodable));
    });

    it("reports in = replayed + still rejected, the new reasons and the raw partitions to reprocess", async () => {
        const report = await replayRejects(options(await landed(ordersBeforeFix)));
        assert.deepStrictEqual(report.counts, { in: 6, replayed: 2, stillRejected: 4 });
        assert.deepStrictEqual(report.objects, { listed: 4, replayed: 2, resumed: 0, unchanged: 2, planned: 0, gone: 0, failed: 0 });
        assert.deepStrictEqual(report.stillRejectedByType, { cross_field: 1, not_allowed: 1, not_json: 1, undecodable: 1 });
        assert.deepStrictEqual(report.rawPartitions, ["dt=2024-05-01/hour=09", "dt=2024-05-01/hour=10"]);
        assert.deepStrictEqual(report.failures, []);
    });

    it("writes and deletes nothing when rerun without a further fix", async () => {
        const store = await landed(ordersBeforeFix);
        await replayRejects(options(store));
        const raw = snapshot(store, "raw");
        const rejects = snapshot(store, "rejects");
        const recording = createCrashingStore(store);
        const report = await replayRejects(options(recording));
        assert.deepStrictEqual(recording.log, []);
        assert.deepStrictEqual(snapshot(store, "raw"), raw);
        assert.deepStrictEqual(snapshot(store, "rejects"), rejects);
        assert.deepStrictEqual(report.counts, { in: 4, replayed: 0, stillRejected: 4 });
        assert.strictEqual(report.objects.unchanged, 4);
    });

    it("plans without writing on a dry run", async () => {
        const store = await landed(ordersBeforeFix);
        const recording = createCrashingStore(store);
        const report = await replayRejects(options(recording, { dryRun: true }));
        assert.deepStrictEqual(recording.log, []);
        assert.deepStrictEqual(report.counts, { in: 6, replayed: 2, stillRejected: 4 });
        assert.strictEqual(report.objects.planned, 2);
        assert.deepStrictEqual(
            report.results.find((result) => result.key === rejectKeys.length)?.outputs,
            [{ zone: "raw", key: `orders/dt=2024-05-01/hour=09/replay-${id(rejectKeys.length)}.ndjson.gz`, storedAs: `orders/dt=2024-05-01/hour=09/replay-${id(rejectKeys.length)}.ndjson.gz`, records: 1 }],
        );
    });

    it("replays only the requested error types", async () => {
        const store = await landed(ordersBeforeFix);
        const report = await replayRejects(options(store, { errorTypes: ["length_out_of_range"] }));
        assert.deepStrictEqual(report.counts, { in: 1, replayed: 1, stillRejected: 0 });
        assert.deepStrictEqual([...(await contents(store, "rejects")).keys()], [rejectKeys.notAllowed, rejectKeys.notJson, rejectKeys.undecodable]);
    });

    it("replays only rejects whose partition hour is inside [from, to)", async () => {
        const store = await landed(ordersBeforeFix);
        const outside = await replayRejects(options(store, { fromMs: Date.UTC(2024, 4, 1, 11), toMs: Date.UTC(2024, 4, 1, 23) }));
        assert.strictEqual(outside.objects.listed, 0);
        const endExclusive = await replayRejects(options(store, { fromMs: Date.UTC(2024, 4, 1, 0), toMs: Date.UTC(2024, 4, 1, 10) }));
        assert.strictEqual(endExclusive.objects.listed, 0);
        const exactHour = await replayRejects(options(store, { fromMs: Date.UTC(2024, 4, 1, 10), toMs: Date.UTC(2024, 4, 1, 11) }));
        assert.strictEqual(exactHour.objects.listed, 4);
    });

    it("replays rejects without a stream time only with includeUnknownTime", async () => {
        const store = await landed(ordersBeforeFix, mskEvent([{ offset: 7, timestamp: -1, value: validOrder({ currency: "MXN" }) }]));
        const key = `orders/error_type=not_allowed/dt=unknown/hour=unknown/orders+0+00000000000000000007.ndjson.gz`;
        assert.deepStrictEqual([...store.objects("rejects").keys()], [key]);
        assert.strictEqual((await replayRejects(options(store))).objects.listed, 0);
        const report = await replayRejects(options(store, { includeUnknownTime: true }));
        assert.deepStrictEqual(report.counts, { in: 1, replayed: 1, stillRejected: 0 });
        assert.deepStrictEqual([...store.objects("raw").keys()], [`orders/dt=2024-05-01/hour=10/replay-${id(key)}.ndjson.gz`]);
    });

    it("replays an oversized payload once the limit is raised, and keeps it while it is still too large", async () => {
        const event = kinesisEvent([{ sequenceNumber: sequenceNumber(1), value: validOrder() }]);
        const store = await landed(orders, event, "kinesis", 100);
        const key = `orders/error_type=oversized/dt=2024-05-01/hour=10/orders+shardId-000000000000+${sequenceNumber(1)}.ndjson.gz`;
        assert.deepStrictEqual([...store.objects("rejects").keys()], [key]);
        const still = await replayRejects(options(store, { maxRecordBytes: 100 }));
        assert.strictEqual(still.objects.unchanged, 1);
        const replayed = await replayRejects(options(store, { maxRecordBytes: 1024 * 1024 }));
        assert.deepStrictEqual(replayed.counts, { in: 1, replayed: 1, stillRejected: 0 });
        const clean = await contents(await landed(orders, event, "kinesis"), "raw");
        assert.strictEqual((await contents(store, "raw")).get(`orders/dt=2024-05-01/hour=10/replay-${id(key)}.ndjson.gz`), [...clean.values()][0]);
    });

    it("keeps records whose envelope was broken rejected for their original reason", () => {
        const line = JSON.parse((rejectsBefore.get(rejectKeys.undecodable) ?? "").split("\n")[0] ?? "") as Parameters<typeof sourceRecordOfRejectLine>[0];
        assert.strictEqual(line.position, "105");
        const record = sourceRecordOfRejectLine(line, 1024 * 1024);
        assert.strictEqual(record.value, null);
        assert.deepStrictEqual(record.poison, { errorType: "undecodable", rule: line.rule, field: line.field, message: line.message });
    });

    for (const mode of ["before", "after"] as const) {
        it(`ends in the same objects as an uninterrupted run whichever write or delete it dies at (${mode} the call)`, async () => {
            const fixture = await landed(ordersBeforeFix);
            const clean = createMemoryObjectStore();
            await cloneInto(fixture, clean, ["raw", "rejects"]);
            const counting = createCrashingStore(clean);
            await replayRejects(options(counting, { concurrency: 1 }));
            const expected = { raw: snapshot(clean, "raw"), rejects: snapshot(clean, "rejects") };
            const total = counting.mutations();
            assert.strictEqual(total, 10, "per replayed object: manifest, outputs (1 and 3), delete source, delete manifest");
            for (let at = 1; at <= total; at += 1) {
                const store = createMemoryObjectStore();
                await cloneInto(fixture, store, ["raw", "rejects"]);
                const plan: CrashPlan = { at, mode };
                const crashing = createCrashingStore(store, plan);
                const crashed = await replayRejects(options(crashing, { concurrency: 1 }));
                assert.ok(crashing.crashed(), `crash ${at} happened`);
                assert.ok(crashed.failures.length > 0, `crash ${at} is reported`);
                const rerun = await replayRejects(options(store, { concurrency: 1 }));
                assert.deepStrictEqual(rerun.failures, [], `rerun after crash ${at}`);
                assert.deepStrictEqual(snapshot(store, "raw"), expected.raw, `raw zone after crash ${mode} mutation ${at} (${crashing.log[at - 1]})`);
                assert.deepStrictEqual(snapshot(store, "rejects"), expected.rejects, `rejects zone after crash ${mode} mutation ${at} (${crashing.log[at - 1]})`);
            }
        });
    }

    it("finishes an interrupted replay with its original plan even if the definition changed before the rerun", async () => {
        const fixture = await landed(ordersBeforeFix);
        const expectedStore = createMemoryObjectStore();
        await cloneInto(fixture, expectedStore, ["raw", "rejects"]);
        await replayRejects(options(expectedStore, { concurrency: 1 }));

        const store = createMemoryObjectStore();
        await cloneInto(fixture, store, ["raw", "rejects"]);
        // Dies after the manifest and the first output of the first object (length_out_of_range).
        await replayRejects(options(createCrashingStore(store, { at: 2, mode: "after" }), { concurrency: 1 })).catch(() => undefined);
        assert.deepStrictEqual([...store.objects("rejects").keys()].filter((key) => key.includes("/_replay/")), [`orders/_replay/${id(rejectKeys.length)}.json.gz`]);
        // The rerun runs with the old definition, which would reject C again: the frozen plan wins for that object.
        const rerun = await replayRejects(options(store, { concurrency: 1, validator: compileValidator(ordersBeforeFix) }));
        assert.strictEqual(rerun.results.find((result) => result.key === rejectKeys.length)?.status, "resumed");
        assert.deepStrictEqual(snapshot(store, "raw").get(`orders/dt=2024-05-01/hour=09/replay-${id(rejectKeys.length)}.ndjson.gz`), snapshot(expectedStore, "raw").get(`orders/dt=2024-05-01/hour=09/replay-${id(rejectKeys.length)}.ndjson.gz`));
        assert.ok(!store.objects("rejects").has(rejectKeys.length));
        assert.deepStrictEqual([...store.objects("rejects").keys()].filter((key) => key.includes("/_replay/")), []);
    });

    it("removes a manifest whose reject object is already gone, and counts it", async () => {
        const store = await landed(ordersBeforeFix);
        const leftover = `orders/_replay/${id("orders/error_type=not_allowed/dt=2024-05-01/hour=03/gone.ndjson.gz")}.json.gz`;
        const manifest = { format: "replay-manifest/1", dataset: "orders", datasetVersion: 1, source: { bucket: "rejects", key: "orders/error_type=not_allowed/dt=2024-05-01/hour=03/gone.ndjson.gz", ndjsonSha256: "0", records: 0 }, counts: { in: 0, replayed: 0, stillRejected: 0 }, stillRejectedByType: {}, outputs: [] };
        await store.putObject({ bucket: "rejects", key: leftover, body: await gzipDeterministic(JSON.stringify(manifest)) });
        const report = await replayRejects(options(store));
        assert.strictEqual(report.manifestsRemoved, 1);
        assert.ok(!store.objects("rejects").has(leftover));
    });

    it("stops without writing when another job finished the object between the read and the manifest", async () => {
        const store = await landed(ordersBeforeFix);
        const racing = {
            ...store,
            putObject: async (input: Parameters<MemoryObjectStore["putObject"]>[0]) => {
                const outcome = await store.putObject(input);
                if (input.key.includes("/_replay/")) {
                    await store.deleteObjects("rejects", [rejectKeys.length]);
                }
                return outcome;
            },
        };
        const report = await replayRejects(options(racing, { errorTypes: ["length_out_of_range"] }));
        assert.strictEqual(report.objects.gone, 1);
        assert.deepStrictEqual(report.counts, { in: 0, replayed: 0, stillRejected: 0 });
        assert.deepStrictEqual([...store.objects("raw").keys()], [rawIngestKey]);
        assert.deepStrictEqual([...store.objects("rejects").keys()].filter((key) => key.includes("/_replay/")), []);
    });

    it("keeps an object that is not a reject object and reports it as failed", async () => {
        const store = await landed(ordersBeforeFix);
        const bad = "orders/error_type=not_allowed/dt=2024-05-01/hour=11/foreign.ndjson.gz";
        await store.putObject({ bucket: "rejects", key: bad, body: await gzipDeterministic('{"dataset":"orders"}\n') });
        const report = await replayRejects(options(store));
        assert.strictEqual(report.objects.failed, 1);
        assert.match(report.failures[0]?.error ?? "", new RegExp(`InputFormatError: s3://rejects/${bad}: line 1: field 'error_type' must be a string`));
        assert.ok(store.objects("rejects").has(bad));
        assert.strictEqual(report.objects.replayed, 2, "the other objects are still replayed");
    });
});
