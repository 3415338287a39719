import * as assert from "assert";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { gunzip } from "../../../runtime/common/encoding";
import { createS3ObjectStore, MaintenanceObjectStore } from "../../../runtime/common/objectStore";
import { createApiConnectorHandlerWith, createS3CheckpointStore, runApiConnector } from "../../../runtime/connectors/api";
import { createBuckets, credentials, motoEndpoint, region, requireMoto, uniqueName } from "../../helpers/ingest/services";
import { FakeApi, fxRecords, startFakeApi } from "../../helpers/connectors/fakeApi";
import { apiKey, fxSource, manualEnvironment, memoryDependencies } from "../../helpers/connectors/source";
import { recordAs } from "../../helpers/iam/recorder";
import { assertValidEvents, parseLineageObjects } from "../../helpers/lineage/schema";

/**
 * The API connector against moto (S3 for the zones and the checkpoint, Secrets Manager for the
 * key) and a local HTTP API: S3's real conditional writes decide idempotency and who advances.
 */

const now = Date.parse("2026-12-06T01:00:00Z");
const inWindow = "2026-12-05T12:00:00.000Z";

async function objectsOf(store: MaintenanceObjectStore, bucket: string): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    for (const { key } of await store.listObjects(bucket, "")) {
        out.set(key, Buffer.from((await store.getObject(bucket, key)) ?? new Uint8Array()));
    }
    return out;
}

describe("API connector against S3 and Secrets Manager (moto)", () => {
    let store: MaintenanceObjectStore;
    let api: FakeApi;
    let buckets: { raw: string; rejects: string };

    before(async () => {
        await requireMoto();
        store = createS3ObjectStore({ endpoint: motoEndpoint, forcePathStyle: true, region, credentials });
    });

    beforeEach(async () => {
        api = await startFakeApi({ style: "cursor", pageSize: 3, apiKey });
        buckets = { raw: uniqueName("raw"), rejects: uniqueName("rejects") };
        await createBuckets(buckets.raw, buckets.rejects);
    });

    afterEach(async () => {
        await api.close();
    });

    /** Runs `fn` as the deployed connector of fx_rates: its AWS requests are simulated against its role. */
    function asConnector<T>(fn: () => T, apiSecrets: readonly string[] = []): T {
        return recordAs({ component: "connector", dataset: "fx_rates", buckets: { [buckets.raw]: "raw", [buckets.rejects]: "rejects" }, apiSecrets }, fn);
    }

    function s3Dependencies(checkpointKey: string, afterPage?: (page: number) => void) {
        const checkpoints = createS3CheckpointStore({ source: "fx-rates", bucket: buckets.raw, key: checkpointKey, endpoint: motoEndpoint, region, credentials });
        return memoryDependencies(fxSource(api.baseUrl, "cursor", 3), manualEnvironment(now), { store, rawBucket: buckets.raw, rejectsBucket: buckets.rejects, checkpoints, ...(afterPage ? { afterPage } : {}) });
    }

    it("crashes after page 1, reruns the claimed window and ends with byte-identical objects to an uninterrupted run", async () => {
        api.records.push(...fxRecords(8, inWindow), { base_currency: "USD", quote_currency: "ZZZ", rate_date: "2026-12-01", rate: 1, updated_at: inWindow });
        const crashing = s3Dependencies("_connectors/fx-rates/checkpoint.json", (page) => {
            if (page === 1) throw new Error("simulated crash after page 1");
        });
        await assert.rejects(asConnector(() => runApiConnector(crashing)), /simulated crash/);
        const rerun = await asConnector(() => runApiConnector({ ...crashing, afterPage: undefined }));
        assert.deepStrictEqual([rerun.outcome, rerun.resumed, rerun.recordsIn, rerun.recordsLanded + rerun.recordsRejected], ["completed", true, 9, 9]);

        const reference = { raw: uniqueName("raw"), rejects: uniqueName("rejects") };
        await createBuckets(reference.raw, reference.rejects);
        const clean = memoryDependencies(fxSource(api.baseUrl, "cursor", 3), manualEnvironment(now), {
            store,
            rawBucket: reference.raw,
            rejectsBucket: reference.rejects,
            checkpoints: createS3CheckpointStore({ source: "fx-rates", bucket: reference.raw, key: "_connectors/fx-rates/checkpoint.json", endpoint: motoEndpoint, region, credentials }),
        });
        await runApiConnector(clean);
        for (const zone of ["raw", "rejects"] as const) {
            const got = await objectsOf(store, buckets[zone]);
            const want = await objectsOf(store, reference[zone]);
            const data = (m: Map<string, Buffer>) => new Map([...m].filter(([key]) => !key.startsWith("_connectors/")));
            assert.deepStrictEqual([...data(got).keys()], [...data(want).keys()], zone);
            for (const [key, body] of data(want)) {
                assert.ok(body.equals(got.get(key) as Buffer), `${zone} ${key} differs`);
            }
        }
        const lines = (await Promise.all([...(await objectsOf(store, buckets.raw))].filter(([k]) => !k.startsWith("_")).map(async ([, body]) => (await gunzip(body)).toString("utf8").trimEnd().split("\n")))).flat();
        assert.strictEqual(lines.length, 8, "every valid record exactly once");
    });

    it("lets only one of two overlapping runs advance the checkpoint (S3 If-Match)", async () => {
        api.records.push(...fxRecords(7, inWindow));
        const a = s3Dependencies("_connectors/fx-rates/checkpoint.json");
        const b = s3Dependencies("_connectors/fx-rates/checkpoint.json");
        const outcomes = (await asConnector(() => Promise.all([runApiConnector(a), runApiConnector(b)]))).map((s) => s.outcome).sort();
        assert.deepStrictEqual(outcomes, ["completed", "conflict"]);
        const stored = await a.checkpoints.read();
        assert.deepStrictEqual(stored?.state, { version: 1, source: "fx-rates", watermark: "2026-12-06T01:00:00.000Z", pending: null });
    });

    it("refuses a stale checkpoint ETag, so a run that lost the claim cannot move the watermark", async () => {
        const checkpoints = createS3CheckpointStore({ source: "fx-rates", bucket: buckets.raw, key: "cp.json", endpoint: motoEndpoint, region, credentials });
        const first = await checkpoints.write({ version: 1, source: "fx-rates", watermark: null, pending: null }, undefined);
        await checkpoints.write({ version: 1, source: "fx-rates", watermark: "2026-12-06T00:00:00.000Z", pending: null }, first);
        await assert.rejects(checkpoints.write({ version: 1, source: "fx-rates", watermark: "2026-12-07T00:00:00.000Z", pending: null }, first), { name: "CheckpointConflictError" });
        await assert.rejects(checkpoints.write({ version: 1, source: "fx-rates", watermark: null, pending: null }, undefined), { name: "CheckpointConflictError" });
        assert.strictEqual((await checkpoints.read())?.state.watermark, "2026-12-06T00:00:00.000Z");
    });

    it("runs the deployed handler: settings from the environment, the API key from Secrets Manager, records landed, checkpoint advanced", async () => {
        api.records.push(...fxRecords(4, new Date(Date.now() - 3_600_000).toISOString()));
        const secrets = new SecretsManagerClient({ region, endpoint: motoEndpoint, credentials });
        const secret = await secrets.send(new CreateSecretCommand({ Name: uniqueName("fx-rates"), SecretString: JSON.stringify({ apiKey }) }));
        secrets.destroy();
        const env = {
            API_SOURCE: JSON.stringify(fxSource(api.baseUrl, "cursor", 3)),
            SECRET_ARN: secret.ARN,
            RAW_BUCKET: buckets.raw,
            REJECTS_BUCKET: buckets.rejects,
            CHECKPOINT_BUCKET: buckets.raw,
            CHECKPOINT_KEY: "_connectors/fx-rates/checkpoint.json",
            S3_ENDPOINT: motoEndpoint,
            SECRETS_ENDPOINT: motoEndpoint,
            // Lineage on, as the stacks deploy it: its writes are recorded for the IAM simulation too.
            LINEAGE_BUCKET: buckets.raw,
            LINEAGE_PREFIX: "lineage",
        };
        // The SDK's default credential chain reads the process environment, as it does in Lambda.
        const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
        process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
        process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
        after(() => {
            for (const [name, value] of [["AWS_ACCESS_KEY_ID", saved.id], ["AWS_SECRET_ACCESS_KEY", saved.secret]] as const) {
                if (value === undefined) delete process.env[name];
                else process.env[name] = value;
            }
        });
        const silent = { setContext: () => undefined, pageFetched: () => undefined, apiError: () => undefined, runFinished: () => undefined, runFailed: () => undefined };
        const handler = createApiConnectorHandlerWith({ env, telemetry: silent });
        const summary = await asConnector(() => handler({}, undefined), [secret.ARN as string]);
        assert.deepStrictEqual([summary.outcome, summary.recordsLanded, summary.pages], ["completed", 4, 2]);
        const again = await asConnector(() => handler({}, undefined), [secret.ARN as string]);
        assert.strictEqual(again.outcome, "completed");
        assert.ok(Date.parse(again.watermark ?? "") >= Date.parse(summary.watermark ?? ""));
        // Lineage goes to the endpoint S3_ENDPOINT names, like the records: one START + COMPLETE object per run.
        const lake = createS3ObjectStore({ endpoint: motoEndpoint, region, credentials, forcePathStyle: true });
        const keys = await lake.listKeys(buckets.raw, "lineage/");
        assert.strictEqual(keys.length, 2);
        const events = parseLineageObjects(await Promise.all(keys.map(async (key) => (await lake.getObject(buckets.raw, key))!)));
        assertValidEvents(events);
        assert.deepStrictEqual(events.map((event) => event.eventType), ["START", "COMPLETE", "START", "COMPLETE"]);
    });
});
