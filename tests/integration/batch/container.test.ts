import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { gunzip } from "../../../runtime/common/encoding";
import { createS3ObjectStore } from "../../../runtime/common/objectStore";
import { orders } from "../../../runtime/datasets";
import { ingestEvent } from "../../../runtime/ingest/process";
import { compileValidator } from "../../../runtime/ingest/validate";
import { batchJobCommand } from "../../../infra/batch/decisions";
import { createBuckets, credentials, motoEndpoint, region, requireMoto, uniqueName } from "../../helpers/ingest/services";
import { expectedCompactedKey, expectedReplayId, ordersBatchAt, ordersBeforeFix, rawBatchKey, replayBatch, replayRejectKeys } from "../../unit/batch/fixtures";

/**
 * The job as the container runs it: built the way runtime/batch/Dockerfile builds it (the compiled
 * entry point plus only the S3 client's package closure, in a directory outside the repository so
 * nothing else can be resolved), started with the job definition's command line, configured only
 * through environment variables, against moto.
 */

const repository = path.resolve(__dirname, "..", "..", "..");
const dockerfile = fs.readFileSync(path.join(repository, "runtime", "batch", "Dockerfile"), "utf8");

function filesUnder(dir: string): string[] {
    return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name)).sort();
}

/** The packages the job loads at run time: the S3 client, Powertools Logger and the file parsers (ingest-file). */
const runtimeModules = ["@aws-sdk/client-s3", "@aws-lambda-powertools/logger", "csv-parse", "hyparquet"];

describe("batch job container", () => {
    let image: string;

    before(async () => {
        await requireMoto();
        image = fs.mkdtempSync(path.join(os.tmpdir(), "batch-image-"));
        const compile = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "runtime/batch/tsconfig.json", "--outDir", path.join(image, "build")], { cwd: repository, encoding: "utf8" });
        assert.strictEqual(compile.status, 0, compile.stdout + compile.stderr);
        const copy = spawnSync(process.execPath, ["runtime/batch/image/copy-runtime-modules.js", repository, image, ...runtimeModules], { cwd: repository, encoding: "utf8" });
        assert.strictEqual(copy.status, 0, copy.stdout + copy.stderr);
    });

    after(() => {
        fs.rmSync(image, { recursive: true, force: true });
    });

    it("is built by the Dockerfile with the steps this test repeats, from node:22-slim, running as a non-root user", () => {
        assert.deepStrictEqual(dockerfile.match(/^FROM .*$/gm), ["FROM node:22-slim AS build", "FROM node:22-slim"]);
        assert.match(dockerfile, /^RUN npm ci --ignore-scripts$/m);
        assert.match(dockerfile, /^RUN npx tsc -p runtime\/batch\/tsconfig\.json \\$/m);
        assert.ok(dockerfile.split("\n").includes(`    && node runtime/batch/image/copy-runtime-modules.js /src /out ${runtimeModules.join(" ")} \\`), "the Dockerfile copies the modules this test copies");
        assert.match(dockerfile, /^USER node$/m);
        assert.doesNotMatch(dockerfile, /^ENTRYPOINT/m, "the job definition's command must not be appended to an entrypoint");
    });

    it("starts with the command line of the job definition", () => {
        const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? "[]") as string[];
        assert.deepStrictEqual(cmd.slice(0, batchJobCommand.length), [...batchJobCommand]);
        assert.ok(fs.existsSync(path.join(image, batchJobCommand[2] as string)), "the entry point is where the command expects it");
    });

    async function runJob(args: readonly string[], env: Record<string, string>): Promise<{ code: number | null; lines: Record<string, unknown>[] }> {
        const child = spawn(process.execPath, [...batchJobCommand.slice(1), ...args], {
            cwd: image,
            env: { PATH: process.env.PATH ?? "", HOME: os.tmpdir(), AWS_REGION: region, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, S3_ENDPOINT: motoEndpoint, ...env },
            stdio: ["ignore", "pipe", "pipe"],
        });
        // Powertools Logger writes info and debug lines to stdout, warnings and errors to stderr; awslogs ships both.
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
        const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
        // stderr also carries Node's own warnings (plain text); the job's lines are the JSON ones.
        const lines = [...stdout.split("\n"), ...stderr.split("\n").filter((text) => text.startsWith("{"))]
            .filter((text) => text !== "")
            .map((text) => JSON.parse(text) as Record<string, unknown>);
        return { code, lines };
    }

    it("replays and compacts against S3 with settings from the environment, logging JSON lines and writing no files", async () => {
        const store = createS3ObjectStore({ endpoint: motoEndpoint, forcePathStyle: true, region, credentials });
        const buckets = { raw: uniqueName("raw"), rejects: uniqueName("rejects") };
        await createBuckets(buckets.raw, buckets.rejects);
        const old = { validator: compileValidator(ordersBeforeFix), targets: { store, rawBucket: buckets.raw, rejectsBucket: buckets.rejects, concurrency: 4 }, maxRecordBytes: 1 << 20 };
        await ingestEvent("kafka", replayBatch, old);
        const current = { ...old, validator: compileValidator(orders) };
        for (const first of [0, 10]) {
            await ingestEvent("kafka", ordersBatchAt([first, first + 1], 13), current);
        }
        const env = { RAW_BUCKET: buckets.raw, REJECTS_BUCKET: buckets.rejects, AWS_BATCH_JOB_ID: "job-container", AWS_BATCH_JOB_ATTEMPT: "1" };
        const files = filesUnder(image);

        const replay = await runJob(["replay-rejects", "--dataset", "orders", "--from", "2024-05-01T00", "--to", "2024-05-02T00"], env);
        assert.strictEqual(replay.code, 0);
        const replayReport = replay.lines.find((line) => line.message === "replay finished")?.report as { counts: unknown } | undefined;
        assert.deepStrictEqual(replayReport?.counts, { in: 6, replayed: 2, stillRejected: 4 });
        assert.ok(replay.lines.every((line) => line.jobId === "job-container" && line.service === "lake-maintenance"));

        const compact = await runJob(["compact", "--dataset", "orders", "--dt", "2024-05-01", "--hour", "13"], env);
        assert.strictEqual(compact.code, 0);
        assert.deepStrictEqual(compact.lines[compact.lines.length - 1]?.message, "job ended");

        const r1 = expectedReplayId(replayRejectKeys.notAllowed);
        const r2 = expectedReplayId(replayRejectKeys.length);
        const output13 = expectedCompactedKey("13", [rawBatchKey("13", 0), rawBatchKey("13", 10)]);
        assert.deepStrictEqual(await store.listKeys(buckets.raw, ""), [
            `orders/dt=2024-05-01/hour=09/replay-${r2}.ndjson.gz`,
            `orders/dt=2024-05-01/hour=10/orders+0+00000000000000000100.ndjson.gz`,
            `orders/dt=2024-05-01/hour=10/replay-${r1}.ndjson.gz`,
            output13,
        ]);
        const compacted = (await gunzip((await store.getObject(buckets.raw, output13)) ?? new Uint8Array())).toString("utf8");
        assert.deepStrictEqual(
            compacted.split("\n").filter((text) => text !== "").map((text) => (JSON.parse(text) as { order_id: string }).order_id),
            ["ORD-000000000000", "ORD-000000000001", "ORD-000000000010", "ORD-000000000011"],
        );
        assert.deepStrictEqual(filesUnder(image), files, "the job wrote no files");
    });

    it("exits 2 with a JSON error line on a bad flag and 2 on a missing setting", async () => {
        const badFlag = await runJob(["compact", "--dataset", "orders", "--dt", "2024-13-01"], { RAW_BUCKET: "r", REJECTS_BUCKET: "j" });
        assert.strictEqual(badFlag.code, 2);
        assert.deepStrictEqual([badFlag.lines[0]?.level, badFlag.lines[0]?.flag, badFlag.lines[0]?.found], ["ERROR", "--dt", "'2024-13-01'"]);
        const noBucket = await runJob(["compact", "--dataset", "orders", "--dt", "2024-05-01"], { REJECTS_BUCKET: "j" });
        assert.strictEqual(noBucket.code, 2);
        assert.strictEqual(noBucket.lines[0]?.setting, "RAW_BUCKET");
    });
});
