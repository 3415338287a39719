import * as assert from "assert";
import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";
import { DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from "@aws-sdk/client-kinesis";
import { kafkaBrokers, kinesisClient, localSettings, motoEndpoint, requireKafka, requireMoto, uniqueName } from "../../helpers/ingest/services";

const root = path.resolve(__dirname, "..", "..", "..");

/**
 * Runs `npm run produce` as the README writes it: ts-node on tools/produce.ts, with no AWS
 * credentials in the environment (the README's Kinesis line must work without them).
 */
async function produce(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("AWS_") || key === "AWS_CA_BUNDLE"));
    try {
        const { stdout, stderr } = await promisify(execFile)(path.join(root, "node_modules", ".bin", "ts-node"), ["--transpile-only", "tools/produce.ts", "--no-progress", ...args], { cwd: root, env });
        return { code: 0, stdout, stderr };
    } catch (error) {
        const failed = error as { code: number; stdout: string; stderr: string };
        return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
}

describe("npm run produce against the local stand-ins", () => {
    describe("Kinesis on moto, without AWS credentials", () => {
        before(requireMoto);

        it("refuses a missing stream at once, naming --create-stream", async () => {
            const stream = uniqueName("missing");
            const result = await produce(["--engine", "kinesis", "--endpoint", motoEndpoint, "--stream", stream, "--count", "10"]);
            assert.strictEqual(result.code, 1, result.stderr);
            assert.match(result.stderr, new RegExp(`produce: Kinesis stream '${stream}' does not exist at ${motoEndpoint.replace(/[.]/g, "\\.")}; pass --create-stream <shards>`));
            assert.strictEqual(result.stdout, "");
        });

        it("creates the stream with --create-stream, produces every record into it, and reuses it the next time", async () => {
            const stream = uniqueName("orders");
            const first = await produce(["--engine", "kinesis", "--endpoint", motoEndpoint, "--stream", stream, "--create-stream", "2", "--count", "700", "--bad-ratio", "0.02"]);
            assert.strictEqual(first.code, 0, first.stderr);
            assert.match(first.stderr, new RegExp(`created Kinesis stream '${stream}' with 2 shards at `));
            const summary = JSON.parse(first.stdout) as { sent: number; target: string };
            assert.deepStrictEqual([summary.sent, summary.target], [700, stream]);
            const again = await produce(["--engine", "kinesis", "--endpoint", motoEndpoint, "--stream", stream, "--create-stream", "2", "--count", "300"]);
            assert.strictEqual(again.code, 0, again.stderr);
            assert.doesNotMatch(again.stderr, /created Kinesis stream/);

            const client = kinesisClient();
            assert.strictEqual((await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary?.OpenShardCount, 2);
            let records = 0;
            for (const shard of (await client.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? []) {
                let iterator = (await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
                for (;;) {
                    const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
                    records += page.Records?.length ?? 0;
                    if ((page.Records?.length ?? 0) === 0 || !page.NextShardIterator) {
                        break;
                    }
                    iterator = page.NextShardIterator;
                }
            }
            client.destroy();
            assert.strictEqual(records, 1000);
        });
    });

    describe("Kafka", () => {
        before(requireKafka);

        it("refuses a missing topic at once, naming --create-topic, without kafkajs retry logs", async () => {
            const topic = uniqueName("missing");
            const result = await produce(["--engine", "msk", "--brokers", kafkaBrokers.join(","), "--topic", topic, "--count", "10"]);
            assert.strictEqual(result.code, 1, result.stderr);
            assert.strictEqual(result.stderr.trim(), `produce: Kafka topic '${topic}' does not exist on ${kafkaBrokers.join(",")}; pass --create-topic <partitions> (for example --create-topic 3) to create it`);
        });

        it("creates the topic with --create-topic and prints only the JSON summary on stdout", async () => {
            const topic = uniqueName("orders");
            const result = await produce(["--engine", "msk", "--brokers", kafkaBrokers.join(","), "--topic", topic, "--create-topic", "3", "--count", "500"]);
            assert.strictEqual(result.code, 0, result.stderr);
            assert.strictEqual(result.stderr.trim(), `created Kafka topic '${topic}' with 3 partitions on ${localSettings.kafkaBrokers.join(",")}`);
            assert.strictEqual((JSON.parse(result.stdout) as { sent: number }).sent, 500);
        });
    });
});
