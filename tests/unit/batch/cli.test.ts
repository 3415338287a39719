import * as assert from "assert";
import { createMemoryObjectStore } from "../../../runtime/common";
import { orders } from "../../../runtime/datasets";
import { ingestEvent } from "../../../runtime/ingest/process";
import { compileValidator } from "../../../runtime/ingest/validate";
import { defaultTargetBytes, parseCommandLine, usageText } from "../../../runtime/batch/args";
import { UsageError } from "../../../runtime/batch/errors";
import { rejectErrorTypes } from "../../../runtime/batch/layout";
import { exitCodes, runBatchCli } from "../../../runtime/batch/main";
import { readBatchSettings } from "../../../runtime/batch/settings";
import { mskEvent, validOrder } from "../../helpers/ingest/events";
import { captureOutput } from "../../helpers/output";

const env = { RAW_BUCKET: "raw", REJECTS_BUCKET: "rejects", AWS_BATCH_JOB_ID: "job-42", AWS_BATCH_JOB_ATTEMPT: "1" };
const replay = ["replay-rejects", "--dataset", "orders", "--from", "2024-05-01T00", "--to", "2024-05-02T00"];

function usageError(argv: readonly string[]): UsageError {
    try {
        parseCommandLine(argv);
    } catch (error) {
        assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
        return error;
    }
    assert.fail(`${argv.join(" ")} was accepted`);
}

describe("batch job: command line", () => {
    describe("parsing", () => {
        it("reads a replay with every flag, in both flag spellings", () => {
            const command = parseCommandLine([...replay.slice(0, 5), "--to=2024-05-01T06", "--error-type", "not_allowed,cross_field", "--error-type=pattern_mismatch", "--include-unknown-time", "--dry-run"]);
            assert.deepStrictEqual(command, {
                kind: "replay-rejects",
                dataset: orders,
                fromMs: Date.UTC(2024, 4, 1, 0),
                toMs: Date.UTC(2024, 4, 1, 6),
                errorTypes: ["cross_field", "not_allowed", "pattern_mismatch"],
                includeUnknownTime: true,
                dryRun: true,
            });
        });

        it("replays every error type by default", () => {
            const command = parseCommandLine(replay);
            assert.ok(command.kind === "replay-rejects");
            assert.deepStrictEqual(command.errorTypes, rejectErrorTypes);
            assert.strictEqual(rejectErrorTypes.length, 16);
        });

        it("reads a compaction with defaults and with every flag", () => {
            assert.deepStrictEqual(parseCommandLine(["compact", "--dataset", "orders", "--dt", "2024-05-01"]), {
                kind: "compact",
                dataset: orders,
                dt: "2024-05-01",
                targetBytes: defaultTargetBytes,
                dryRun: false,
                breakLease: false,
            });
            assert.deepStrictEqual(parseCommandLine(["compact", "--dataset=orders", "--dt=2024-05-01", "--hour", "7", "--target-bytes", "1048576", "--dry-run", "--break-lease"]), {
                kind: "compact",
                dataset: orders,
                dt: "2024-05-01",
                hour: "07",
                targetBytes: 1_048_576,
                dryRun: true,
                breakLease: true,
            });
        });

        it("reads --day-before as the UTC date before a schedule's invocation time, whatever its zone", () => {
            const dtOf = (time: string) => (parseCommandLine(["compact", "--dataset", "orders", "--day-before", time]) as { dt: string }).dt;
            assert.strictEqual(dtOf("2024-05-02T02:30:00Z"), "2024-05-01");
            assert.strictEqual(dtOf("2024-03-01T00:00:00Z"), "2024-02-29");
            assert.strictEqual(dtOf("2025-01-01T00:10:00+01:00"), "2024-12-30");
        });

        it("reads an ingest-file command: the drop, its dataset and formats, the file version and the default prefixes", () => {
            const command = parseCommandLine(["ingest-file", "--drop", "store_inventory", "--dataset", "store_inventory", "--formats", "csv,parquet", "--chunk-rows", "1000", "--bucket", "landing", "--key", "incoming/store_inventory/a.csv", "--version-id", "v1"]);
            assert.strictEqual(command.kind, "ingest-file");
            const { dataset, ...rest } = command as Extract<typeof command, { kind: "ingest-file" }>;
            assert.strictEqual(dataset.name, "store_inventory");
            assert.deepStrictEqual(rest, { kind: "ingest-file", drop: "store_inventory", formats: ["csv", "parquet"], chunkRows: 1000, bucket: "landing", key: "incoming/store_inventory/a.csv", versionId: "v1", manifestPrefix: "_manifests/", quarantinePrefix: "_quarantine/" });
        });

        it("recognises --help anywhere", () => {
            assert.deepStrictEqual(parseCommandLine(["--help"]), { kind: "help" });
            assert.deepStrictEqual(parseCommandLine(["compact", "--help"]), { kind: "help" });
        });

        const cases: readonly (readonly [string, readonly string[], Partial<Pick<UsageError, "flag" | "expected" | "found" | "fix">>])[] = [
            ["no command", [], { flag: "command", expected: "a command: replay-rejects, compact or ingest-file", found: "nothing" }],
            ["an unknown command", ["vacuum"], { flag: "command", found: "'vacuum'" }],
            ["an unknown flag", [...replay, "--froom", "x"], { flag: "--froom", expected: "one of --dataset, --from, --to, --error-type, --include-unknown-time, --dry-run for replay-rejects", found: "'--froom'" }],
            ["a flag of the other command", ["compact", "--dataset", "orders", "--dt", "2024-05-01", "--from", "2024-05-01T00"], { flag: "--from" }],
            ["a missing required flag", ["replay-rejects", "--dataset", "orders", "--from", "2024-05-01T00"], { flag: "--to", expected: "the flag (replay-rejects requires it)", found: "nothing", fix: "add --to 2024-05-02T00" }],
            ["a flag without its value", ["replay-rejects", "--dataset", "--from", "2024-05-01T00"], { flag: "--dataset", expected: "a value after the flag", found: "the next flag '--from'" }],
            ["a flag without its value at the end", [...replay.slice(0, 5), "--to"], { flag: "--to", found: "the end of the command line" }],
            ["a repeated flag", [...replay, "--dataset", "orders"], { flag: "--dataset", expected: "the flag once" }],
            ["a value given to a switch", [...replay, "--dry-run=yes"], { flag: "--dry-run", expected: "no value (it is a switch)" }],
            ["a stray argument", [...replay, "orders"], { flag: "replay-rejects", found: "the extra argument 'orders'" }],
            ["an unknown dataset", ["replay-rejects", "--dataset", "invoices", "--from", "2024-05-01T00", "--to", "2024-05-02T00"], { flag: "--dataset", expected: "one of the platform's datasets: orders, fx_rates, store_inventory", found: "'invoices'", fix: "pass --dataset orders" }],
            ["an hour without the T", ["replay-rejects", "--dataset", "orders", "--from", "2024-05-01", "--to", "2024-05-02T00"], { flag: "--from", expected: "a UTC hour written YYYY-MM-DDTHH (a real date, hour 00-23)", found: "'2024-05-01'", fix: "pass --from 2024-05-01T00" }],
            ["an impossible date", ["replay-rejects", "--dataset", "orders", "--from", "2024-02-30T00", "--to", "2024-05-02T00"], { flag: "--from" }],
            ["hour 24", ["replay-rejects", "--dataset", "orders", "--from", "2024-05-01T24", "--to", "2024-05-02T00"], { flag: "--from" }],
            ["an empty range", ["replay-rejects", "--dataset", "orders", "--from", "2024-05-01T05", "--to", "2024-05-01T05"], { flag: "--to", expected: "an hour after --from (2024-05-01T05); the range is [from, to)", fix: "pass --to 2024-05-01T06 or later" }],
            ["a range over 366 days", ["replay-rejects", "--dataset", "orders", "--from", "2023-01-01T00", "--to", "2024-01-03T00"], { flag: "--to", fix: "split the replay into several jobs of at most 366 days each" }],
            ["an unknown error type", [...replay, "--error-type", "not_allowed,schema"], { flag: "--error-type", found: "'schema'" }],
            ["a bad date", ["compact", "--dataset", "orders", "--dt", "2024-5-1"], { flag: "--dt", expected: "a UTC date written YYYY-MM-DD (a real calendar date)", found: "'2024-5-1'" }],
            ["a compaction without a date", ["compact", "--dataset", "orders"], { flag: "--dt", expected: "the flag (compact requires --dt or --day-before)", found: "nothing", fix: "add --dt 2024-05-01" }],
            ["both --dt and --day-before", ["compact", "--dataset", "orders", "--dt", "2024-05-01", "--day-before", "2024-05-02T02:30:00Z"], { flag: "--day-before", expected: "either --dt or --day-before, not both" }],
            ["a --day-before without a zone", ["compact", "--dataset", "orders", "--day-before", "2024-05-02T02:30:00"], { flag: "--day-before", expected: "an ISO-8601 time with a zone, such as 2024-05-02T02:30:00Z", found: "'2024-05-02T02:30:00'" }],
            ["a bad hour", ["compact", "--dataset", "orders", "--dt", "2024-05-01", "--hour", "25"], { flag: "--hour", expected: "an hour from 00 to 23", found: "'25'" }],
            ["a target that is not a number", ["compact", "--dataset", "orders", "--dt", "2024-05-01", "--target-bytes", "128MiB"], { flag: "--target-bytes", found: "'128MiB'" }],
            ["an ingest-file format the platform does not read", ["ingest-file", "--drop", "d", "--dataset", "store_inventory", "--formats", "xlsx", "--chunk-rows", "10", "--bucket", "b", "--key", "k"], { flag: "--formats", expected: "a comma-separated list of csv, jsonl, parquet", found: "'xlsx'" }],
            ["an ingest-file chunk size of zero", ["ingest-file", "--drop", "d", "--dataset", "store_inventory", "--formats", "csv", "--chunk-rows", "0", "--bucket", "b", "--key", "k"], { flag: "--chunk-rows", expected: "a positive integer", found: "'0'" }],
            ["a target that is too small", ["compact", "--dataset", "orders", "--dt", "2024-05-01", "--target-bytes", "1000"], { flag: "--target-bytes", expected: "an integer number of bytes from 1024 to 1073741824" }],
        ];
        for (const [what, argv, expected] of cases) {
            it(`refuses ${what}, naming the flag, what was expected, what was found and the fix`, () => {
                const error = usageError(argv);
                assert.deepStrictEqual(Object.fromEntries(Object.keys(expected).map((key) => [key, error[key as keyof typeof expected]])), expected);
                assert.ok(error.fix.length > 0 && error.expected.length > 0 && error.found.length > 0);
                assert.strictEqual(error.message, `${error.flag}: expected ${error.expected}; found ${error.found}; fix: ${error.fix}`);
            });
        }
    });

    describe("settings", () => {
        it("reads the buckets and defaults", () => {
            assert.deepStrictEqual(readBatchSettings(env), {
                rawBucket: "raw",
                rejectsBucket: "rejects",
                maxRecordBytes: 1_048_576,
                concurrency: 8,
                leaseTtlMs: 86_400_000,
                logLevel: "info",
                jobId: "job-42",
                jobAttempt: "1",
                s3: { requestTimeoutMs: 60_000, maxAttempts: 3, forcePathStyle: false },
            });
        });

        it("points at a local endpoint with path-style addressing", () => {
            const settings = readBatchSettings({ ...env, S3_ENDPOINT: "http://127.0.0.1:5055", BATCH_CONCURRENCY: "2", LEASE_TTL_SECONDS: "3600" });
            assert.deepStrictEqual([settings.s3.endpoint, settings.s3.forcePathStyle, settings.concurrency, settings.leaseTtlMs], ["http://127.0.0.1:5055", true, 2, 3_600_000]);
        });
    });

    describe("running", () => {
        type Seed = (store: ReturnType<typeof createMemoryObjectStore>, land: (event: ReturnType<typeof mskEvent>) => Promise<unknown>) => Promise<unknown>;

        async function run(argv: readonly string[], environment: Record<string, string | undefined> = env, seed?: Seed) {
            const printed: string[] = [];
            const store = createMemoryObjectStore();
            const pipeline = { validator: compileValidator(orders), targets: { store, rawBucket: "raw", rejectsBucket: "rejects", concurrency: 2 }, maxRecordBytes: 1 << 20 };
            await seed?.(store, (event) => ingestEvent("kafka", event, pipeline));
            const { result: code, lines } = await captureOutput(() => runBatchCli(argv, { env: environment, store, print: (text) => printed.push(text), now: () => Date.UTC(2024, 4, 2) }));
            return { code, lines, printed, store };
        }

        it("exits 2 on a bad flag with one JSON error line naming flag, expected, found and fix", async () => {
            const { code, lines } = await run(["compact", "--dataset", "orders", "--dt", "yesterday"]);
            assert.strictEqual(code, exitCodes.usage);
            assert.strictEqual(lines.length, 1);
            assert.deepStrictEqual(
                { ...lines[0], timestamp: undefined },
                {
                    timestamp: undefined,
                    level: "ERROR",
                    sampling_rate: 0,
                    service: "lake-maintenance",
                    message: "--dt: expected a UTC date written YYYY-MM-DD (a real calendar date); found 'yesterday'; fix: pass --dt 2024-05-01",
                    command: "compact",
                    jobId: "job-42",
                    jobAttempt: "1",
                    error: "UsageError",
                    flag: "--dt",
                    expected: "a UTC date written YYYY-MM-DD (a real calendar date)",
                    found: "'yesterday'",
                    fix: "pass --dt 2024-05-01",
                },
            );
        });

        it("exits 2 when a required setting is missing, naming the variable", async () => {
            const { code, lines } = await run(replay, { REJECTS_BUCKET: "rejects" });
            assert.strictEqual(code, exitCodes.usage);
            assert.strictEqual(lines[0]?.setting, "RAW_BUCKET");
            assert.match(String(lines[0]?.message), /environment variable RAW_BUCKET \(the raw-zone bucket\) is not set/);
        });

        it("prints the usage and exits 0 on --help", async () => {
            const { code, printed, lines } = await run(["--help"]);
            assert.strictEqual(code, exitCodes.ok);
            assert.deepStrictEqual(printed, [usageText]);
            assert.deepStrictEqual(lines, []);
        });

        it("exits 0 after a replay and ends with a report line whose counts add up", async () => {
            const { code, lines } = await run(replay, env, (_store, land) => land(mskEvent([{ offset: 1, value: validOrder({ region: "MARS" }) }])));
            assert.strictEqual(code, exitCodes.ok);
            const report = lines.find((line) => line.message === "replay finished")?.report as { counts: Record<string, number> } | undefined;
            assert.deepStrictEqual(report?.counts, { in: 1, replayed: 0, stillRejected: 1 });
            assert.deepStrictEqual(
                lines.map((line) => line.message),
                ["job started", "reject objects to replay", "reject object processed", "replay finished", "job ended"],
            );
            assert.ok(lines.every((line) => line.dataset === "orders" && line.jobId === "job-42" && typeof line.timestamp === "string"));
        });

        it("exits 1 when a compaction fails, and says a rerun is safe", async () => {
            const { code, lines } = await run(["compact", "--dataset", "orders", "--dt", "2024-05-01", "--hour", "10"], env, async (store, land) => {
                await land(mskEvent([{ offset: 1, value: validOrder() }]));
                await land(mskEvent([{ offset: 2, value: validOrder({ order_id: "ORD-ZZZZZZZZZZZ2" }) }]));
                await store.putObject({ bucket: "raw", key: "orders/_compaction/dt=2024-05-01/hour=10/lease-0000000001.json", body: Buffer.from(JSON.stringify({ owner: "job-7", expiresAt: "2024-05-02T01:00:00.000Z" })) });
            });
            assert.strictEqual(code, exitCodes.failure);
            const last = lines.find((line) => line.level === "ERROR" && String(line.message).startsWith("compaction finished with failures"));
            assert.ok(last, "a failure report line");
            assert.match(String(lines.find((line) => line.message === "partition could not be compacted; nothing was deleted before its outputs were verified, so a rerun is safe")?.error), /job-7/);
        });
    });
});
