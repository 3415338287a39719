import * as assert from "assert";
import * as fs from "fs";
import { createMemoryObjectStore } from "../../../runtime/common/memoryObjectStore";
import { createIngestHandler } from "../../../runtime/ingest/handler";
import { createOrderGenerator } from "../../../runtime/producers/orders";
import { functionEnvironment, invokeFresh, unpackFunction } from "../../helpers/deployed";
import { kinesisEvent, mskEvent } from "../../helpers/ingest/events";
import { createBuckets, motoEndpoint, motoStore, requireMoto, uniqueName } from "../../helpers/ingest/services";
import { readAll } from "../../helpers/ingest/stores";
import { createRecordingTelemetry } from "../../helpers/ingest/telemetry";
import { one, stackRun } from "../../helpers/stacks";

/**
 * The strongest offline evidence that a deploy works: the code archive the program itself
 * declared for each stack's ingest function (what `pulumi up` would upload), with the environment
 * the program gave it, run in a fresh Node process against S3 (moto). Dev ingests from Kinesis,
 * prod from MSK; the objects must be exactly those the in-process handler writes.
 */
describe("the ingest function each stack deploys, run from its recorded code against S3 (moto)", () => {
    const messages = createOrderGenerator({ seed: 31, badRatio: 0.15, startTimeMs: Date.UTC(2024, 5, 3, 9) }).take(200);
    const streamTime = Date.UTC(2024, 5, 3, 9) + 200 * 1000 + 60_000;
    const dirs: string[] = [];

    before(requireMoto);
    after(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

    async function expected(engine: "kafka" | "kinesis", event: unknown): Promise<[Map<string, string>, Map<string, string>]> {
        const store = createMemoryObjectStore();
        const handler = createIngestHandler({ engine, env: { RAW_BUCKET: "raw", REJECTS_BUCKET: "rejects", DATASET: "orders" }, store, telemetry: createRecordingTelemetry() });
        await (handler as (e: unknown) => Promise<unknown>)(event);
        return [await readAll(store, "raw"), await readAll(store, "rejects")];
    }

    const cases = [
        {
            stack: "dev" as const,
            engine: "kinesis" as const,
            event: () => kinesisEvent(messages.map((m, i) => ({ shardId: "shardId-000000000001", sequenceNumber: `4970${String(i + 1).padStart(52, "0")}`, value: m.value, partitionKey: m.key ?? "k", arrivalMs: streamTime }))),
        },
        {
            stack: "prod" as const,
            engine: "kafka" as const,
            event: () => mskEvent(messages.map((m, i) => ({ topic: "orders.v1", partition: i % 4, offset: 5000 + i, key: m.key, value: m.value, headers: m.headers, timestamp: streamTime }))),
        },
    ];

    for (const c of cases) {
        it(`${c.stack}: lands exactly the expected raw and reject objects, and a redelivery changes nothing`, async () => {
            const fn = one(await stackRun(c.stack), "aws:lambda/function:Function", "ingest-orders");
            const env = functionEnvironment(fn);
            assert.strictEqual(env.DATASET, "orders");
            const [raw, rejects] = [uniqueName(`${c.stack}-raw`), uniqueName(`${c.stack}-rejects`)];
            await createBuckets(raw, rejects);
            const dir = unpackFunction(fn);
            dirs.push(dir);
            const event = c.event();
            const runEnv = { ...env, RAW_BUCKET: raw, REJECTS_BUCKET: rejects, S3_ENDPOINT: motoEndpoint };
            const first = await invokeFresh(dir, event, runEnv);
            assert.deepStrictEqual(first.result, { batchItemFailures: [] }, first.stdout.slice(-2000));
            const again = await invokeFresh(dir, event, runEnv);
            assert.deepStrictEqual(again.result, { batchItemFailures: [] }, again.stdout.slice(-2000));
            const [expectedRaw, expectedRejects] = await expected(c.engine, event);
            assert.ok(expectedRaw.size > 0 && expectedRejects.size > 0);
            assert.deepStrictEqual(await readAll(motoStore(), raw), expectedRaw);
            assert.deepStrictEqual(await readAll(motoStore(), rejects), expectedRejects);
            const processed = first.stdout.split("\n").find((line) => line.includes('"ingest batch processed"'));
            assert.ok(processed, "the structured batch log line");
            assert.strictEqual(JSON.parse(processed).service, env.POWERTOOLS_SERVICE_NAME);
        });
    }
});
