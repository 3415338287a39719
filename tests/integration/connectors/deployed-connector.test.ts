import * as assert from "assert";
import * as fs from "fs";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { gunzip } from "../../../runtime/common/encoding";
import { functionEnvironment, invokeFresh, unpackFunction } from "../../helpers/deployed";
import { FakeApi, fxRecords, startFakeApi } from "../../helpers/connectors/fakeApi";
import { apiKey } from "../../helpers/connectors/source";
import { createBuckets, credentials, motoEndpoint, motoStore, region, requireMoto, uniqueName } from "../../helpers/ingest/services";
import { ofType, stackRun } from "../../helpers/stacks";

/**
 * The connector code archive each stack declares (what `pulumi up` would upload), with the
 * environment the program gave it, run in a fresh Node process against moto (S3, Secrets Manager)
 * and a local API that stands in for the provider: the settings keep the stack's pagination and
 * parameters, only the base URL points at the stand-in.
 */
describe("the API connector each stack deploys, run from its recorded code against moto and a local API", () => {
    const dirs: string[] = [];
    let api: FakeApi;

    before(requireMoto);
    beforeEach(async () => {
        api = await startFakeApi({ style: "cursor", pageSize: 3, apiKey });
    });
    afterEach(() => api.close());
    after(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: lands every record of the window once and a second run adds nothing but its own window`, async () => {
            const fn = ofType(await stackRun(stack), "aws:lambda/function:Function").find((f) => f.name === "connectors-fx-rates")!;
            const dir = unpackFunction(fn);
            dirs.push(dir);
            const declared = functionEnvironment(fn);
            const buckets = { raw: uniqueName("raw"), rejects: uniqueName("rejects") };
            await createBuckets(buckets.raw, buckets.rejects);
            const secrets = new SecretsManagerClient({ region, endpoint: motoEndpoint, credentials });
            await secrets.send(new CreateSecretCommand({ Name: `${declared.SECRET_ARN}-${uniqueName("t")}`, SecretString: JSON.stringify({ apiKey }) })).then(async (created) => {
                declared.SECRET_ARN = created.ARN as string;
            });
            secrets.destroy();
            api.records.push(...fxRecords(7, new Date(Date.now() - 3_600_000).toISOString()));
            const env = {
                ...declared,
                API_SOURCE: JSON.stringify({ ...JSON.parse(declared.API_SOURCE as string), baseUrl: api.baseUrl }),
                RAW_BUCKET: buckets.raw,
                REJECTS_BUCKET: buckets.rejects,
                CHECKPOINT_BUCKET: buckets.raw,
                S3_ENDPOINT: motoEndpoint,
                SECRETS_ENDPOINT: motoEndpoint,
                LAKE_KEY_ARN: "",
                AWS_ACCESS_KEY_ID: credentials.accessKeyId,
                AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
            };
            const first = await invokeFresh(dir, { source: "fx-rates" }, env);
            assert.ok(!first.error, `${first.error?.name}: ${first.error?.message}`);
            const summary = first.result as { outcome: string; recordsIn: number; recordsLanded: number; pages: number; watermark: string };
            assert.deepStrictEqual([summary.outcome, summary.recordsIn, summary.recordsLanded, summary.pages], ["completed", 7, 7, 3]);
            assert.ok(api.requests.every((r) => r.url.includes("base=USD")));

            const store = motoStore();
            const dataKeys = (await store.listKeys(buckets.raw, "fx_rates/")).sort();
            const lines = (await Promise.all(dataKeys.map(async (key) => (await gunzip(Buffer.from((await store.getObject(buckets.raw, key)) as Uint8Array))).toString("utf8").trimEnd().split("\n")))).flat();
            assert.strictEqual(lines.length, 7);
            const checkpoint = JSON.parse(Buffer.from((await store.getObject(buckets.raw, declared.CHECKPOINT_KEY as string)) as Uint8Array).toString("utf8"));
            assert.deepStrictEqual([checkpoint.watermark, checkpoint.pending], [summary.watermark, null]);

            const second = await invokeFresh(dir, { source: "fx-rates" }, env);
            const again = second.result as { outcome: string; watermark: string };
            assert.strictEqual(again.outcome, "completed");
            assert.ok(again.watermark >= summary.watermark, "the watermark only moves forward");
        });
    }
});
