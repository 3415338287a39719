import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import * as pulumi from "@pulumi/pulumi";
import { createMemoryObjectStore } from "../../../runtime/common/memoryObjectStore";
import { createIngestHandler, createKafkaIngestHandler, createKinesisIngestHandler } from "../../../runtime/ingest/handler";
import { KinesisStreamEvent, MskEvent } from "../../../runtime/ingest/types";
import { createOrderGenerator } from "../../../runtime/producers/orders";
import { kinesisEvent, mskEvent } from "../../helpers/ingest/events";
import { createBuckets, motoEndpoint, motoStore, requireMoto, uniqueName } from "../../helpers/ingest/services";
import { readAll } from "../../helpers/ingest/stores";
import { createRecordingTelemetry } from "../../helpers/ingest/telemetry";

const run = promisify(execFile);

/**
 * The deployed form of the handler: serialized by Pulumi exactly as `aws.lambda.CallbackFunction`
 * does with a `callbackFactory`, written out as the Lambda package's `__index.js` next to a
 * `node_modules`, loaded in a fresh Node process and invoked with real event shapes against S3
 * (moto). The objects it writes must be exactly those the in-process handler produces.
 */
async function packageHandler(factory: () => unknown): Promise<string> {
    const serialized = await pulumi.runtime.serializeFunction(factory, { serialize: () => true, exportName: "handler", isFactoryFunction: true, allowSecrets: true });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ingest-lambda-"));
    fs.writeFileSync(path.join(dir, "__index.js"), serialized.text);
    fs.symlinkSync(path.resolve(__dirname, "../../../node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}

interface Invocation {
    readonly result?: unknown;
    readonly error?: { readonly name: string; readonly message: string };
    readonly stdout: string;
}

async function invokeInFreshProcess(dir: string, event: unknown, env: Record<string, string>): Promise<Invocation> {
    const eventFile = path.join(dir, `event-${Date.now()}-${Math.random()}.json`);
    fs.writeFileSync(eventFile, JSON.stringify(event));
    const script = `
        const { handler } = require(${JSON.stringify(path.join(dir, "__index.js"))});
        const event = JSON.parse(require("fs").readFileSync(${JSON.stringify(eventFile)}, "utf8"));
        handler(event, { awsRequestId: "closure-test", functionName: "ingest" }).then(
            (result) => process.stdout.write("\\nRESULT " + JSON.stringify(result) + "\\n"),
            (error) => process.stdout.write("\\nERROR " + JSON.stringify({ name: error.name, message: error.message }) + "\\n"));`;
    const { stdout } = await run(process.execPath, ["-e", script], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? "", AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", ...env },
        maxBuffer: 64 * 1024 * 1024,
    });
    const result = /^RESULT (.*)$/m.exec(stdout)?.[1];
    const error = /^ERROR (.*)$/m.exec(stdout)?.[1];
    return { ...(result ? { result: JSON.parse(result) } : {}), ...(error ? { error: JSON.parse(error) } : {}), stdout };
}

async function expectedObjects(engine: "kafka" | "kinesis", event: MskEvent | KinesisStreamEvent): Promise<[Map<string, string>, Map<string, string>]> {
    const store = createMemoryObjectStore();
    const handler = createIngestHandler({ engine, env: { RAW_BUCKET: "raw", REJECTS_BUCKET: "rejects", DATASET: "orders" }, store, telemetry: createRecordingTelemetry() });
    await (handler as (e: unknown) => Promise<unknown>)(event);
    return [await readAll(store, "raw"), await readAll(store, "rejects")];
}

function emfMetrics(stdout: string): Record<string, unknown>[] {
    return stdout
        .split("\n")
        .filter((line) => line.startsWith("{") && line.includes('"_aws"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("the serialized ingest handler in a fresh Node process against S3 (moto)", () => {
    const messages = createOrderGenerator({ seed: 12, badRatio: 0.2, startTimeMs: Date.UTC(2024, 4, 1, 8) }).take(300);
    const streamTime = Date.UTC(2024, 4, 1, 8) + 300 * 1000 + 60_000;
    const dirs: string[] = [];

    before(requireMoto);
    after(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

    it("handles a real MSK event: exactly the expected objects, keys and contents, plus the log line and EMF metrics", async () => {
        const event = mskEvent(messages.map((m, i) => ({ partition: i % 3, offset: 100 + i, key: i % 10 === 0 ? null : m.key, value: m.value, headers: m.headers, timestamp: streamTime })));
        const [raw, rejects] = [uniqueName("closure-raw"), uniqueName("closure-rej")];
        await createBuckets(raw, rejects);
        const dir = await packageHandler(createKafkaIngestHandler);
        dirs.push(dir);
        const invocation = await invokeInFreshProcess(dir, event, { RAW_BUCKET: raw, REJECTS_BUCKET: rejects, DATASET: "orders", S3_ENDPOINT: motoEndpoint, METRICS_NAMESPACE: "Test/Closure" });
        assert.deepStrictEqual(invocation.result, { batchItemFailures: [] }, invocation.stdout.slice(-2000));
        const [expectedRaw, expectedRejects] = await expectedObjects("kafka", event);
        assert.deepStrictEqual(await readAll(motoStore(), raw), expectedRaw);
        assert.deepStrictEqual(await readAll(motoStore(), rejects), expectedRejects);
        assert.ok(expectedRaw.size >= 3 && expectedRejects.size >= 3);

        const log = invocation.stdout.split("\n").find((line) => line.includes('"ingest batch processed"'));
        assert.ok(log);
        const entry = JSON.parse(log) as { accounting: { in: number; landed: number; rejected: number; failed: number }; function_request_id?: string };
        assert.strictEqual(entry.accounting.in, 300);
        assert.strictEqual(entry.accounting.landed + entry.accounting.rejected, 300);
        assert.strictEqual(entry.function_request_id, "closure-test");
        const metrics = emfMetrics(invocation.stdout).find((doc) => doc.RecordsIn !== undefined);
        assert.strictEqual(metrics?.RecordsIn, 300);
        assert.strictEqual((metrics?._aws as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics[0]?.Namespace, "Test/Closure");
    });

    it("handles a real Kinesis event and is idempotent when the same event is delivered again", async () => {
        const event = kinesisEvent(messages.map((m, i) => ({ shardId: "shardId-000000000004", sequenceNumber: `4960${String(i + 1).padStart(52, "0")}`, value: m.value, partitionKey: m.key ?? "k", arrivalMs: streamTime })));
        const [raw, rejects] = [uniqueName("closure-raw"), uniqueName("closure-rej")];
        await createBuckets(raw, rejects);
        const dir = await packageHandler(createKinesisIngestHandler);
        dirs.push(dir);
        const env = { RAW_BUCKET: raw, REJECTS_BUCKET: rejects, DATASET: "orders", S3_ENDPOINT: motoEndpoint };
        const first = await invokeInFreshProcess(dir, event, env);
        assert.deepStrictEqual(first.result, { batchItemFailures: [] }, first.stdout.slice(-2000));
        const again = await invokeInFreshProcess(dir, event, env);
        assert.deepStrictEqual(again.result, { batchItemFailures: [] });
        assert.strictEqual(emfMetrics(again.stdout).find((doc) => doc.ObjectsAlreadyPresent !== undefined)?.ObjectsWritten, 0);
        const [expectedRaw, expectedRejects] = await expectedObjects("kinesis", event);
        assert.deepStrictEqual(await readAll(motoStore(), raw), expectedRaw);
        assert.deepStrictEqual(await readAll(motoStore(), rejects), expectedRejects);
    });

    it("throws an IngestWriteError with its message from the MSK handler when S3 refuses the writes, and reports Kinesis records for retry", async () => {
        const missing = { RAW_BUCKET: uniqueName("missing"), REJECTS_BUCKET: uniqueName("missing"), DATASET: "orders", S3_ENDPOINT: motoEndpoint, S3_MAX_ATTEMPTS: "1" };
        const kafkaDir = await packageHandler(createKafkaIngestHandler);
        const kinesisDir = await packageHandler(createKinesisIngestHandler);
        dirs.push(kafkaDir, kinesisDir);
        const kafka = await invokeInFreshProcess(kafkaDir, mskEvent([{ offset: 1, value: messages[1]!.value, timestamp: streamTime }]), missing);
        assert.strictEqual(kafka.error?.name, "IngestWriteError");
        assert.match(kafka.error?.message ?? "", /1 of 1 records could not be written .*NoSuchBucket/);
        const kinesis = await invokeInFreshProcess(kinesisDir, kinesisEvent([{ sequenceNumber: "7", value: messages[1]!.value, arrivalMs: streamTime }]), missing);
        assert.deepStrictEqual(kinesis.result, { batchItemFailures: [{ itemIdentifier: "7" }] });
    });
});
