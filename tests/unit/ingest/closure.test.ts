import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { PlatformError } from "../../../runtime/common/errors";
import { IngestError, IngestWriteError } from "../../../runtime/ingest/errors";
import { createMemoryObjectStore, gunzip } from "../../../runtime/common";
import { createIngestHandler, createKafkaIngestHandler, createKinesisIngestHandler } from "../../../runtime/ingest/handler";
import { IngestTelemetry } from "../../../runtime/ingest/telemetry";
import { MskEvent } from "../../../runtime/ingest/types";
import { createOrderGenerator } from "../../../runtime/producers/orders";
import { mskEvent } from "../../helpers/ingest/events";

/**
 * The handler factories must survive Pulumi's closure serialization exactly as
 * `aws.lambda.CallbackFunction` performs it (`callbackFactory` → `isFactoryFunction: true`) and
 * load in a fresh Node process. The run against S3 is in tests/integration/ingest/closure.test.ts.
 */
async function serializeLikeCallbackFunction(factory: () => unknown): Promise<string> {
    const serialized = await pulumi.runtime.serializeFunction(factory, { serialize: () => true, exportName: "handler", isFactoryFunction: true, allowSecrets: true });
    assert.strictEqual(serialized.containsSecrets, false);
    return serialized.text;
}

function writeLambdaPackage(text: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ingest-closure-"));
    fs.writeFileSync(path.join(dir, "__index.js"), text);
    fs.symlinkSync(path.resolve(__dirname, "../../../node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}

describe("the ingest handler factories under closure serialization", () => {
    for (const [engine, factory, event] of [
        ["kafka", createKafkaIngestHandler, { eventSource: "aws:kafka", records: {} }],
        ["kinesis", createKinesisIngestHandler, { Records: [] }],
    ] as const) {
        it(`serializes the ${engine} factory without capturing the AWS SDK or Powertools, and the module loads and handles an empty batch in a fresh process`, async () => {
            const text = await serializeLikeCallbackFunction(factory);
            assert.match(text, /require\("@aws-sdk\/client-s3"\)/);
            assert.match(text, /require\("@aws-lambda-powertools\/logger"\)/);
            assert.doesNotMatch(text, /S3Client\.prototype|__awsSdk|new Logger\(\{[^)]*\}\)\s*;\s*var/);
            const dir = writeLambdaPackage(text);
            const script = `const m = require(${JSON.stringify(path.join(dir, "__index.js"))});
                m.handler(${JSON.stringify(event)}, { awsRequestId: "unit" }).then((r) => process.stdout.write("RESULT " + JSON.stringify(r) + "\\n"), (e) => { process.stdout.write("ERROR " + e.message + "\\n"); process.exit(3); });`;
            const output = execFileSync(process.execPath, ["-e", script], {
                env: { PATH: process.env.PATH, RAW_BUCKET: "raw", REJECTS_BUCKET: "rejects", DATASET: "orders", AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "x", AWS_SECRET_ACCESS_KEY: "y" },
                encoding: "utf8",
                stdio: ["ignore", "pipe", "pipe"],
            });
            assert.match(output, /RESULT \{"batchItemFailures":\[\]\}/);
            const log = output.split("\n").find((line) => line.includes('"ingest batch processed"'));
            assert.ok(log, `no batch log line in:\n${output}`);
            assert.deepStrictEqual(JSON.parse(log).accounting, { in: 0, landed: 0, rejected: 0, failed: 0 });
            fs.rmSync(dir, { recursive: true, force: true });
        });
    }

    it("plans, validates and encodes a real batch after serialization exactly as in process: the same objects, byte for byte", async () => {
        const messages = createOrderGenerator({ seed: 5, badRatio: 0.3, startTimeMs: Date.UTC(2024, 4, 1, 8) }).take(400);
        const event = mskEvent(messages.map((m, i) => ({ partition: i % 2, offset: 10 + i, key: m.key, value: m.value, timestamp: Date.UTC(2024, 4, 1, 8, 30) })));
        // The same pipeline the deployed factory builds, with the in-memory store instead of S3 so no service is needed.
        const factory = () => {
            const silent: IngestTelemetry = { setContext: () => undefined, batchProcessed: () => undefined, batchErrored: () => undefined };
            return async (input: MskEvent) => {
                const store = createMemoryObjectStore();
                const handler = createIngestHandler({ engine: "kafka", env: { RAW_BUCKET: "raw", REJECTS_BUCKET: "rejects", DATASET: "orders" }, store, telemetry: silent });
                await handler(input);
                const objects: Record<string, string> = {};
                for (const bucket of ["raw", "rejects"]) {
                    for (const key of await store.listKeys(bucket, "")) {
                        objects[`${bucket}/${key}`] = Buffer.from((await store.getObject(bucket, key)) ?? new Uint8Array()).toString("base64");
                    }
                }
                return objects;
            };
        };
        const inProcess = await factory()(event);
        const dir = writeLambdaPackage(await serializeLikeCallbackFunction(factory));
        fs.writeFileSync(path.join(dir, "event.json"), JSON.stringify(event));
        const script = `require(${JSON.stringify(path.join(dir, "__index.js"))}).handler(JSON.parse(require("fs").readFileSync(${JSON.stringify(path.join(dir, "event.json"))}, "utf8"))).then((r) => process.stdout.write(JSON.stringify(r)))`;
        const serialized = JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })) as Record<string, string>;
        assert.deepStrictEqual(serialized, inProcess);
        const raw = Object.keys(inProcess).filter((key) => key.startsWith("raw/"));
        const rejects = Object.keys(inProcess).filter((key) => key.startsWith("rejects/"));
        assert.ok(raw.length >= 2 && rejects.length >= 5, `expected raw and rejects objects, found ${Object.keys(inProcess).join(", ")}`);
        const rejectText = (await Promise.all(rejects.map(async (key) => (await gunzip(Buffer.from(inProcess[key] as string, "base64"))).toString("utf8")))).join("");
        assert.doesNotMatch(rejectText, /processing_error/, "a record failed inside the pipeline instead of being classified");
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("keeps errors real after serialization: message, cause, stack and the instanceof chain up to Error", async () => {
        const text = await serializeLikeCallbackFunction(() => () => {
            const error = new IngestWriteError(["k"], "two objects failed", { cause: "S3 said no" });
            return {
                message: error.message,
                name: error.name,
                cause: error.cause,
                chain: [error instanceof IngestWriteError, error instanceof IngestError, error instanceof PlatformError, error instanceof Error],
                stack: typeof error.stack === "string" && error.stack.includes("two objects failed"),
            };
        });
        const dir = writeLambdaPackage(text);
        const output = execFileSync(process.execPath, ["-e", `process.stdout.write(JSON.stringify(require(${JSON.stringify(path.join(dir, "__index.js"))}).handler()))`], { encoding: "utf8" });
        assert.deepStrictEqual(JSON.parse(output), { message: "two objects failed", name: "IngestWriteError", cause: "S3 said no", chain: [true, true, true, true], stack: true });
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("fails at load time with the missing variable named, not on the first event", async () => {
        const dir = writeLambdaPackage(await serializeLikeCallbackFunction(createKafkaIngestHandler));
        assert.throws(
            () =>
                execFileSync(process.execPath, ["-e", `require(${JSON.stringify(path.join(dir, "__index.js"))})`], {
                    env: { PATH: process.env.PATH, RAW_BUCKET: "raw", DATASET: "orders" },
                    encoding: "utf8",
                    stdio: ["ignore", "pipe", "pipe"],
                }),
            (error: unknown) => /REJECTS_BUCKET \(the rejects-zone bucket\) is not set/.test(String((error as { stderr?: string }).stderr)),
        );
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
