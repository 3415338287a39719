import * as assert from "assert";
import { createMemoryObjectStore } from "../../../runtime/common";
import { parseObjectKey } from "../../../runtime/ingest/layout";
import { LeaseHeldError } from "../../../runtime/batch/errors";
import {
    compactedObjectKey,
    compactionGroupId,
    compactionManifestKey,
    datesInRange,
    isCompactedFileName,
    leaseKey,
    parseCompactionControlKey,
    parseZoneKey,
    replayIdOfFileName,
    replayManifestKey,
    replayObjectName,
} from "../../../runtime/batch/layout";
import { acquireLease, LeaseOptions } from "../../../runtime/batch/lease";
import { createJobLogger } from "../../../runtime/batch/log";
import { captureOutput } from "../../helpers/output";

const partition = { dt: "2024-05-01", hour: "13" };
const rejectKey = "orders/error_type=not_allowed/dt=2024-05-01/hour=10/orders+0+00000000000000000100.ndjson.gz";

describe("batch job: layout", () => {
    it("locates raw, rejects and unknown-time keys, and nothing outside an hour folder", () => {
        assert.deepStrictEqual(parseZoneKey("orders/dt=2024-05-01/hour=13/compacted-0123.ndjson.gz"), { dataset: "orders", partition, fileName: "compacted-0123.ndjson.gz" });
        assert.deepStrictEqual(parseZoneKey(rejectKey), { dataset: "orders", errorType: "not_allowed", partition: { dt: "2024-05-01", hour: "10" }, fileName: "orders+0+00000000000000000100.ndjson.gz" });
        assert.deepStrictEqual(parseZoneKey("orders/error_type=undecodable/dt=unknown/hour=unknown/x.ndjson.gz")?.partition, { dt: "unknown", hour: "unknown" });
        assert.strictEqual(parseZoneKey("orders/_compaction/dt=2024-05-01/hour=13/lease-0000000001.json"), undefined);
        assert.strictEqual(parseZoneKey("orders/dt=2024-05-01/hour=13/nested/x.ndjson.gz"), undefined);
    });

    it("names replay outputs after the reject object, so a rerun targets the same keys", () => {
        const name = replayObjectName(rejectKey);
        assert.match(name, /^replay-[0-9a-f]{24}$/);
        assert.strictEqual(replayObjectName(rejectKey), name);
        assert.notStrictEqual(replayObjectName(rejectKey.replace("100", "101")), name);
        assert.strictEqual(replayIdOfFileName(`${name}.ndjson.gz`), name.slice("replay-".length));
        assert.strictEqual(replayManifestKey("orders", name.slice(7)), `orders/_replay/${name.slice(7)}.json.gz`);
        assert.strictEqual(replayIdOfFileName("orders+0+00000000000000000100.ndjson.gz"), undefined);
    });

    it("derives a group's id from its input keys in any order", () => {
        const keys = ["orders/dt=2024-05-01/hour=13/b.ndjson.gz", "orders/dt=2024-05-01/hour=13/a.ndjson.gz"];
        const id = compactionGroupId(keys);
        assert.match(id, /^[0-9a-f]{32}$/);
        assert.strictEqual(compactionGroupId([...keys].reverse()), id);
        assert.notStrictEqual(compactionGroupId(keys.slice(0, 1)), id);
        assert.strictEqual(compactedObjectKey("orders", partition, id), `orders/dt=2024-05-01/hour=13/compacted-${id}.ndjson.gz`);
        assert.ok(isCompactedFileName(`compacted-${id}.ndjson.gz`));
    });

    it("writes names the ingest key parser never takes for an ingest batch", () => {
        assert.strictEqual(parseObjectKey(`orders/dt=2024-05-01/hour=13/${replayObjectName(rejectKey)}.ndjson.gz`), undefined);
        assert.strictEqual(parseObjectKey(compactedObjectKey("orders", partition, compactionGroupId(["x"]))), undefined);
    });

    it("splits compaction control keys", () => {
        const id = compactionGroupId(["x"]);
        assert.deepStrictEqual(parseCompactionControlKey(compactionManifestKey("orders", partition, id)), { kind: "manifest", partition, groupId: id });
        assert.deepStrictEqual(parseCompactionControlKey(leaseKey("orders", partition, 12)), { kind: "lease", partition, generation: 12 });
        assert.strictEqual(leaseKey("orders", partition, 12), "orders/_compaction/dt=2024-05-01/hour=13/lease-0000000012.json");
        assert.strictEqual(parseCompactionControlKey("orders/dt=2024-05-01/hour=13/x.ndjson.gz"), undefined);
    });

    it("lists the dates of an hour range, end exclusive", () => {
        assert.deepStrictEqual(datesInRange(Date.UTC(2024, 4, 1, 22), Date.UTC(2024, 4, 3, 0)), ["2024-05-01", "2024-05-02"]);
        assert.deepStrictEqual(datesInRange(Date.UTC(2024, 1, 28, 23), Date.UTC(2024, 2, 1, 1)), ["2024-02-28", "2024-02-29", "2024-03-01"]);
    });
});

describe("batch job: compaction lease", () => {
    const options = (store: LeaseOptions["store"], owner: string, nowMs = Date.UTC(2024, 4, 2)): LeaseOptions => ({
        store,
        bucket: "raw",
        dataset: "orders",
        partition,
        owner,
        ttlMs: 3_600_000,
        breakLease: false,
        now: () => nowMs,
    });

    it("lets one owner in at a time and the next in after release", async () => {
        const store = createMemoryObjectStore();
        const first = await acquireLease(options(store, "job-a"));
        assert.strictEqual(first.generation, 1);
        await assert.rejects(acquireLease(options(store, "job-b")), (error: unknown) => error instanceof LeaseHeldError && error.owner === "job-a");
        await first.release();
        const second = await acquireLease(options(store, "job-b"));
        assert.deepStrictEqual([...store.objects("raw").keys()], [second.key]);
    });

    it("hands out each generation once when two jobs take an expired lease at the same time", async () => {
        const store = createMemoryObjectStore();
        await acquireLease(options(store, "job-dead"));
        const later = Date.UTC(2024, 4, 2, 2);
        const results = await Promise.allSettled([acquireLease(options(store, "job-a", later)), acquireLease(options(store, "job-b", later))]);
        assert.deepStrictEqual(results.map((result) => result.status).sort(), ["fulfilled", "rejected"]);
        const winner = results.find((result): result is PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLease>>> => result.status === "fulfilled");
        assert.strictEqual(winner?.value.generation, 2);
        assert.deepStrictEqual([...store.objects("raw").keys()], [leaseKey("orders", partition, 2)]);
    });
});

describe("batch job: logs through Powertools Logger", () => {
    it("writes one JSON object per line with level, message, service, timestamp, the persistent and the call fields", async () => {
        const before = Date.now();
        const { lines } = await captureOutput(() => {
            const logger = createJobLogger({ fields: { command: "compact" } }).child({ dataset: "orders" });
            logger.info("done", { count: 2n, error: new RangeError("bad") });
        });
        assert.strictEqual(lines.length, 1);
        const [line] = lines as [Record<string, unknown>];
        assert.ok(Date.parse(String(line.timestamp)) >= before - 1000, `timestamp ${String(line.timestamp)}`);
        assert.deepStrictEqual(
            { ...line, timestamp: undefined, error: { name: (line.error as { name: string }).name, message: (line.error as { message: string }).message } },
            { level: "INFO", message: "done", sampling_rate: 0, service: "lake-maintenance", timestamp: undefined, command: "compact", dataset: "orders", count: "2", error: { name: "RangeError", message: "bad" } },
        );
    });

    it("drops lines below the level and survives circular fields", async () => {
        const loop: Record<string, unknown> = { name: "loop" };
        loop.self = loop;
        const { lines } = await captureOutput(() => {
            const logger = createJobLogger({ level: "warn" });
            logger.info("hidden");
            logger.warn("shown", { loop });
        });
        assert.deepStrictEqual(
            lines.map((line) => [line.level, line.message, line.loop]),
            [["WARN", "shown", { name: "loop" }]],
        );
    });
});
