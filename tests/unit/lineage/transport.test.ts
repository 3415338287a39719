import * as assert from "assert";
import { ConfigurationError, createMemoryObjectStore, ObjectStore } from "../../../runtime/common";
import {
    buildRunEvent,
    createHttpTransport,
    createLakeTransport,
    createLineageEmitter,
    createLineageEmitterFromSettings,
    deterministicRunId,
    FetchLike,
    LineageInputError,
    lineageObjectKey,
    readLineageSettings,
} from "../../../runtime/lineage";
import { assertValidEvents, parseLineageObjects } from "../../helpers/lineage/schema";

const job = { namespace: "etl-platform-dev", name: "quality.orders" };
const runId = deterministicRunId("quality", "orders", "2026-12-06");
const at = new Date("2026-12-06T04:10:00Z");
const events = [buildRunEvent({ eventType: "START", runId, job, eventTime: at }), buildRunEvent({ eventType: "COMPLETE", runId, job, eventTime: at })];

async function lakeEvents(store: ObjectStore, bucket: string, prefix: string) {
    const keys = await store.listKeys(bucket, prefix);
    const bodies = await Promise.all(keys.map(async (key) => (await store.getObject(bucket, key))!));
    return { keys, events: parseLineageObjects(bodies) };
}

describe("lineage transports", () => {
    describe("the lake transport", () => {
        it("writes the events as NDJSON under a dt= partition of the lineage prefix", async () => {
            const store = createMemoryObjectStore();
            await createLakeTransport({ store, bucket: "ops", prefix: "lineage/" }).sendAs("day-2026-12-06", events);
            const written = await lakeEvents(store, "ops", "lineage/");
            assert.deepStrictEqual(written.keys, [`lineage/dt=2026-12-06/quality.orders.${runId}.day-2026-12-06.json`]);
            assert.deepStrictEqual(written.events, events);
            assertValidEvents(written.events);
        });

        it("leaves the object unchanged when the same emission is replayed", async () => {
            const store = createMemoryObjectStore();
            const lake = createLakeTransport({ store, bucket: "ops", prefix: "lineage" });
            await lake.sendAs("day", events);
            await lake.sendAs("day", [buildRunEvent({ eventType: "FAIL", runId, job, eventTime: at })]);
            const written = await lakeEvents(store, "ops", "lineage/");
            assert.deepStrictEqual(written.events.map((event) => event.eventType), ["START", "COMPLETE"]);
        });

        it("keys job names with unsafe characters safely", () => {
            assert.strictEqual(lineageObjectKey("lineage", { ...events[0]!, job: { namespace: "n", name: "a/b c" } }, "x/y"), `lineage/dt=2026-12-06/a_b_c.${runId}.x_y.json`);
        });

        it("refuses an empty prefix, naming the field", () => {
            assert.throws(() => createLakeTransport({ store: createMemoryObjectStore(), bucket: "ops", prefix: "/" }), (error: unknown) => error instanceof LineageInputError && error.field === "lineage.prefix");
        });
    });

    describe("the HTTP transport", () => {
        it("posts each event as JSON with the API key as a bearer token, reading the key once", async () => {
            const posts: { url: string; headers: Record<string, string>; body: string }[] = [];
            let keyReads = 0;
            const fetch: FetchLike = async (url, init) => {
                posts.push({ url, headers: init.headers, body: init.body });
                return { ok: true, status: 201, text: async () => "" };
            };
            const transport = createHttpTransport({ url: "https://marquez.example.com/api/v1/lineage", fetch, apiKey: async () => `key-${++keyReads}` });
            await transport.send(events);
            await transport.send(events);
            assert.strictEqual(posts.length, 4);
            assert.strictEqual(keyReads, 1);
            assert.strictEqual(posts[0]!.headers.authorization, "Bearer key-1");
            assert.deepStrictEqual(JSON.parse(posts[1]!.body), events[1]);
        });

        it("refuses an http:// endpoint, naming the setting and the fix", () => {
            assert.throws(() => createHttpTransport({ url: "http://marquez:5000/api/v1/lineage" }), (error: unknown) => error instanceof LineageInputError && error.field === "lineageHttpEndpoint" && /https/.test(error.message));
        });

        it("turns a non-2xx answer into a transport error with the status", async () => {
            const transport = createHttpTransport({ url: "https://m.example.com/api/v1/lineage", fetch: async () => ({ ok: false, status: 503, text: async () => "busy" }) });
            await assert.rejects(transport.send(events), /answered 503: busy/);
        });
    });

    describe("the emitter", () => {
        it("never throws: a failing transport is reported and counted while the others still deliver", async () => {
            const store = createMemoryObjectStore();
            const failures: string[] = [];
            const emitter = createLineageEmitter({
                lake: createLakeTransport({ store, bucket: "ops", prefix: "lineage" }),
                others: [createHttpTransport({ url: "https://m.example.com/api/v1/lineage", fetch: async () => Promise.reject(new Error("connection refused")) })],
                onFailure: (failure) => failures.push(`${failure.transport}: ${failure.message}`),
            });
            const result = await emitter.emit("run", events);
            assert.deepStrictEqual(result, { failed: 1 });
            assert.strictEqual(failures.length, 1);
            assert.match(failures[0]!, /^http: .*connection refused/);
            assert.strictEqual((await lakeEvents(store, "ops", "lineage/")).events.length, 2);
        });

        it("survives a failure hook that throws", async () => {
            const broken: ObjectStore = { ...createMemoryObjectStore(), putObject: async () => Promise.reject(new Error("AccessDenied")) };
            const emitter = createLineageEmitter({
                lake: createLakeTransport({ store: broken, bucket: "ops", prefix: "lineage" }),
                onFailure: () => {
                    throw new Error("hook broke");
                },
            });
            assert.deepStrictEqual(await emitter.emit("run", events), { failed: 1 });
        });
    });

    describe("settings", () => {
        it("switch lineage off when LINEAGE_BUCKET is unset", () => {
            assert.strictEqual(readLineageSettings({}), undefined);
        });

        it("read the defaults", () => {
            assert.deepStrictEqual(readLineageSettings({ LINEAGE_BUCKET: "ops" }), { bucket: "ops", prefix: "lineage", namespace: "etl-platform", httpTimeoutMs: 5000 });
        });

        it("refuse a plain-http endpoint, naming the variable", () => {
            assert.throws(() => readLineageSettings({ LINEAGE_BUCKET: "ops", LINEAGE_HTTP_ENDPOINT: "http://m/api/v1/lineage" }), (error: unknown) => error instanceof ConfigurationError && error.setting === "LINEAGE_HTTP_ENDPOINT");
        });

        it("refuse an API key secret without an endpoint", () => {
            assert.throws(() => readLineageSettings({ LINEAGE_BUCKET: "ops", LINEAGE_API_KEY_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:1:secret:k" }), (error: unknown) => error instanceof ConfigurationError && error.setting === "LINEAGE_API_KEY_SECRET_ARN");
        });

        it("build an emitter that reads the API key from the secret's JSON", async () => {
            const headers: Record<string, string>[] = [];
            const emitter = createLineageEmitterFromSettings({
                settings: readLineageSettings({ LINEAGE_BUCKET: "ops", LINEAGE_HTTP_ENDPOINT: "https://m.example.com/api/v1/lineage", LINEAGE_API_KEY_SECRET_ARN: "arn:secret" }),
                store: createMemoryObjectStore(),
                readSecret: async () => JSON.stringify({ apiKey: "s3cr3t" }),
                fetch: async (_url, init) => {
                    headers.push(init.headers);
                    return { ok: true, status: 200, text: async () => "" };
                },
                onFailure: (failure) => assert.fail(failure.message),
            });
            assert.deepStrictEqual(await emitter.emit("run", events), { failed: 0 });
            assert.strictEqual(headers[0]!.authorization, "Bearer s3cr3t");
        });
    });
});
