import * as assert from "assert";
import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";
import { KafkaAuthenticationError } from "../../../runtime/common/kafkaAuth";
import { MskEvent } from "../../../runtime/ingest/types";
import { startKafkaEventSource } from "../../../runtime/local/kafkaEventSource";
import { isReachable } from "../../../runtime/local/settings";
import { createKafkaProducer, ensureKafkaTopic } from "../../../runtime/producers";
import { localSettings, uniqueName } from "../../helpers/ingest/services";

const root = path.resolve(__dirname, "..", "..", "..");
const scram = localSettings.kafkaScram;
const broker = scram.brokers[0] as string;

async function produceCli(args: readonly string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
        const { stdout, stderr } = await promisify(execFile)(path.join(root, "node_modules", ".bin", "ts-node"), ["--transpile-only", "tools/produce.ts", "--no-progress", ...args], {
            cwd: root,
            env: { ...process.env, ...env },
        });
        return { code: 0, stdout, stderr };
    } catch (error) {
        const failed = error as { code: number; stdout: string; stderr: string };
        return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
}

/**
 * mskClientAuth "scram" on this machine: the local broker's SASL/SCRAM-SHA-512 listener
 * (tools/services/kafka.sh) with the producer, the produce CLI and the local event-source runner,
 * all configured through runtime/common/kafkaAuth.
 */
describe("SASL/SCRAM-SHA-512 on the local broker", function () {
    this.timeout(120_000);

    before(async () => {
        if (!(await isReachable(broker))) {
            throw new Error(`the local broker's SCRAM listener is not reachable at ${broker}; start the broker with: KAFKA_PORT=${localSettings.kafkaPort} KAFKA_CONTROLLER_PORT=${localSettings.kafkaControllerPort} tools/services/kafka.sh start (it listens for SCRAM on KAFKA_SCRAM_PORT, default KAFKA_CONTROLLER_PORT + 1)`);
        }
    });

    it("lets the produce CLI and the local event-source runner in with the right password, and the runner reads every record", async () => {
        const topic = uniqueName("scram-orders");
        const produced = await produceCli(["--engine", "msk", "--brokers", broker, "--scram", "--topic", topic, "--create-topic", "2", "--count", "300", "--bad-ratio", "0.05"], {
            KAFKA_SCRAM_USERNAME: scram.username,
            KAFKA_SCRAM_PASSWORD: scram.password,
        });
        assert.strictEqual(produced.code, 0, produced.stderr);
        assert.strictEqual((JSON.parse(produced.stdout) as { sent: number }).sent, 300);

        const seen = new Set<string>();
        const runner = await startKafkaEventSource({
            brokers: scram.brokers,
            topic,
            groupId: `${topic}-ingest`,
            auth: { mode: "scram", username: scram.username, password: scram.password, tls: false },
            batchSize: 100,
            handler: async (event: MskEvent) => {
                for (const records of Object.values(event.records)) {
                    for (const record of records) {
                        seen.add(`${record.partition}:${record.offset}`);
                    }
                }
            },
        });
        try {
            const deadline = Date.now() + 60_000;
            while (seen.size < 300 && Date.now() < deadline) {
                await new Promise((resolve) => setTimeout(resolve, 200));
            }
        } finally {
            await runner.stop();
        }
        assert.strictEqual(seen.size, 300);
        assert.strictEqual(runner.stats.records, 300);
    });

    it("refuses the produce CLI with a wrong password in one line naming the broker, the mechanism and the user", async () => {
        const started = Date.now();
        const result = await produceCli(["--engine", "msk", "--brokers", broker, "--scram", "--topic", "orders", "--count", "10"], {
            KAFKA_SCRAM_USERNAME: scram.username,
            KAFKA_SCRAM_PASSWORD: `${scram.password}-wrong`,
        });
        assert.strictEqual(result.code, 1, result.stderr);
        assert.strictEqual(result.stdout, "");
        const lines = result.stderr.trim().split("\n");
        assert.strictEqual(lines.length, 1, `expected one line, found:\n${result.stderr}`);
        assert.match(lines[0] as string, new RegExp(`^produce: Kafka at ${broker.replace(/\./g, "\\.")} refused SASL/SCRAM-SHA-512 authentication for user '${scram.username}': .*invalid credentials.*Fix: check the user name and password`));
        // No retrying with a password that cannot work.
        assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
    });

    it("refuses the producer library and the local event-source runner with a wrong password as KafkaAuthenticationError", async () => {
        const topic = uniqueName("scram-refused");
        await ensureKafkaTopic({ brokers: scram.brokers, topic, auth: { mode: "scram", username: scram.username, password: scram.password, tls: false } }, 1);
        const wrong = { mode: "scram", username: scram.username, password: "not-the-password", tls: false } as const;

        const producer = createKafkaProducer({ brokers: scram.brokers, topic, auth: wrong });
        await assert.rejects(producer.send([{ key: "k", value: Buffer.from("{}") }]), (error: Error) => error instanceof KafkaAuthenticationError && error.message.includes(`user '${scram.username}'`) && error.message.includes(broker));
        await producer.close();

        await assert.rejects(
            startKafkaEventSource({ brokers: scram.brokers, topic, groupId: `${topic}-ingest`, auth: wrong, handler: async () => undefined }),
            (error: Error) => error instanceof KafkaAuthenticationError && error.message.startsWith(`Kafka at ${broker} refused SASL/SCRAM-SHA-512 authentication for user '${scram.username}'`),
        );
    });
});
