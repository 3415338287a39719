import * as assert from "assert";
import { createHash } from "crypto";
import { createMemoryObjectStore, gunzip, gzipDeterministic, MemoryObjectStore } from "../../../runtime/common";
import { orders } from "../../../runtime/datasets";
import { ingestEvent } from "../../../runtime/ingest/process";
import { compileValidator } from "../../../runtime/ingest/validate";
import { CompactionOptions, compactPartitions, packGroups } from "../../../runtime/batch/compact";
import { leaseKey, replayManifestKey } from "../../../runtime/batch/layout";
import { createNdjsonConcatenation } from "../../../runtime/batch/ndjson";
import { expectedCompactedKey, ordersBatchAt, rawBatchKey } from "./fixtures";
import { capturingLogger, cloneInto, contents, createCrashingStore, recordMultiset, snapshot } from "./helpers";

const now = () => Date.UTC(2024, 4, 2, 6);

/**
 * Hour 13: seven objects of three records; the batch at 41 is a redelivery with other boundaries,
 * so records 41 and 42 are in two objects (the raw zone keeps both; Spark de-duplicates by key).
 * Hour 14: two objects.
 */
async function rawZone(): Promise<MemoryObjectStore> {
    const store = createMemoryObjectStore();
    const pipeline = { validator: compileValidator(orders), targets: { store, rawBucket: "raw", rejectsBucket: "rejects", concurrency: 4 }, maxRecordBytes: 1024 * 1024 };
    for (const first of [0, 10, 20, 30, 40, 41, 50]) {
        await ingestEvent("kafka", ordersBatchAt([first, first + 1, first + 2], 13), pipeline);
    }
    for (const first of [60, 70]) {
        await ingestEvent("kafka", ordersBatchAt([first, first + 1, first + 2], 14), pipeline);
    }
    return store;
}

const hour13 = [0, 10, 20, 30, 40, 41, 50].map((first) => rawBatchKey("13", first));
const hour14 = [60, 70].map((first) => rawBatchKey("14", first));
const outputKey = expectedCompactedKey;

/** Three times the largest object: every object is more than a quarter of it, so groups hold exactly three. */
function targetOf(store: MemoryObjectStore): number {
    const sizes = [...store.objects("raw").values()].map((object) => object.body.byteLength);
    const largest = Math.max(...sizes);
    assert.ok(Math.min(...sizes) * 4 > largest * 3, `fixture objects are of similar size (${sizes.join(", ")})`);
    return largest * 3;
}

function options(store: CompactionOptions["store"], overrides: Partial<CompactionOptions> = {}): CompactionOptions {
    return {
        store,
        rawBucket: "raw",
        rejectsBucket: "rejects",
        dataset: "orders",
        dt: "2024-05-01",
        targetBytes: 134_217_728,
        dryRun: false,
        concurrency: 4,
        owner: "job-1",
        leaseTtlMs: 3_600_000,
        breakLease: false,
        now,
        logger: capturingLogger().logger,
        ...overrides,
    };
}

function controlObjects(store: MemoryObjectStore): string[] {
    return [...store.objects("raw").keys()].filter((key) => key.includes("/_compaction/"));
}

describe("batch job: compaction", () => {
    describe("packing", () => {
        const objects = (sizes: Record<string, number>) => Object.entries(sizes).map(([key, size]) => ({ key, size }));

        it("fills groups in key order up to the target and drops groups of one", () => {
            const groups = packGroups(objects({ f: 5, b: 30, a: 40, c: 50, d: 10, e: 100 }), 100);
            assert.deepStrictEqual(groups.map((group) => group.map((object) => object.key)), [["a", "b"], ["c", "d"]]);
        });

        it("counts a group that reaches the target exactly as full", () => {
            assert.deepStrictEqual(packGroups(objects({ a: 50, b: 50, c: 50, d: 50 }), 100).map((group) => group.map((object) => object.key)), [["a", "b"], ["c", "d"]]);
        });

        it("plans nothing for one object or none", () => {
            assert.deepStrictEqual(packGroups(objects({ a: 1 }), 100), []);
            assert.deepStrictEqual(packGroups([], 100), []);
        });
    });

    describe("building an output", () => {
        it("gives the same bytes as gzipping the concatenated text, and reports each input's digest", async () => {
            const texts = ['{"a":1}\n{"a":2}\n', "", '{"b":1}\n'];
            const concatenation = createNdjsonConcatenation();
            const digests = [];
            for (const text of texts) {
                digests.push(await concatenation.append(await gzipDeterministic(text)));
            }
            const output = await concatenation.finish();
            assert.deepStrictEqual(output.body, await gzipDeterministic(texts.join("")));
            assert.deepStrictEqual(digests.map((digest) => digest.records), [2, 0, 1]);
            assert.strictEqual(digests[0]?.sha256, createHash("sha256").update(texts[0] as string).digest("hex"));
            assert.deepStrictEqual(output.digest, { records: 3, sha256: createHash("sha256").update(texts.join("")).digest("hex"), bytes: texts.join("").length });
        });

        it("ends an input's last line when it has no newline, so lines never run together", async () => {
            const concatenation = createNdjsonConcatenation();
            await concatenation.append(await gzipDeterministic('{"a":1}'));
            await concatenation.append(await gzipDeterministic('{"b":1}\n'));
            const output = await concatenation.finish();
            assert.strictEqual((await gunzip(output.body)).toString(), '{"a":1}\n{"b":1}\n');
            assert.strictEqual(output.digest.records, 2);
        });
    });

    it("merges each hour's small objects into groups of at most the target, with exact keys, contents and metadata", async () => {
        const store = await rawZone();
        const before = await contents(store, "raw");
        const report = await compactPartitions(options(store, { targetBytes: targetOf(store) }));

        const groups13 = [hour13.slice(0, 3), hour13.slice(3, 6)];
        const expected = [outputKey("13", groups13[0] as string[]), outputKey("13", groups13[1] as string[]), hour13[6] as string, outputKey("14", hour14)].sort();
        assert.deepStrictEqual([...store.objects("raw").keys()], expected);
        const after = await contents(store, "raw");
        for (const [hour, inputs] of [["13", groups13[0]], ["13", groups13[1]], ["14", hour14]] as const) {
            const key = outputKey(hour, inputs as string[]);
            const text = (inputs as string[]).map((input) => before.get(input)).join("");
            assert.strictEqual(after.get(key), text, key);
            assert.deepStrictEqual(store.objects("raw").get(key)?.metadata, {
                "ndjson-sha256": createHash("sha256").update(text).digest("hex"),
                "record-count": String((inputs as string[]).length * 3),
                "compaction-group": key.slice(-42, -10),
                "compaction-inputs": String((inputs as string[]).length),
            });
            assert.strictEqual(store.objects("raw").get(key)?.contentType, "application/gzip");
        }
        assert.strictEqual(after.get(hour13[6] as string), before.get(hour13[6] as string));
        assert.deepStrictEqual(report.totals, { partitions: 2, groups: 3, inputObjects: 8, outputObjects: 3, records: 24, bytesIn: report.totals.bytesIn, bytesOut: report.totals.bytesOut });
        assert.deepStrictEqual(report.partitions.map((partition) => partition.skipped), [
            { alreadyLarge: 0, compacted: 0, replayPending: 0, alone: 1 },
            { alreadyLarge: 0, compacted: 0, replayPending: 0, alone: 0 },
        ]);
        assert.deepStrictEqual(controlObjects(store), []);
    });

    it("keeps every record, duplicates included: each partition's multiset of lines is unchanged", async () => {
        const store = await rawZone();
        const before13 = await recordMultiset(store, "raw", "orders/dt=2024-05-01/hour=13/");
        const before14 = await recordMultiset(store, "raw", "orders/dt=2024-05-01/hour=14/");
        assert.strictEqual(before13.length, 21);
        assert.strictEqual(before13.filter((line) => line.includes("ORD-000000000041")).length, 2);
        await compactPartitions(options(store, { targetBytes: targetOf(store) }));
        assert.deepStrictEqual(await recordMultiset(store, "raw", "orders/dt=2024-05-01/hour=13/"), before13);
        assert.deepStrictEqual(await recordMultiset(store, "raw", "orders/dt=2024-05-01/hour=14/"), before14);
    });

    it("compacts only the requested hour", async () => {
        const store = await rawZone();
        const report = await compactPartitions(options(store, { hour: "14" }));
        assert.deepStrictEqual(report.partitions.map((partition) => partition.partition), [{ dt: "2024-05-01", hour: "14" }]);
        assert.deepStrictEqual([...store.objects("raw").keys()], [...hour13, outputKey("14", hour14)]);
    });

    it("writes nothing when rerun after it finished", async () => {
        const store = await rawZone();
        await compactPartitions(options(store, { targetBytes: targetOf(store) }));
        const done = snapshot(store, "raw");
        const recording = createCrashingStore(store);
        const report = await compactPartitions(options(recording, { targetBytes: targetOf(store) * 10 }));
        assert.deepStrictEqual(recording.log, []);
        assert.deepStrictEqual(snapshot(store, "raw"), done);
        assert.deepStrictEqual(report.partitions.map((partition) => partition.skipped.compacted), [2, 1]);
    });

    it("plans without writing on a dry run", async () => {
        const store = await rawZone();
        const recording = createCrashingStore(store);
        const report = await compactPartitions(options(recording, { dryRun: true }));
        assert.deepStrictEqual(recording.log, []);
        assert.deepStrictEqual(
            report.partitions.flatMap((partition) => partition.groups.map((group) => [group.status, group.outputKey, group.inputKeys.length])),
            [
                ["planned", outputKey("13", hour13), 7],
                ["planned", outputKey("14", hour14), 2],
            ],
        );
    });

    for (const mode of ["before", "after"] as const) {
        it(`ends in the same objects as an uninterrupted run whichever write or delete it dies at (${mode} the call)`, async () => {
            const fixture = await rawZone();
            const target = targetOf(fixture);
            const clean = createMemoryObjectStore();
            await cloneInto(fixture, clean, ["raw"]);
            const counting = createCrashingStore(clean);
            await compactPartitions(options(counting, { targetBytes: target, concurrency: 1 }));
            const expected = snapshot(clean, "raw");
            const total = counting.mutations();
            assert.strictEqual(total, 16, "per partition: lease and its release; per group: manifest, output, delete inputs, delete manifest");
            for (let at = 1; at <= total; at += 1) {
                const store = createMemoryObjectStore();
                await cloneInto(fixture, store, ["raw"]);
                const crashing = createCrashingStore(store, { at, mode });
                const crashed = await compactPartitions(options(crashing, { targetBytes: target, concurrency: 1 }));
                const description = `crash ${mode} mutation ${at} (${crashing.log[at - 1]})`;
                // Only a failed lease release is not a failure of the run (the lease just waits to expire).
                const releasing = /^delete raw\/\S*\/lease-\d+\.json$/.test(crashing.log[at - 1] ?? "");
                assert.ok(crashing.crashed() && (crashed.failures.length > 0 || releasing), `${description} is reported`);
                const left = await recordMultiset(store, "raw", "orders/");
                for (const line of new Set(await recordMultiset(fixture, "raw", "orders/"))) {
                    const needed = (await recordMultiset(fixture, "raw", "orders/")).filter((candidate) => candidate === line).length;
                    assert.ok(left.filter((candidate) => candidate === line).length >= needed, `no record lost after ${description}, before the rerun`);
                }
                const rerun = await compactPartitions(options(store, { targetBytes: target, concurrency: 1 }));
                assert.deepStrictEqual(rerun.failures, [], `rerun after ${description}`);
                assert.deepStrictEqual(snapshot(store, "raw"), expected, `objects after ${description}`);
            }
        });
    }

    it("finishes a group whose output was written before the crash, then plans the rest", async () => {
        const fixture = await rawZone();
        const store = createMemoryObjectStore();
        await cloneInto(fixture, store, ["raw"]);
        // Dies right after writing the first output: inputs and output hold the same records.
        await compactPartitions(options(createCrashingStore(store, { at: 3, mode: "after" }), { targetBytes: targetOf(fixture), concurrency: 1 }));
        assert.ok(store.objects("raw").has(outputKey("13", hour13.slice(0, 3))));
        assert.deepStrictEqual(controlObjects(store).map((key) => key.replace(/[0-9a-f]{32}/, "G")), [
            "orders/_compaction/dt=2024-05-01/hour=13/lease-0000000001.json",
            "orders/_compaction/dt=2024-05-01/hour=13/manifest-G.json",
        ]);
        const rerun = await compactPartitions(options(store, { targetBytes: targetOf(fixture), concurrency: 1 }));
        assert.deepStrictEqual(rerun.partitions[0]?.groups.map((group) => group.status), ["recovered", "compacted"]);
        assert.deepStrictEqual(await recordMultiset(store, "raw", "orders/dt=2024-05-01/hour=13/"), await recordMultiset(fixture, "raw", "orders/dt=2024-05-01/hour=13/"));
        assert.deepStrictEqual(controlObjects(store), []);
    });

    describe("the partition lease", () => {
        const lease = (owner: string, expiresAt: string) => Buffer.from(JSON.stringify({ format: "compaction-lease/1", owner, generation: 3, acquiredAt: "2024-05-02T05:00:00.000Z", expiresAt }));
        const held = leaseKey("orders", { dt: "2024-05-01", hour: "14" }, 3);

        it("refuses a partition another running job holds, naming the holder and the fix", async () => {
            const store = await rawZone();
            await store.putObject({ bucket: "raw", key: held, body: lease("job-other", "2024-05-02T07:00:00.000Z") });
            const report = await compactPartitions(options(store, { hour: "14" }));
            assert.match(report.failures[0]?.error ?? "", /LeaseHeldError: partition orders\/dt=2024-05-01\/hour=14 is being compacted by job-other .*rerun with --break-lease/);
            assert.deepStrictEqual([...store.objects("raw").keys()].filter((key) => key.includes("hour=14")), [held, ...hour14]);
        });

        for (const [why, owner, expiresAt, breakLease] of [
            ["the lease has expired", "job-other", "2024-05-02T06:00:00.000Z", false],
            ["the lease is the same job's (an earlier attempt)", "job-1", "2024-05-02T07:00:00.000Z", false],
            ["--break-lease is given", "job-other", "2024-05-02T07:00:00.000Z", true],
        ] as const) {
            it(`takes the partition over when ${why}, and leaves no lease behind`, async () => {
                const store = await rawZone();
                await store.putObject({ bucket: "raw", key: held, body: lease(owner, expiresAt) });
                const report = await compactPartitions(options(store, { hour: "14", breakLease }));
                assert.deepStrictEqual(report.failures, []);
                assert.deepStrictEqual([...store.objects("raw").keys()].filter((key) => key.includes("hour=14")), [outputKey("14", hour14)]);
            });
        }
    });

    it("leaves outputs of an unfinished replay alone until the replay finishes", async () => {
        const store = await rawZone();
        const replayed = "orders/dt=2024-05-01/hour=14/replay-0123456789abcdef01234567.ndjson.gz";
        await store.putObject({ bucket: "raw", key: replayed, body: await gzipDeterministic('{"order_id":"ORD-REPLAYED0001"}\n') });
        await store.putObject({ bucket: "rejects", key: replayManifestKey("orders", "0123456789abcdef01234567"), body: Buffer.from("{}") });
        const pending = await compactPartitions(options(store, { hour: "14" }));
        assert.strictEqual(pending.partitions[0]?.skipped.replayPending, 1);
        assert.ok(store.objects("raw").has(replayed));
        await store.deleteObjects("rejects", [replayManifestKey("orders", "0123456789abcdef01234567")]);
        const store2 = await rawZone();
        await store2.putObject({ bucket: "raw", key: replayed, body: await gzipDeterministic('{"order_id":"ORD-REPLAYED0001"}\n') });
        await compactPartitions(options(store2, { hour: "14" }));
        assert.deepStrictEqual([...store2.objects("raw").keys()].filter((key) => key.includes("hour=14")), [outputKey("14", [...hour14, replayed])]);
    });

    it("leaves objects of at least the target size alone", async () => {
        const store = await rawZone();
        const size = Math.min(...hour14.map((key) => store.objects("raw").get(key)?.body.byteLength ?? 0));
        const report = await compactPartitions(options(store, { hour: "14", targetBytes: size }));
        assert.strictEqual(report.partitions[0]?.skipped.alreadyLarge, 2);
        assert.deepStrictEqual([...store.objects("raw").keys()].filter((key) => key.includes("hour=14")), hour14);
    });

    it("keeps the inputs when the output key already holds other content", async () => {
        const store = await rawZone();
        await store.putObject({ bucket: "raw", key: outputKey("14", hour14), body: await gzipDeterministic("{}\n"), metadata: { "ndjson-sha256": "0", "record-count": "1" } });
        const report = await compactPartitions(options(store, { hour: "14" }));
        assert.match(report.failures[0]?.error ?? "", /IntegrityError: .*the output key already holds other content; the inputs were kept/);
        for (const key of hour14) {
            assert.ok(store.objects("raw").has(key), key);
        }
    });
});
