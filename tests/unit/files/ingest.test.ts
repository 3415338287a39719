import * as assert from "assert";
import { gunzipSync } from "zlib";
import { createMemoryObjectStore, MemoryObjectStore } from "../../../runtime/common/memoryObjectStore";
import { FileIngestContext, ingestFile } from "../../../runtime/files/ingest";
import { createMemoryFileStore, MemoryFile } from "../../../runtime/files/store";
import { FileInfo, FileManifest, FileRef } from "../../../runtime/files/types";
import { bom, drop, gzip, parquetOf } from "./fixtures";

const landing = "landing";
const modified = Date.parse("2026-12-02T06:00:00Z");

function harness(extra: Partial<FileIngestContext> = {}) {
    const files = new Map<string, MemoryFile>();
    const copies = new Map<string, Uint8Array>();
    const store: MemoryObjectStore = createMemoryObjectStore();
    const ctx: FileIngestContext = { files: createMemoryFileStore(files, copies), store, rawBucket: "raw", rejectsBucket: "rejects", ...extra };
    const put = (key: string, versionId: string, body: Uint8Array | string, etag?: string): FileRef => {
        const bytes = typeof body === "string" ? new Uint8Array(Buffer.from(body, "utf8")) : body;
        files.set(`${landing}/${key}#${versionId}`, { body: bytes, etag: etag ?? `etag-${Buffer.from(bytes).toString("base64").slice(0, 24)}-${bytes.byteLength}`, lastModifiedMs: modified });
        return { bucket: landing, key, versionId };
    };
    const lines = (bucket: string) =>
        [...store.objects(bucket).entries()].flatMap(([key, object]) => gunzipSync(Buffer.from(object.body)).toString("utf8").trim().split("\n").map((line) => ({ key, record: JSON.parse(line) as Record<string, any> })));
    const manifest = (key: string) => JSON.parse(Buffer.from(store.objects(landing).get(key)?.body ?? new Uint8Array()).toString("utf8")) as FileManifest;
    return { files, copies, store, ctx, put, lines, manifest };
}

const header = "store_id,sku,on_hand,as_of";
const csv = [
    `${bom}${header}`,
    "S0001,SKU-1,5,2026-12-01T10:00:00Z",
    'S0002,"SKU-2",7,2026-12-01T10:30:00Z',
    "S0003,SKU-3,-4,2026-12-01T11:00:00Z",
    "S0004,SKU-4,1,2026-12-01T11:00:00Z",
    "bad,SKU-5,1,2026-12-01T11:00:00Z",
    "S0006,SKU-6",
    "S0007,SKU-7,9,2026-12-01T12:00:00Z",
].join("\r\n");

describe("file ingest", () => {
    it("lands valid rows in raw and bad ones in rejects with file, row, line and reason: rows in = landed + rejected", async () => {
        const h = harness();
        const outcome = await ingestFile(h.put("incoming/store_inventory/2026-12-01.csv", "v1", csv), drop, h.ctx);
        assert.deepStrictEqual([outcome.status, outcome.rowsIn, outcome.rowsLanded, outcome.rowsRejected], ["landed", 7, 4, 3]);
        const raw = h.lines("raw");
        assert.deepStrictEqual(raw.map((l) => l.record.store_id), ["S0001", "S0002", "S0004", "S0007"]);
        assert.match(raw[0]?.key ?? "", /^store_inventory\/dt=2026-12-01\/hour=10\/file_store_inventory\+[0-9a-f]{16}\+00000000000000000001\.ndjson\.gz$/);
        assert.deepStrictEqual(raw[0]?.record._ingest, {
            dataset_version: 1,
            engine: "file",
            source: "store_inventory",
            partition: outcome.fileId,
            file: "s3://landing/incoming/store_inventory/2026-12-01.csv",
            version_id: "v1",
            etag: raw[0]?.record._ingest.etag,
            ingest_time: "2026-12-02T06:00:00.000Z",
            ingest_time_type: "OBJECT_LAST_MODIFIED",
            position: "1",
            row: 1,
            line: 2,
            key: null,
            dt: "2026-12-01",
            hour: "10",
        });
        const rejects = h.lines("rejects");
        assert.deepStrictEqual(
            rejects.map((l) => [l.record.row, l.record.line, l.record.error_type, l.record.field, l.record.file]).sort(),
            [
                [3, 4, "out_of_range", "on_hand", "s3://landing/incoming/store_inventory/2026-12-01.csv"],
                [5, 6, rejects.find((l) => l.record.row === 5)?.record.error_type, "store_id", "s3://landing/incoming/store_inventory/2026-12-01.csv"],
                [6, 7, "malformed_row", "$", "s3://landing/incoming/store_inventory/2026-12-01.csv"],
            ],
        );
        assert.strictEqual(rejects.find((l) => l.record.row === 6)?.record.payload_text, "S0006,SKU-6");
        const manifest = h.manifest(outcome.manifestKey as string);
        assert.deepStrictEqual([manifest.status, manifest.rows_in, manifest.rows_landed, manifest.rows_rejected, manifest.format], ["landed", 7, 4, 3, "csv"]);
        assert.deepStrictEqual(manifest.objects, outcome.objects);
        assert.strictEqual(manifest.objects.length, h.store.objects("raw").size + h.store.objects("rejects").size);
        assert.strictEqual(h.files.get("landing/incoming/store_inventory/2026-12-01.csv#v1")?.tags?.["platform-status"], "landed");
    });

    it("splits a file into chunks of chunkRows rows, each starting at its first row", async () => {
        const h = harness();
        await ingestFile(h.put("incoming/a.csv", "v1", csv), drop, h.ctx);
        const firstRows = [...h.store.objects("raw").keys(), ...h.store.objects("rejects").keys()].map((key) => Number(/\+([0-9]{20})\.ndjson\.gz$/.exec(key)?.[1]));
        assert.deepStrictEqual([...new Set(firstRows)].sort((a, b) => a - b), [1, 4, 7]);
    });

    it("writes nothing new for a redelivered event or a re-upload of the same bytes, and tags the re-upload as a duplicate", async () => {
        const h = harness();
        const first = await ingestFile(h.put("incoming/a.csv", "v1", csv, "same"), drop, h.ctx);
        const puts = h.store.requests.put;
        const again = await ingestFile({ bucket: landing, key: "incoming/a.csv", versionId: "v1" }, drop, h.ctx);
        const reupload = await ingestFile(h.put("incoming/a.csv", "v2", csv, "same"), drop, h.ctx);
        assert.deepStrictEqual([again.status, reupload.status], ["duplicate", "duplicate"]);
        assert.deepStrictEqual(reupload.objects, first.objects);
        assert.strictEqual(h.store.requests.put, puts);
        assert.strictEqual(h.files.get("landing/incoming/a.csv#v1")?.tags?.["platform-status"], "landed");
        assert.strictEqual(h.files.get("landing/incoming/a.csv#v2")?.tags?.["platform-status"], "duplicate");
    });

    it("reruns after a crash before the manifest with the same keys and content (conditional creates find them present)", async () => {
        const h = harness();
        const ref = h.put("incoming/a.csv", "v1", csv);
        const first = await ingestFile(ref, drop, h.ctx);
        const before = new Map([...h.store.objects("raw")].map(([k, v]) => [k, Buffer.from(v.body).toString("base64")]));
        h.store.objects(landing).delete(first.manifestKey as string);
        const rerun = await ingestFile(ref, drop, h.ctx);
        assert.deepStrictEqual(rerun.objects, first.objects);
        assert.deepStrictEqual(new Map([...h.store.objects("raw")].map(([k, v]) => [k, Buffer.from(v.body).toString("base64")])), before);
    });

    it("processes a new version with other bytes as a new file", async () => {
        const h = harness();
        const first = await ingestFile(h.put("incoming/a.csv", "v1", csv), drop, h.ctx);
        const second = await ingestFile(h.put("incoming/a.csv", "v2", `${header}\nS0009,SKU-9,1,2026-12-01T10:00:00Z\n`), drop, h.ctx);
        assert.strictEqual(second.status, "landed");
        assert.notStrictEqual(second.fileId, first.fileId);
        assert.deepStrictEqual([second.rowsIn, second.rowsLanded], [1, 1]);
    });

    it("reads gzip CSV, JSON Lines and Parquet the same way", async () => {
        const h = harness();
        const rows = [{ store_id: "S0001", sku: "SKU-1", on_hand: 2, as_of: "2026-12-01T10:00:00Z" }];
        const outcomes = [
            await ingestFile(h.put("incoming/a.csv.gz", "v1", gzip(`${header}\nS0001,SKU-1,2,2026-12-01T10:00:00Z\n`)), drop, h.ctx),
            await ingestFile(h.put("incoming/a.jsonl", "v1", `${JSON.stringify(rows[0])}\n`), drop, h.ctx),
            await ingestFile(h.put("incoming/a.parquet", "v1", parquetOf(rows)), drop, h.ctx),
        ];
        assert.deepStrictEqual(outcomes.map((o) => [o.status, o.rowsLanded]), [["landed", 1], ["landed", 1], ["landed", 1]]);
        const records = h.lines("raw").map((l) => ({ ...l.record, _ingest: undefined }));
        assert.deepStrictEqual(records[0], records[1]);
        assert.deepStrictEqual(records[1], records[2]);
    });

    it("quarantines a file whose header does not match: a copy and a reason naming the column, nothing landed", async () => {
        const h = harness();
        const outcome = await ingestFile(h.put("incoming/b.csv", "v1", "store,sku,on_hand,as_of\nS0001,SKU-1,1,2026-12-01T10:00:00Z\n"), drop, h.ctx);
        assert.strictEqual(outcome.status, "quarantined");
        assert.strictEqual(outcome.quarantine?.reason, "header_mismatch");
        assert.match(outcome.quarantine?.message ?? "", /unknown column\(s\) 'store'.*missing required column\(s\) 'store_id'/);
        assert.strictEqual(h.store.objects("raw").size + h.store.objects("rejects").size, 0);
        assert.ok(h.copies.has(`landing/_quarantine/store_inventory/${outcome.fileId}/b.csv`));
        const reason = JSON.parse(Buffer.from(h.store.objects(landing).get(`_quarantine/store_inventory/${outcome.fileId}/reason.json`)?.body ?? []).toString()) as Record<string, unknown>;
        assert.strictEqual(reason.reason, "header_mismatch");
        assert.strictEqual(h.files.get("landing/incoming/b.csv#v1")?.tags?.["platform-status"], "quarantined");
    });

    it("quarantines an unknown format and a file that breaks mid-way, landing none of its rows", async () => {
        const h = harness();
        const unknown = await ingestFile(h.put("incoming/c.xlsx", "v1", "whatever"), drop, h.ctx);
        const broken = await ingestFile(h.put("incoming/d.csv", "v1", `${header}\nS0001,SKU-1,1,2026-12-01T10:00:00Z\nS0002,"SKU-2,1,2026-12-01T10:00:00Z\n`), drop, h.ctx);
        const truncated = await ingestFile(h.put("incoming/e.csv.gz", "v1", gzip(`${header}\n${"S0001,SKU-1,1,2026-12-01T10:00:00Z\n".repeat(50)}`).slice(0, 40)), drop, h.ctx);
        assert.deepStrictEqual([unknown.quarantine?.reason, broken.quarantine?.reason, truncated.quarantine?.reason], ["unknown_format", "malformed_file", "malformed_file"]);
        assert.strictEqual(h.store.objects("raw").size, 0);
    });

    it("hands a file larger than maxFileBytes to the Batch job once, however often the event comes", async () => {
        const submitted: string[] = [];
        const handOff = async (ref: FileRef, _drop: unknown, info: FileInfo) => {
            submitted.push(`${ref.key}@${ref.versionId}:${info.size}`);
            return `job-${submitted.length}`;
        };
        const h = harness({ maxFileBytes: 64, handOff });
        const ref = h.put("incoming/big.csv", "v1", csv);
        const first = await ingestFile(ref, drop, h.ctx);
        const second = await ingestFile(ref, drop, h.ctx);
        assert.deepStrictEqual([first.status, first.jobId, second.status, second.jobId], ["handed_off", "job-1", "handed_off", "job-1"]);
        assert.deepStrictEqual(submitted, [`incoming/big.csv@v1:${Buffer.byteLength(csv)}`]);
        assert.strictEqual(h.store.objects("raw").size, 0);
        const batch = await ingestFile(ref, drop, { ...h.ctx, maxFileBytes: undefined });
        assert.deepStrictEqual([batch.status, batch.rowsIn], ["landed", 7]);
    });

    it("reports a version that no longer exists as missing, and finds a key sent URL-encoded", async () => {
        const h = harness();
        assert.strictEqual((await ingestFile({ bucket: landing, key: "incoming/gone.csv", versionId: "v1" }, drop, h.ctx)).status, "missing");
        h.put("incoming/my file.csv", "v1", `${header}\nS0001,SKU-1,1,2026-12-01T10:00:00Z\n`);
        assert.strictEqual((await ingestFile({ bucket: landing, key: "incoming/my+file.csv", versionId: "v1" }, drop, h.ctx)).status, "landed");
    });
});
