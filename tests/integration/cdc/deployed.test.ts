import * as assert from "assert";
import * as fs from "fs";
import * as zlib from "zlib";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { changeSeq, DmsChangeRow, renderDmsCsv } from "../../../runtime/cdc/dms";
import { ChangeFileOutcome, createCdcLandingHandler } from "../../../runtime/cdc/handler";
import { functionEnvironment, invokeFresh, unpackFunction } from "../../helpers/deployed";
import { recordAs } from "../../helpers/iam/recorder";
import { createBuckets, motoEndpoint, motoStore, requireMoto, s3Client, uniqueName } from "../../helpers/ingest/services";
import { one, stackRun } from "../../helpers/stacks";
import { assertValidEvents, lakeLineageEvents } from "../../helpers/lineage/schema";

const columns = ["id", "name", "email", "country", "segment", "created_at", "updated_at"];
const row = (op: "I" | "U" | "D", id: string, seq: number, values: Record<string, string | null> = {}): DmsChangeRow => ({
    op,
    commitTimestamp: "2026-12-06 02:03:04.123456",
    changeSeq: changeSeq(500n, seq),
    values: { id, name: "Ann", email: "ann@example.com", country: "IE", segment: "consumer", created_at: "2026-12-01 00:00:00.000000", updated_at: "2026-12-06 02:00:00.000000", ...values },
});
const changeFile = renderDmsCsv(columns, [row("I", "CUST-00000001", 1), row("U", "CUST-00000002", 2, { email: "not-an-address" }), row("D", "CUST-00000003", 3, { name: null, email: null })]);
const objectCreated = (bucket: string, key: string) => ({ "detail-type": "Object Created", source: "aws.s3", detail: { bucket: { name: bucket }, object: { key }, reason: "PutObject" } });

async function lines(bucket: string, prefix: string): Promise<Record<string, unknown>[]> {
    const store = motoStore();
    const out: Record<string, unknown>[] = [];
    for (const key of await store.listKeys(bucket, prefix)) {
        const body = (await store.getObject(bucket, key)) as Uint8Array;
        out.push(...zlib.gunzipSync(body).toString("utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>));
    }
    return out;
}

/**
 * The change-file landing function each stack deploys, from the code archive the program
 * declared (the closure serialized as Pulumi does) with the environment the program gave it, run
 * in a fresh Node process on an EventBridge "Object Created" event for a DMS change file against
 * S3 (moto); and the same handler in process, its AWS requests recorded as the landing role's for
 * the IAM simulation.
 */
describe("the change-file landing function each stack deploys, run from its recorded code against S3 (moto)", () => {
    const dirs: string[] = [];
    before(requireMoto);
    after(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: lands a DMS change file (rows in = landed + rejected, delete by key), and a redelivery writes nothing`, async () => {
            const fn = one(await stackRun(stack), "aws:lambda/function:Function", "databases-landing");
            const dir = unpackFunction(fn);
            dirs.push(dir);
            const buckets = { raw: uniqueName("raw"), rejects: uniqueName("rejects") };
            await createBuckets(buckets.raw, buckets.rejects);
            const client = s3Client();
            const key = "_dms/public/customers/20261206-020304123.csv";
            await client.send(new PutObjectCommand({ Bucket: buckets.raw, Key: key, Body: changeFile }));
            const env = { ...functionEnvironment(fn), RAW_BUCKET: buckets.raw, REJECTS_BUCKET: buckets.rejects, LINEAGE_BUCKET: buckets.raw, S3_ENDPOINT: motoEndpoint };
            assert.strictEqual(functionEnvironment(fn).CDC_TABLES, "public.customers=customers:id");
            const first = await invokeFresh(dir, objectCreated(buckets.raw, key), env);
            assert.ok(!first.error, first.stdout);
            const outcome = first.result as ChangeFileOutcome;
            assert.deepStrictEqual([outcome.table, outcome.rowsIn, outcome.rowsLanded, outcome.rowsRejected, outcome.objectsWritten], ["public.customers", 3, 2, 1, 2]);
            const raw = await lines(buckets.raw, "customers/");
            assert.deepStrictEqual(raw.map((r) => [r.id, r.cdc_op]), [["CUST-00000001", "I"], ["CUST-00000003", "D"]]);
            const rejects = await lines(buckets.rejects, "customers/");
            assert.strictEqual(rejects.length, 1);
            assert.match(String(rejects[0]?.source), /20261206-020304123\.csv#3$/);
            const again = await invokeFresh(dir, objectCreated(buckets.raw, key), env);
            assert.ok(!again.error, again.stdout);
            assert.deepStrictEqual([(again.result as ChangeFileOutcome).objectsWritten, (again.result as ChangeFileOutcome).objectsPresent], [0, 2]);
            assert.deepStrictEqual((await lines(buckets.raw, "customers/")).length, 2);
            client.destroy();
        });
    }

    it("dev: with LINEAGE_BUCKET set, the deployed code reports the change file as one OpenLineage run in the lineage bucket", async () => {
        const fn = one(await stackRun("dev"), "aws:lambda/function:Function", "databases-landing");
        const dir = unpackFunction(fn);
        dirs.push(dir);
        const buckets = { raw: uniqueName("raw"), rejects: uniqueName("rejects"), ops: uniqueName("ops") };
        await createBuckets(buckets.raw, buckets.rejects, buckets.ops);
        const client = s3Client();
        const key = "_dms/public/customers/20261206-020304123.csv";
        await client.send(new PutObjectCommand({ Bucket: buckets.raw, Key: key, Body: changeFile }));
        // The lineage store takes the SDK's own S3 endpoint setting (the stacks' LINEAGE_* wiring is not part of this change).
        const env = { ...functionEnvironment(fn), RAW_BUCKET: buckets.raw, REJECTS_BUCKET: buckets.rejects, S3_ENDPOINT: motoEndpoint, AWS_ENDPOINT_URL_S3: motoEndpoint, LINEAGE_BUCKET: buckets.ops, LINEAGE_NAMESPACE: "etl-platform-dev" };
        const invoked = await invokeFresh(dir, objectCreated(buckets.raw, key), env);
        assert.ok(!invoked.error, invoked.stdout);
        const store = motoStore();
        const keys = await store.listKeys(buckets.ops, "lineage/");
        assert.strictEqual(keys.length, 1, invoked.stdout);
        // The unit tests' reader expects the lineage bucket to be called "ops"; this one has a unique name.
        const opsView = { ...store, listKeys: (_bucket: string, prefix: string) => store.listKeys(buckets.ops, prefix), getObject: (_bucket: string, objectKey: string) => store.getObject(buckets.ops, objectKey) };
        const events = await lakeLineageEvents(opsView);
        assertValidEvents(events);
        assert.deepStrictEqual(events.map((e) => [e.eventType, e.job.name]), [["START", "cdc-landing.public.customers"], ["COMPLETE", "cdc-landing.public.customers"]]);
        assert.deepStrictEqual(events[1]!.outputs.map((o) => [o.namespace, o.outputFacets?.outputStatistics?.rowCount]), [[`s3://${buckets.raw}`, 2], [`s3://${buckets.rejects}`, 1]]);
        client.destroy();
    });

    it("the handler's AWS requests, recorded as the landing role's, for a full-load file and a redelivered change file", async () => {
        const buckets = { raw: uniqueName("raw"), rejects: uniqueName("rejects") };
        await createBuckets(buckets.raw, buckets.rejects);
        const client = s3Client();
        const load = "_dms/public/customers/LOAD00000001.csv";
        const change = "_dms/public/customers/20261206-020304123.csv";
        await client.send(new PutObjectCommand({ Bucket: buckets.raw, Key: load, Body: renderDmsCsv(columns, [row("I", "CUST-00000009", 1)]) }));
        await client.send(new PutObjectCommand({ Bucket: buckets.raw, Key: change, Body: changeFile }));
        const handle = createCdcLandingHandler({
            env: { RAW_BUCKET: buckets.raw, REJECTS_BUCKET: buckets.rejects, CDC_DMS_FOLDER: "_dms", CDC_TABLES: "public.customers=customers:id", LINEAGE_BUCKET: buckets.raw, LINEAGE_PREFIX: "lineage" },
            store: motoStore(),
        });
        const scope = { component: "cdc" as const, dataset: "customers", buckets: { [buckets.raw]: "raw" as const, [buckets.rejects]: "rejects" as const } };
        const run = (key: string) => recordAs(scope, () => handle(objectCreated(buckets.raw, key)));
        assert.strictEqual((await run(load)).rowsLanded, 1);
        assert.strictEqual((await run(change)).objectsWritten, 2);
        assert.strictEqual((await run(change)).objectsPresent, 2);
        client.destroy();
    });
});
