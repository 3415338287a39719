import * as assert from "assert";
import * as fs from "fs";
import { GetObjectTaggingCommand, PutBucketVersioningCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { functionEnvironment, invokeFresh, unpackFunction } from "../../helpers/deployed";
import { createBuckets, motoEndpoint, motoStore, requireMoto, s3Client, uniqueName } from "../../helpers/ingest/services";
import { one, stackRun } from "../../helpers/stacks";

/**
 * The file-ingest function each stack deploys, from the code archive the program declared (the
 * closure serialized as Pulumi does) with the environment the program gave it, run in a fresh
 * Node process on an EventBridge "Object Created" event against S3 (moto).
 */
describe("the file-ingest function each stack deploys, run from its recorded code against S3 (moto)", () => {
    const dirs: string[] = [];
    before(requireMoto);
    after(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: lands a CSV drop, counts rows in = landed + rejected, tags the file, and a redelivery writes nothing`, async () => {
            const fn = one(await stackRun(stack), "aws:lambda/function:Function", "files-store_inventory");
            const dir = unpackFunction(fn);
            dirs.push(dir);
            const buckets = { landing: uniqueName("landing"), raw: uniqueName("raw"), rejects: uniqueName("rejects") };
            await createBuckets(buckets.landing, buckets.raw, buckets.rejects);
            const client = s3Client();
            await client.send(new PutBucketVersioningCommand({ Bucket: buckets.landing, VersioningConfiguration: { Status: "Enabled" } }));
            const key = "incoming/store_inventory/2026-12-05.csv";
            const body = "store_id,sku,on_hand,as_of\r\nS0001,SKU-1,3,2026-12-05T00:00:00Z\r\nS0002,SKU-2,-1,2026-12-05T00:00:00Z\r\n";
            const { VersionId } = await client.send(new PutObjectCommand({ Bucket: buckets.landing, Key: key, Body: body }));
            const env = { ...functionEnvironment(fn), RAW_BUCKET: buckets.raw, REJECTS_BUCKET: buckets.rejects, S3_ENDPOINT: motoEndpoint };
            const event = { "detail-type": "Object Created", source: "aws.s3", detail: { bucket: { name: buckets.landing }, object: { key, "version-id": VersionId }, reason: "PutObject" } };
            const first = await invokeFresh(dir, event, env);
            assert.ok(!first.error, first.stdout);
            const outcome = first.result as { status: string; rowsIn: number; rowsLanded: number; rowsRejected: number };
            assert.deepStrictEqual([outcome.status, outcome.rowsIn, outcome.rowsLanded, outcome.rowsRejected], ["landed", 2, 1, 1]);
            const store = motoStore();
            const raw = await store.listKeys(buckets.raw, "");
            assert.strictEqual(raw.length, 1);
            assert.strictEqual((await store.listKeys(buckets.rejects, "")).length, 1);
            const tags = await client.send(new GetObjectTaggingCommand({ Bucket: buckets.landing, Key: key, VersionId }));
            assert.strictEqual(tags.TagSet?.find((t) => t.Key === "platform-status")?.Value, "landed");
            const again = await invokeFresh(dir, event, env);
            assert.strictEqual((again.result as { status: string }).status, "duplicate", again.stdout);
            assert.deepStrictEqual(await store.listKeys(buckets.raw, ""), raw);
            client.destroy();
        });
    }
});
