import * as assert from "assert";
import { createServer, Server } from "http";
import { AddressInfo } from "net";
import { GetObjectTaggingCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { exitCodes, runBatchCli } from "../../../runtime/batch/main";
import { gunzip } from "../../../runtime/common/encoding";
import { createS3ObjectStore, MaintenanceObjectStore } from "../../../runtime/common/objectStore";
import { createFileIngestHandler, FileIngestHandler } from "../../../runtime/files/handler";
import { createS3FileStore } from "../../../runtime/files/store";
import { FileManifest } from "../../../runtime/files/types";
import { recordAs, Scope } from "../../helpers/iam/recorder";
import { captureOutput } from "../../helpers/output";
import { createBuckets, credentials, motoEndpoint, region, requireMoto, s3Client, uniqueName } from "../../helpers/ingest/services";
import { bom, gzip, parquetOf } from "../../unit/files/fixtures";

/** An S3 "Object Created" event as EventBridge delivers it to the function. */
function objectCreated(bucket: string, key: string, versionId: string | undefined) {
    return {
        version: "0",
        id: "17793124-05d4-b198-2fde-7ededc63b103",
        "detail-type": "Object Created",
        source: "aws.s3",
        account: "123456789012",
        time: "2026-12-02T06:00:00Z",
        region,
        resources: [`arn:aws:s3:::${bucket}`],
        detail: { version: "0", bucket: { name: bucket }, object: { key, size: 1, etag: "x", ...(versionId ? { "version-id": versionId } : {}), sequencer: "00617F08299329D189" }, "request-id": "N4N7GDK58NMKJ12R", requester: "123456789012", reason: "PutObject" },
    };
}

/** A stand-in for the AWS Batch API: records SubmitJob requests as they arrive on the wire. */
async function batchStandIn(): Promise<{ server: Server; endpoint: string; requests: { path: string; body: Record<string, any> }[] }> {
    const requests: { path: string; body: Record<string, any> }[] = [];
    const server = createServer((request, response) => {
        let text = "";
        request.on("data", (chunk) => (text += chunk));
        request.on("end", () => {
            requests.push({ path: request.url ?? "", body: JSON.parse(text || "{}") as Record<string, any> });
            response.writeHead(200, { "content-type": "application/json" });
            response.end(JSON.stringify({ jobArn: "arn:aws:batch:us-east-1:123456789012:job/job-1", jobName: "x", jobId: `job-${requests.length}` }));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const header = "store_id,sku,on_hand,as_of";
const edgeCsv = [`${bom}${header}`, 'S0001,"SKU-1",5,2026-12-01T10:00:00Z', 'S0002,"SKU-""2""\r\nX",7,2026-12-01T10:30:00Z', "S0003,SKU-3,-4,2026-12-01T11:00:00Z", "S0004,SKU-4,1,2026-12-01T11:00:00Z", ""].join("\r\n");

describe("file drops against S3 (moto)", () => {
    let client: S3Client;
    let store: MaintenanceObjectStore;
    let batch: Awaited<ReturnType<typeof batchStandIn>>;
    const buckets = { landing: uniqueName("landing"), raw: uniqueName("raw"), rejects: uniqueName("rejects") };

    before(async () => {
        await requireMoto();
        client = s3Client();
        store = createS3ObjectStore({ endpoint: motoEndpoint, forcePathStyle: true, region, credentials });
        await createBuckets(buckets.landing, buckets.raw, buckets.rejects);
        await client.send(new PutBucketVersioningCommand({ Bucket: buckets.landing, VersioningConfiguration: { Status: "Enabled" } }));
        batch = await batchStandIn();
    });

    const savedCredentials = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    after(() => {
        for (const [name, value] of [["AWS_ACCESS_KEY_ID", savedCredentials.id], ["AWS_SECRET_ACCESS_KEY", savedCredentials.secret]] as const) {
            if (value === undefined) {
                delete process.env[name];
            } else {
                process.env[name] = value;
            }
        }
        batch?.server.close();
        client?.destroy();
    });

    function handler(extraEnv: Record<string, string> = {}): FileIngestHandler {
        const env = {
            RAW_BUCKET: buckets.raw,
            REJECTS_BUCKET: buckets.rejects,
            DATASET: "store_inventory",
            FILE_DROP: "store_inventory",
            FILE_FORMATS: "csv,jsonl,parquet",
            FILE_CHUNK_ROWS: "2",
            BATCH_JOB_QUEUE: "arn:aws:batch:us-east-1:123456789012:job-queue/platform-dev-batch",
            BATCH_JOB_DEFINITION: "arn:aws:batch:us-east-1:123456789012:job-definition/platform-dev-batch",
            BATCH_ENDPOINT: batch.endpoint,
            AWS_ACCESS_KEY_ID: credentials.accessKeyId,
            LINEAGE_BUCKET: buckets.raw,
            LINEAGE_PREFIX: "lineage",
            ...extraEnv,
        };
        // The Batch client reads credentials from the environment, as it does in Lambda.
        process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
        process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
        const handle = createFileIngestHandler({ env, store, files: createS3FileStore({ client }) });
        // Every request the handler sends is recorded as the drop's function role, for the IAM simulation.
        return (event, context) => recordAs(scope("files"), () => handle(event, context));
    }

    function scope(component: "files" | "batch"): Scope {
        return { component, dataset: "store_inventory", buckets: { [buckets.landing]: "landing", [buckets.raw]: "raw", [buckets.rejects]: "rejects" } };
    }

    async function drop(key: string, body: Uint8Array | string): Promise<string> {
        const response = await client.send(new PutObjectCommand({ Bucket: buckets.landing, Key: key, Body: typeof body === "string" ? Buffer.from(body, "utf8") : body }));
        assert.ok(response.VersionId, "the landing bucket is versioned");
        return response.VersionId;
    }

    async function lines(bucket: string, keys: readonly string[]): Promise<Record<string, any>[]> {
        const out: Record<string, any>[] = [];
        for (const uri of keys.filter((k) => k.startsWith(`s3://${bucket}/`))) {
            const body = await store.getObject(bucket, uri.slice(`s3://${bucket}/`.length));
            out.push(...(await gunzip(body as Uint8Array)).toString("utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, any>));
        }
        return out;
    }

    async function statusTag(key: string, versionId: string): Promise<string | undefined> {
        const tags = await client.send(new GetObjectTaggingCommand({ Bucket: buckets.landing, Key: key, VersionId: versionId }));
        return tags.TagSet?.find((t) => t.Key === "platform-status")?.Value;
    }

    it("lands an edge-case CSV (BOM, CRLF, quotes, embedded newline) with rejects that name row and line, and a manifest", async () => {
        const key = "incoming/store_inventory/2026-12-01.csv";
        const versionId = await drop(key, edgeCsv);
        const outcome = await handler()(objectCreated(buckets.landing, key, versionId));
        assert.deepStrictEqual([outcome.status, outcome.rowsIn, outcome.rowsLanded, outcome.rowsRejected], ["landed", 4, 2, 2]);
        const raw = await lines(buckets.raw, outcome.objects);
        assert.deepStrictEqual(raw.map((r) => [r.store_id, r.sku, r._ingest.row, r._ingest.line]).sort(), [["S0001", "SKU-1", 1, 2], ["S0004", "SKU-4", 4, 6]]);
        // The quoted SKU with an embedded CRLF is read whole (row 2 starts on line 3) and rejected by the SKU pattern.
        const rejects = await lines(buckets.rejects, outcome.objects);
        assert.deepStrictEqual(rejects.map((r) => [r.row, r.line, r.field, r.file]).sort(), [[2, 3, "sku", `s3://${buckets.landing}/${key}`], [3, 5, "on_hand", `s3://${buckets.landing}/${key}`]]);
        assert.strictEqual(rejects.find((r) => r.row === 2)?.payload_text, 'S0002,"SKU-""2""\r\nX",7,2026-12-01T10:30:00Z');
        const manifest = JSON.parse(Buffer.from((await store.getObject(buckets.landing, outcome.manifestKey as string)) as Uint8Array).toString()) as FileManifest;
        assert.deepStrictEqual([manifest.version_id, manifest.rows_in, manifest.rows_landed + manifest.rows_rejected], [versionId, 4, 4]);
        assert.strictEqual(await statusTag(key, versionId), "landed");
    });

    it("writes nothing new for a redelivered event or a re-upload of the same bytes; a new version is a new file", async () => {
        const key = "incoming/store_inventory/2026-12-02.csv";
        const versionId = await drop(key, edgeCsv);
        const ingest = handler();
        const first = await ingestObjects(ingest, key, versionId);
        const before = await store.listKeys(buckets.raw, "store_inventory/");
        const redelivered = await ingest(objectCreated(buckets.landing, key, versionId));
        const reuploadVersion = await drop(key, edgeCsv);
        const reupload = await ingest(objectCreated(buckets.landing, key, reuploadVersion));
        assert.deepStrictEqual([redelivered.status, reupload.status], ["duplicate", "duplicate"]);
        assert.deepStrictEqual(await store.listKeys(buckets.raw, "store_inventory/"), before);
        assert.strictEqual(await statusTag(key, reuploadVersion), "duplicate");
        const changedVersion = await drop(key, `${header}\nS0009,SKU-9,3,2026-12-02T08:00:00Z\n`);
        const changed = await ingest(objectCreated(buckets.landing, key, changedVersion));
        assert.deepStrictEqual([changed.status, changed.rowsLanded], ["landed", 1]);
        assert.notStrictEqual(changed.fileId, first.fileId);
    });

    async function ingestObjects(ingest: FileIngestHandler, key: string, versionId: string) {
        const outcome = await ingest(objectCreated(buckets.landing, key, versionId));
        assert.strictEqual(outcome.status, "landed");
        return outcome;
    }

    it("lands gzip CSV, JSON Lines and Parquet drops", async () => {
        const row = { store_id: "S0101", sku: "SKU-101", on_hand: 4, as_of: "2026-12-03T09:00:00Z" };
        const ingest = handler();
        const files: [string, Uint8Array | string][] = [
            ["incoming/store_inventory/a.csv.gz", gzip(`${header}\r\nS0101,SKU-101,4,2026-12-03T09:00:00Z\r\n`)],
            ["incoming/store_inventory/b.jsonl", `${JSON.stringify(row)}\n{not json}\n`],
            ["incoming/store_inventory/c.parquet", parquetOf([row, { ...row, store_id: "S0102" }])],
        ];
        const outcomes = [];
        for (const [key, body] of files) {
            outcomes.push(await ingest(objectCreated(buckets.landing, key, await drop(key, body))));
        }
        assert.deepStrictEqual(outcomes.map((o) => [o.status, o.rowsLanded, o.rowsRejected]), [["landed", 1, 0], ["landed", 1, 1], ["landed", 2, 0]]);
    });

    it("quarantines a header that does not match and an unknown format: a copy, a reason, nothing landed", async () => {
        const ingest = handler();
        const badHeader = "incoming/store_inventory/bad-header.csv";
        const unknown = "incoming/store_inventory/report.xlsx";
        const a = await ingest(objectCreated(buckets.landing, badHeader, await drop(badHeader, "store,sku,qty,as_of\nS0001,SKU-1,1,2026-12-01T00:00:00Z\n")));
        const b = await ingest(objectCreated(buckets.landing, unknown, await drop(unknown, "PK\u0003\u0004 not a csv")));
        assert.deepStrictEqual([a.status, a.quarantine?.reason, b.status, b.quarantine?.reason], ["quarantined", "header_mismatch", "quarantined", "unknown_format"]);
        assert.match(a.quarantine?.message ?? "", /unknown column\(s\) 'store', 'qty'/);
        const copyKey = (a.quarantine?.copy ?? "").slice(`s3://${buckets.landing}/`.length);
        assert.ok(await store.headObject(buckets.landing, copyKey), "the quarantined copy exists");
        const reason = JSON.parse(Buffer.from((await store.getObject(buckets.landing, copyKey.replace(/[^/]+$/, "reason.json"))) as Uint8Array).toString()) as Record<string, unknown>;
        assert.strictEqual(reason.reason, "header_mismatch");
        assert.deepStrictEqual([a.rowsIn, b.rowsIn], [0, 0]);
    });

    it("hands a file too large for the function to AWS Batch once (the SubmitJob request), and the job's ingest-file command lands it with the same code", async () => {
        const key = "incoming/store_inventory/big.csv";
        const versionId = await drop(key, edgeCsv);
        const ingest = handler({ FILE_MAX_BYTES: "64" });
        const first = await ingest(objectCreated(buckets.landing, key, versionId));
        const again = await ingest(objectCreated(buckets.landing, key, versionId));
        assert.deepStrictEqual([first.status, again.status, again.jobId], ["handed_off", "handed_off", first.jobId]);
        assert.strictEqual(batch.requests.length, 1);
        const request = batch.requests[0] as { path: string; body: Record<string, any> };
        assert.strictEqual(request.path, "/v1/submitjob");
        assert.strictEqual(request.body.jobQueue, "arn:aws:batch:us-east-1:123456789012:job-queue/platform-dev-batch");
        assert.strictEqual(request.body.jobName, `ingest-file-store_inventory-${first.fileId}`);
        const command = request.body.containerOverrides.command as string[];
        assert.deepStrictEqual(command.slice(0, 3), ["node", "build/runtime/batch/main.js", "ingest-file"]);
        assert.strictEqual(command[command.indexOf("--version-id") + 1], versionId);

        const env = { RAW_BUCKET: buckets.raw, REJECTS_BUCKET: buckets.rejects, AWS_BATCH_JOB_ID: "job-1" };
        const { result: code } = await recordAs(scope("batch"), () => captureOutput(() => runBatchCli(command.slice(2), { env, store, files: createS3FileStore({ client }) })));
        assert.strictEqual(code, exitCodes.ok);
        const after = await ingest(objectCreated(buckets.landing, key, versionId));
        assert.deepStrictEqual([after.status, after.rowsIn, after.rowsLanded, after.rowsRejected], ["duplicate", 4, 2, 2]);
    });
});
