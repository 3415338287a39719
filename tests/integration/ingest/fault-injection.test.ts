import * as assert from "assert";
import { IngestWriteError } from "../../../runtime/ingest/errors";
import { createIngestHandler } from "../../../runtime/ingest/handler";
import { KinesisStreamEvent, MskEvent } from "../../../runtime/ingest/types";
import { startKafkaEventSource } from "../../../runtime/local/kafkaEventSource";
import { startKinesisEventSource } from "../../../runtime/local/kinesisEventSource";
import { createKafkaProducer } from "../../../runtime/producers/kafka";
import { createKinesisProducer } from "../../../runtime/producers/kinesis";
import { createOrderGenerator } from "../../../runtime/producers/orders";
import { mskEvent } from "../../helpers/ingest/events";
import { assertZonesMatch } from "../../helpers/ingest/expectations";
import { FaultAction, FaultProxy, ProxiedRequest, startFaultProxy } from "../../helpers/ingest/faultProxy";
import { createBuckets, createStream, createTopic, credentials, kafkaBrokers, motoEndpoint, motoStore, region, requireKafka, requireMoto, uniqueName, waitUntil } from "../../helpers/ingest/services";
import { readAll, readAllRaw } from "../../helpers/ingest/stores";
import { createRecordingTelemetry } from "../../helpers/ingest/telemetry";

/** Fails every attempt of the first `keys` distinct object keys that `select` picks, with `action`, `rounds` times each. */
function failObjects(select: (url: string) => boolean, keys: number, rounds: number, action: FaultAction): (request: ProxiedRequest) => FaultAction {
    const attempts = new Map<string, number>();
    return (request) => {
        if (request.method !== "PUT" || !select(request.url)) {
            return "pass";
        }
        const path = request.url.split("?")[0] as string;
        if (!attempts.has(path) && attempts.size >= keys) {
            return "pass";
        }
        const seen = (attempts.get(path) ?? 0) + 1;
        attempts.set(path, seen);
        return seen <= rounds ? action : "pass";
    };
}

const env = (raw: string, rejects: string) => ({ RAW_BUCKET: raw, REJECTS_BUCKET: rejects, DATASET: "orders" });
/** Two SDK attempts of at most 400 ms each per request: faults surface quickly. */
const faultyStore = (proxy: FaultProxy) => motoStore(proxy.endpoint, { requestTimeoutMs: 400, maxAttempts: 2 });

async function assertSameObjects(bucketsA: readonly [string, string], bucketsB: readonly [string, string]): Promise<void> {
    for (let i = 0; i < 2; i += 1) {
        const a = await readAllRaw(motoStore(), bucketsA[i] as string);
        const b = await readAllRaw(motoStore(), bucketsB[i] as string);
        assert.deepStrictEqual([...a.keys()], [...b.keys()], "different object keys");
        for (const [key, body] of a) {
            assert.ok(body.equals(b.get(key) as Buffer), `object ${key} differs`);
        }
    }
}

describe("fault injection: S3 errors and timeouts mid-batch, then redelivery", () => {
    let proxy: FaultProxy;
    before(async () => {
        await requireMoto();
        proxy = await startFaultProxy(motoEndpoint);
    });
    after(async () => {
        await proxy.close();
    });

    it("Kafka: a batch whose writes partly fail, time out, or land unacknowledged is thrown back; its redelivery completes exactly the objects of a clean run", async () => {
        const [cleanRaw, cleanRejects, raw, rejects] = [uniqueName("clean-raw"), uniqueName("clean-rej"), uniqueName("raw"), uniqueName("rej")];
        await createBuckets(cleanRaw, cleanRejects, raw, rejects);
        const messages = createOrderGenerator({ seed: 5, badRatio: 0.2, startTimeMs: Date.now() - 7_200_000, intervalMs: 5_000 }).take(1200);
        const event: MskEvent = mskEvent(messages.map((m, i) => ({ partition: i % 2, offset: 5000 + i, key: m.key, value: m.value, timestamp: Date.now() })));

        await createIngestHandler({ engine: "kafka", env: env(cleanRaw, cleanRejects), store: motoStore(), telemetry: createRecordingTelemetry() })(event);

        const telemetry = createRecordingTelemetry();
        const handler = createIngestHandler({ engine: "kafka", env: env(raw, rejects), store: faultyStore(proxy), telemetry });
        const errors = failObjects((url) => url.includes("error_type=") && !url.includes("error_type=cross_field"), 2, 2, "error");
        const stalls = failObjects((url) => url.includes("error_type=cross_field"), 1, 2, "stall");
        const landedUnacknowledged = failObjects((url) => url.includes("/dt=") && !url.includes("error_type="), 3, 1, "stall-after-write");
        proxy.setRule((request) => [errors(request), stalls(request), landedUnacknowledged(request)].find((action) => action !== "pass") ?? "pass");
        await assert.rejects(handler(event), (error: unknown) => error instanceof IngestWriteError && error.failedKeys.length >= 2 && /could not be written/.test(error.message));
        const first = telemetry.batches[0]!;
        assert.ok(first.counts.failed > 0 && first.objects.written > 0, JSON.stringify(first.counts));
        assert.ok(first.objects.alreadyPresent >= 1, "a write that landed but timed out must be recognised as present by the SDK's retry");
        assert.strictEqual(first.counts.in, first.counts.landed + first.counts.rejected + first.counts.failed);

        proxy.setRule(() => "pass");
        await handler(event);
        const second = telemetry.batches[1]!;
        assert.deepStrictEqual([second.counts.failed, second.objects.conflicts], [0, 0]);
        assert.ok(second.objects.alreadyPresent > 0);
        await assertSameObjects([raw, rejects], [cleanRaw, cleanRejects]);
        assertZonesMatch(messages, await readAll(motoStore(), raw), await readAll(motoStore(), rejects), "orders");
    });

    it("Kafka through the broker and the runner: failed batches are retried until they land, nothing is lost or duplicated, and the objects equal a clean replay of the delivered batches", async () => {
        await requireKafka();
        const topic = uniqueName("faults");
        const [raw, rejects, cleanRaw, cleanRejects] = [uniqueName("raw"), uniqueName("rej"), uniqueName("clean-raw"), uniqueName("clean-rej")];
        await createBuckets(raw, rejects, cleanRaw, cleanRejects);
        await createTopic(topic, 2);
        const messages = createOrderGenerator({ seed: 77, badRatio: 0.1, startTimeMs: Date.now() - 3_600_000 }).take(1500);
        const producer = createKafkaProducer({ brokers: kafkaBrokers, topic });
        await producer.send(messages);
        await producer.close();

        const accepted: MskEvent[] = [];
        const handler = createIngestHandler({ engine: "kafka", env: env(raw, rejects), store: faultyStore(proxy), telemetry: createRecordingTelemetry() });
        proxy.setRule(failObjects(() => true, 4, 2, "error"));
        const runner = await startKafkaEventSource({
            brokers: kafkaBrokers,
            topic,
            groupId: uniqueName("faults"),
            batchSize: 300,
            batchingWindowMs: 100,
            retryDelayMs: 100,
            handler: async (event) => {
                const response = await handler(event);
                accepted.push(event);
                return response;
            },
        });
        await waitUntil(() => runner.stats.records === messages.length, { timeoutMs: 120_000, description: `all records to be committed (now ${runner.stats.records})` });
        await runner.stop();
        proxy.setRule(() => "pass");
        assert.ok(runner.stats.failedInvocations > 0, "no fault was injected");
        assertZonesMatch(messages, await readAll(motoStore(), raw), await readAll(motoStore(), rejects), topic);

        const clean = createIngestHandler({ engine: "kafka", env: env(cleanRaw, cleanRejects), store: motoStore(), telemetry: createRecordingTelemetry() });
        for (const event of accepted) {
            await clean(event);
        }
        await assertSameObjects([raw, rejects], [cleanRaw, cleanRejects]);
    });

    it("Kinesis through the runner: failed objects fail their shard's slice in batchItemFailures, the runner resumes from there, and the objects equal a clean replay", async () => {
        const stream = uniqueName("faults");
        const [raw, rejects, cleanRaw, cleanRejects] = [uniqueName("raw"), uniqueName("rej"), uniqueName("clean-raw"), uniqueName("clean-rej")];
        await createBuckets(raw, rejects, cleanRaw, cleanRejects);
        await createStream(stream, 2);
        const messages = createOrderGenerator({ seed: 31, badRatio: 0.1, startTimeMs: Date.now() - 3_600_000 }).take(1000);
        const producer = createKinesisProducer({ streamName: stream, endpoint: motoEndpoint, region, credentials });
        await producer.send(messages);
        await producer.close();

        const accepted: KinesisStreamEvent[] = [];
        const responses: number[] = [];
        const handler = createIngestHandler({ engine: "kinesis", env: env(raw, rejects), store: faultyStore(proxy), telemetry: createRecordingTelemetry() });
        proxy.setRule(failObjects((url) => url.includes("error_type="), 3, 2, "stall"));
        const runner = await startKinesisEventSource({
            streamName: stream,
            endpoint: motoEndpoint,
            region,
            credentials,
            batchSize: 250,
            retryDelayMs: 100,
            handler: async (event) => {
                const response = await handler(event);
                responses.push(response.batchItemFailures.length);
                if (response.batchItemFailures.length === 0) {
                    accepted.push(event);
                }
                return response;
            },
        });
        await waitUntil(() => runner.stats.records === messages.length, { timeoutMs: 120_000, description: `all records to be checkpointed (now ${runner.stats.records})` });
        await runner.stop();
        proxy.setRule(() => "pass");
        assert.ok(runner.stats.partialFailures > 0, "no batch reported item failures");
        assert.ok(responses.some((n) => n > 0));
        assertZonesMatch(messages, await readAll(motoStore(), raw), await readAll(motoStore(), rejects), stream);

        const clean = createIngestHandler({ engine: "kinesis", env: env(cleanRaw, cleanRejects), store: motoStore(), telemetry: createRecordingTelemetry() });
        for (const event of accepted) {
            await clean(event);
        }
        await assertSameObjects([raw, rejects], [cleanRaw, cleanRejects]);
    });
});
