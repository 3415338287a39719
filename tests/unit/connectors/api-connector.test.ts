import * as assert from "assert";
import * as zlib from "zlib";
import { backoffMs, createMemoryCheckpointStore, createRateLimiter, nextWindow, requestWithRetry, retryAfterMs, runApiConnector } from "../../../runtime/connectors/api";
import { createMemoryObjectStore, MemoryObjectStore } from "../../../runtime/common";
import { parseObjectKey } from "../../../runtime/ingest/layout";
import { FakeApi, FakeStyle, fxRecords, startFakeApi } from "../../helpers/connectors/fakeApi";
import { apiKey, fxSource, manualEnvironment, memoryDependencies } from "../../helpers/connectors/source";

const now = Date.parse("2026-12-06T01:00:00Z");
const inWindow = "2026-12-05T12:00:00.000Z";

/** Every object under a bucket as `key -> decompressed NDJSON lines`. */
async function contents(store: MemoryObjectStore, bucket: string): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const key of await store.listKeys(bucket, "")) {
        const body = await store.getObject(bucket, key);
        out.set(key, zlib.gunzipSync(Buffer.from(body as Uint8Array)).toString("utf8").trimEnd().split("\n"));
    }
    return out;
}

describe("API connector run", () => {
    let api: FakeApi | undefined;
    afterEach(async () => {
        await api?.close();
        api = undefined;
    });

    for (const style of ["cursor", "nextLink", "page", "offset"] as FakeStyle[]) {
        it(`fetches every page of the window with ${style} pagination and lands each record once`, async () => {
            api = await startFakeApi({ style, pageSize: 4, apiKey });
            api.records.push(...fxRecords(10, inWindow));
            const env = manualEnvironment(now);
            const deps = memoryDependencies(fxSource(api.baseUrl, style, 4), env);
            const summary = await runApiConnector(deps);
            assert.strictEqual(summary.outcome, "completed");
            assert.deepStrictEqual([summary.pages, summary.recordsIn, summary.recordsLanded, summary.recordsRejected], [3, 10, 10, 0]);
            const raw = await contents(deps.store as MemoryObjectStore, "raw");
            const lines = [...raw.values()].flat().map((line) => JSON.parse(line) as Record<string, unknown>);
            assert.strictEqual(lines.length, 10);
            assert.strictEqual(new Set(lines.map((l) => `${l.quote_currency}|${l.rate_date}`)).size, 10);
            assert.deepStrictEqual(
                [...raw.keys()].map((key) => parseObjectKey(key)?.firstPosition),
                ["0", "1", "2"],
                "one raw object per page, named by the page number",
            );
            assert.ok(api.requests[0]?.url.includes("updated_since=2026-11-29T01%3A00%3A00.000Z"), api.requests[0]?.url);
            assert.ok(api.requests.every((r) => r.url.includes("base=USD")));
        });
    }

    it("keys objects by source, window and page in the ingest layout, and stamps each record with where it came from", async () => {
        api = await startFakeApi({ style: "offset", pageSize: 50, apiKey });
        api.records.push(...fxRecords(2, inWindow));
        const deps = memoryDependencies(fxSource(api.baseUrl, "offset", 50), manualEnvironment(now));
        await runApiConnector(deps);
        const raw = await contents(deps.store as MemoryObjectStore, "raw");
        assert.deepStrictEqual([...raw.keys()], ["fx_rates/dt=2026-12-05/hour=12/fx-rates+20261129T010000Z-20261206T010000Z+000000.ndjson.gz"]);
        const first = JSON.parse((raw.values().next().value as string[])[0] as string) as Record<string, unknown>;
        assert.deepStrictEqual(first._ingest, {
            dataset_version: 1,
            engine: "api",
            source: "fx-rates",
            partition: "20261129T010000Z-20261206T010000Z",
            position: "0",
            ingest_time: "2026-12-06T01:00:00.000Z",
            ingest_time_type: "API_WINDOW_END",
            key: null,
            dt: "2026-12-05",
            hour: "12",
        });
        assert.strictEqual(first.rate, 0.5);
    });

    it("rejects invalid records with the rule they broke and their payload, so records in = landed + rejected", async () => {
        api = await startFakeApi({ style: "page", pageSize: 10, apiKey });
        api.records.push(...fxRecords(3, inWindow), { base_currency: "USD", quote_currency: "XXX", rate_date: "2026-12-01", rate: "1.1", updated_at: inWindow }, { base_currency: "USD", quote_currency: "EUR", rate_date: "2026-12-02", rate: "-1", updated_at: inWindow });
        const deps = memoryDependencies(fxSource(api.baseUrl, "page", 10), manualEnvironment(now));
        const summary = await runApiConnector(deps);
        assert.deepStrictEqual([summary.recordsIn, summary.recordsLanded, summary.recordsRejected], [5, 3, 2]);
        const rejects = await contents(deps.store as MemoryObjectStore, "rejects");
        assert.deepStrictEqual([...rejects.keys()].sort(), [
            "fx_rates/error_type=not_allowed/dt=2026-12-06/hour=01/fx-rates+20261129T010000Z-20261206T010000Z+000000.ndjson.gz",
            "fx_rates/error_type=out_of_range/dt=2026-12-06/hour=01/fx-rates+20261129T010000Z-20261206T010000Z+000000.ndjson.gz",
        ]);
        const line = JSON.parse(([...rejects.values()][0] as string[])[0] as string) as Record<string, unknown>;
        assert.deepStrictEqual([line.field, line.engine, line.source, line.ingest_time_type], ["quote_currency", "api", "fx-rates", "API_WINDOW_END"]);
        assert.match(String(line.payload_text), /"XXX"/);
    });

    it("waits as long as a 429's Retry-After asks (seconds or an HTTP date), then succeeds", async () => {
        api = await startFakeApi({ style: "offset", pageSize: 10, apiKey });
        api.records.push(...fxRecords(2, inWindow));
        api.faults.push({ kind: "status", status: 429, retryAfter: "7", times: 1 }, { kind: "status", status: 429, retryAfter: new Date(now + 12_000).toUTCString(), times: 1 });
        const env = manualEnvironment(now);
        const summary = await runApiConnector(memoryDependencies(fxSource(api.baseUrl, "offset", 10), env));
        assert.deepStrictEqual([summary.outcome, summary.apiErrors, summary.recordsLanded], ["completed", 2, 2]);
        assert.deepStrictEqual(env.sleeps, [7_000, 12_000]);
    });

    it("retries 500s with jittered backoff and gives up after maxAttempts, naming the URL and the status, without advancing", async () => {
        api = await startFakeApi({ style: "offset", pageSize: 10, apiKey });
        api.records.push(...fxRecords(2, inWindow));
        api.faults.push({ kind: "status", status: 500, times: 10 });
        const env = manualEnvironment(now);
        const deps = memoryDependencies(fxSource(api.baseUrl, "offset", 10, { maxAttempts: 3 }), env);
        await assert.rejects(runApiConnector(deps), (error: Error) => error.name === "ApiRequestError" && /failed after 3 attempts, last: HTTP 500/.test(error.message) && error.message.includes(api!.baseUrl));
        assert.deepStrictEqual(env.sleeps, [250, 500], "full jitter: half of 500 ms, then half of 1 s with random() = 0.5");
        const stored = await deps.checkpoints.read();
        assert.strictEqual(stored?.state.watermark, null);
        assert.deepStrictEqual(stored?.state.pending, { start: "2026-11-29T01:00:00.000Z", end: "2026-12-06T01:00:00.000Z" });
    });

    it("does not retry a 4xx other than 408 and 429", async () => {
        api = await startFakeApi({ style: "offset", pageSize: 10, apiKey: "another key" });
        const deps = memoryDependencies(fxSource(api.baseUrl, "offset", 10), manualEnvironment(now));
        await assert.rejects(runApiConnector(deps), /HTTP 401.*not retried/);
        assert.strictEqual(api.requests.length, 1);
    });

    it("abandons a response slower than timeoutSeconds and retries it", async () => {
        api = await startFakeApi({ style: "offset", pageSize: 10, apiKey });
        api.records.push(...fxRecords(1, inWindow));
        api.faults.push({ kind: "slow", delayMs: 1_500, times: 1 });
        const env = manualEnvironment(now);
        const summary = await runApiConnector(memoryDependencies(fxSource(api.baseUrl, "offset", 10, { timeoutSeconds: 1 }), env));
        assert.deepStrictEqual([summary.outcome, summary.apiErrors, summary.recordsLanded], ["completed", 1, 1]);
        assert.strictEqual(api.requests.length, 2);
    });

    it("re-fetches a record revised after its first fetch through the look-back, as a new object next to the old one", async () => {
        api = await startFakeApi({ style: "cursor", pageSize: 10, apiKey });
        const record = fxRecords(1, "2026-12-05T23:00:00.000Z")[0]!;
        api.records.push(record);
        const env = manualEnvironment(now);
        const deps = memoryDependencies(fxSource(api.baseUrl, "cursor", 10), env);
        await runApiConnector(deps);
        record.rate = "0.9";
        record.updated_at = "2026-12-06T01:30:00.000Z";
        env.nowMs = now + 3_600_000;
        const second = await runApiConnector(deps);
        assert.deepStrictEqual(second.window, { start: "2026-12-04T01:00:00.000Z", end: "2026-12-06T02:00:00.000Z" });
        const lines = [...(await contents(deps.store as MemoryObjectStore, "raw")).values()].flat().map((l) => JSON.parse(l) as Record<string, unknown>);
        assert.deepStrictEqual(lines.map((l) => [l.rate, l.updated_at]), [[0.5, "2026-12-05T23:00:00.000Z"], [0.9, "2026-12-06T01:30:00.000Z"]]);
    });

    it("after a crash mid-window, the next run repeats the same window and writes byte-identical objects", async () => {
        api = await startFakeApi({ style: "page", pageSize: 3, apiKey });
        api.records.push(...fxRecords(8, inWindow));
        const env = manualEnvironment(now);
        const crashed = memoryDependencies(fxSource(api.baseUrl, "page", 3), env, {
            afterPage: (page) => {
                if (page === 1) {
                    throw new Error("simulated crash after page 1");
                }
            },
        });
        await assert.rejects(runApiConnector(crashed), /simulated crash/);
        const afterCrash = await contents(crashed.store as MemoryObjectStore, "raw");
        assert.strictEqual(afterCrash.size, 2);

        env.nowMs = now + 600_000;
        const rerun = await runApiConnector({ ...crashed, afterPage: undefined });
        assert.deepStrictEqual([rerun.outcome, rerun.resumed, rerun.window?.end, rerun.objectsAlreadyPresent, rerun.objectsWritten], ["completed", true, "2026-12-06T01:00:00.000Z", 2, 1]);

        const clean = memoryDependencies(fxSource(api.baseUrl, "page", 3), manualEnvironment(now));
        await runApiConnector(clean);
        const store = crashed.store as MemoryObjectStore;
        for (const key of await clean.store.listKeys("raw", "")) {
            assert.deepStrictEqual(Buffer.from((await store.getObject("raw", key)) as Uint8Array), Buffer.from((await clean.store.getObject("raw", key)) as Uint8Array), key);
        }
        assert.deepStrictEqual(await store.listKeys("raw", ""), await clean.store.listKeys("raw", ""));
    });

    it("moves the watermark forward only, to each window's end", async () => {
        api = await startFakeApi({ style: "offset", pageSize: 10, apiKey });
        const env = manualEnvironment(now);
        const deps = memoryDependencies(fxSource(api.baseUrl, "offset", 10), env);
        const marks: (string | null)[] = [];
        for (const step of [0, 3_600_000, 7_200_000]) {
            env.nowMs = now + step;
            marks.push((await runApiConnector(deps)).watermark);
        }
        assert.deepStrictEqual(marks, ["2026-12-06T01:00:00.000Z", "2026-12-06T02:00:00.000Z", "2026-12-06T03:00:00.000Z"]);
        env.nowMs = now;
        const back = await runApiConnector(deps);
        assert.strictEqual(back.watermark, "2026-12-06T03:00:00.000Z", "a clock behind the watermark never moves it back");
    });

    it("lets exactly one of two overlapping runs advance the checkpoint", async () => {
        api = await startFakeApi({ style: "offset", pageSize: 2, apiKey });
        api.records.push(...fxRecords(5, inWindow));
        const env = manualEnvironment(now);
        const checkpoints = createMemoryCheckpointStore();
        const store = createMemoryObjectStore();
        const a = memoryDependencies(fxSource(api.baseUrl, "offset", 2), env, { checkpoints, store });
        const b = memoryDependencies(fxSource(api.baseUrl, "offset", 2), env, { checkpoints, store });
        const outcomes = await Promise.all([runApiConnector(a), runApiConnector(b)]);
        assert.deepStrictEqual(outcomes.map((o) => o.outcome).sort(), ["completed", "conflict"]);
        assert.strictEqual(checkpoints.writes(), 2, "one claim and one advance");
        assert.strictEqual((await checkpoints.read())?.state.watermark, "2026-12-06T01:00:00.000Z");
    });

    it("authenticates with OAuth2 client credentials and reuses the token within a container", async () => {
        api = await startFakeApi({ style: "offset", pageSize: 1, oauth: { clientId: "id", clientSecret: "s3cret" } });
        api.records.push(...fxRecords(3, inWindow));
        const env = manualEnvironment(now);
        const source = fxSource(api.baseUrl, "offset", 1, { auth: { type: "oauth2ClientCredentials", tokenUrl: `${api.url}/oauth/token` } });
        const deps = memoryDependencies(source, env);
        const { createAuthenticator } = await import("../../../runtime/connectors/api");
        const fetchFn = deps.fetch;
        const authenticator = createAuthenticator(source.auth, "arn:secret", async () => JSON.stringify({ clientId: "id", clientSecret: "s3cret" }), fetchFn, { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 1000 }, env);
        const summary = await runApiConnector({ ...deps, authenticator });
        assert.deepStrictEqual([summary.recordsLanded, summary.pages, api.tokenRequests()], [3, 4, 1]);
    });
});

describe("API connector building blocks", () => {
    it("reads Retry-After as delta-seconds or an HTTP date, never negative, and ignores nonsense", () => {
        const at = Date.parse("2026-12-06T01:00:00Z");
        assert.deepStrictEqual(
            [retryAfterMs("120", at), retryAfterMs("Sun, 06 Dec 2026 01:00:30 GMT", at), retryAfterMs("Sun, 06 Dec 2026 00:00:00 GMT", at), retryAfterMs("soon", at), retryAfterMs(null, at)],
            [120_000, 30_000, 0, undefined, undefined],
        );
    });

    it("draws backoff from zero to a ceiling that doubles per attempt up to the cap (full jitter)", () => {
        const policy = { baseDelayMs: 100, maxDelayMs: 1_000 };
        assert.deepStrictEqual([1, 2, 3, 4, 5].map((attempt) => backoffMs(attempt, policy, () => 0.999)), [99, 199, 399, 799, 999]);
        assert.strictEqual(backoffMs(3, policy, () => 0), 0);
    });

    it("spaces requests evenly under the rate limit", async () => {
        const env = manualEnvironment(0);
        const limit = createRateLimiter(4, env);
        for (let i = 0; i < 4; i += 1) {
            await limit();
        }
        assert.deepStrictEqual(env.sleeps, [250, 500, 750]);
    });

    it("starts the first window initialWindowSeconds back, later ones the look-back before the watermark, and repeats a pending window", () => {
        const source = { lookBackSeconds: 3_600, initialWindowSeconds: 86_400 };
        const t = Date.parse("2026-12-06T01:00:00.700Z");
        assert.deepStrictEqual(nextWindow(undefined, t, source), { startMs: Date.parse("2026-12-05T01:00:00Z"), endMs: Date.parse("2026-12-06T01:00:00Z"), resumed: false });
        assert.deepStrictEqual(nextWindow({ version: 1, source: "s", watermark: "2026-12-06T00:30:00.000Z", pending: null }, t, source).startMs, Date.parse("2026-12-05T23:30:00Z"));
        const pending = { start: "2026-12-01T00:00:00.000Z", end: "2026-12-02T00:00:00.000Z" };
        assert.deepStrictEqual(nextWindow({ version: 1, source: "s", watermark: null, pending }, t, source), { startMs: Date.parse(pending.start), endMs: Date.parse(pending.end), resumed: true });
    });

    it("fails a request that never answers within the timeout, after its attempts", async () => {
        const hang = (_url: string, init: { signal: AbortSignal }) =>
            new Promise<Response>((_resolve, reject) => init.signal.addEventListener("abort", () => reject(init.signal.reason)));
        const env = manualEnvironment(0);
        await assert.rejects(
            requestWithRetry(hang, { url: "https://api.example.com/x", method: "GET", headers: {} }, { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10, timeoutMs: 50 }, env),
            /failed after 2 attempts, last: timed out after 50 ms/,
        );
    });
});

describe("S3 checkpoint store without s3:ListBucket", () => {
    /** An S3 client stand-in that answers GetObject of a missing key with 403, as S3 does for a role without s3:ListBucket. */
    function deniedClient(existing: boolean) {
        const puts: Record<string, unknown>[] = [];
        const client = {
            send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
                if (command.constructor.name === "GetObjectCommand") {
                    throw Object.assign(new Error("Access Denied"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
                }
                puts.push(command.input);
                if (existing) {
                    throw Object.assign(new Error("At least one of the pre-conditions you specified did not hold"), { name: "PreconditionFailed", $metadata: { httpStatusCode: 412 } });
                }
                return { ETag: '"first"' };
            },
        };
        return { client: client as never, puts };
    }

    it("creates the first checkpoint with If-None-Match when the missing key answers 403", async () => {
        const { createS3CheckpointStore } = await import("../../../runtime/connectors/api");
        const { client, puts } = deniedClient(false);
        const stored = await createS3CheckpointStore({ source: "fx-rates", bucket: "raw", key: "cp.json", client }).read();
        assert.deepStrictEqual(stored, { state: { version: 1, source: "fx-rates", watermark: null, pending: null }, etag: '"first"' });
        assert.strictEqual(puts[0]?.IfNoneMatch, "*");
    });

    it("fails naming the missing permission when the checkpoint exists but cannot be read", async () => {
        const { createS3CheckpointStore } = await import("../../../runtime/connectors/api");
        await assert.rejects(createS3CheckpointStore({ source: "fx-rates", bucket: "raw", key: "cp.json", client: deniedClient(true).client }).read(), /exists but reading it was denied; grant the connector's role s3:GetObject/);
    });
});
