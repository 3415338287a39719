/**
 * Producer throughput benchmark. Prints one JSON line: messages per second into the local Kafka
 * broker for our producer (idempotent, acks=-1, gzip, sendBatch of 500) against a baseline that
 * makes one `send` call per message with the same durability settings; target ≥ 10×.
 *
 * Needs the broker (tools/services/kafka.sh start, or npm run local); its port comes from KAFKA_PORT
 * (runtime/local/settings.ts).
 * Usage: npm run bench:produce [-- --messages 50000 --baseline-messages 2000]
 */
import * as os from "os";
import { createKafkaProducer, createOrderGenerator, ensureKafkaTopic, ProducerMessage } from "../runtime/producers";
import { buildKafkaConfig, quietKafkaLogCreator } from "../runtime/producers/kafka";
import { readLocalSettings, requireService, ServiceUnreachableError } from "../runtime/local/settings";
import { flagsOrExit, parseFlags } from "../tools/offline/flags";

const brokers = [...readLocalSettings().kafkaBrokers];

const usage = "npm run bench:produce -- [--messages N] [--baseline-messages N]";

function readFlags(): { readonly messagesCount: number; readonly baselineCount: number } {
    const flags = parseFlags(process.argv.slice(2), { "messages": "number", "baseline-messages": "number" }, usage);
    return { messagesCount: flags.count("messages", 50_000), baselineCount: flags.count("baseline-messages", 2_000) };
}

const { messagesCount, baselineCount } = flagsOrExit("bench:produce", readFlags);

/** One message per `send` call, awaited in turn: what naive producer code does. */
async function baseline(topic: string, messages: readonly ProducerMessage[]): Promise<number> {
    const kafkajs = require("kafkajs") as typeof import("kafkajs");
    const config = buildKafkaConfig({ brokers, topic });
    const producer = new kafkajs.Kafka({ ...config.client, logLevel: kafkajs.logLevel.WARN, logCreator: quietKafkaLogCreator() }).producer({ ...config.producer, createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: "warm-up", value: "{}" }] });
    const started = process.hrtime.bigint();
    for (const message of messages) {
        await producer.send({ topic, acks: -1, compression: kafkajs.CompressionTypes.GZIP, messages: [{ key: message.key, value: message.value }] });
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await producer.disconnect();
    return seconds;
}

async function ours(topic: string, messages: readonly ProducerMessage[]): Promise<{ seconds: number; requests: number }> {
    const producer = createKafkaProducer({ brokers, topic, maxBatchMessages: 500 });
    await producer.send([{ key: "warm-up", value: Buffer.from("{}") }]);
    const started = process.hrtime.bigint();
    const report = await producer.send(messages);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await producer.close();
    return { seconds, requests: report.requests };
}

async function main(): Promise<void> {
    const stamp = Date.now().toString(36);
    const topic = `bench-produce-${stamp}`;
    const baselineTopic = `bench-produce-baseline-${stamp}`;
    await ensureKafkaTopic({ brokers, topic }, 3);
    await ensureKafkaTopic({ brokers, topic: baselineTopic }, 3);
    const messages = createOrderGenerator({ seed: 7, badRatio: 0 }).take(messagesCount);
    const batched = await ours(topic, messages);
    const baselineSeconds = await baseline(baselineTopic, messages.slice(0, baselineCount));
    const oursRate = Math.round(messagesCount / batched.seconds);
    const baselineRate = Math.round(baselineCount / baselineSeconds);
    const speedup = Math.round((oursRate / baselineRate) * 10) / 10;
    process.stdout.write(
        `${JSON.stringify({
            bench: "produce",
            brokers,
            loadAverage1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
            cpus: os.cpus().length,
            ours: { messages: messagesCount, seconds: Math.round(batched.seconds * 1000) / 1000, requests: batched.requests, messagesPerSecond: oursRate },
            oneMessagePerSend: { messages: baselineCount, seconds: Math.round(baselineSeconds * 1000) / 1000, requests: baselineCount, messagesPerSecond: baselineRate },
            speedup,
            target: { speedup: ">= 10", met: speedup >= 10 },
        })}\n`,
    );
}

// Check the service first: one line naming it and its start command, not the client's retry noise.
requireService(readLocalSettings(), "kafka")
    .then(main)
    .catch((error: unknown) => {
        if (error instanceof ServiceUnreachableError) {
            process.stderr.write(`bench:produce: ${error.message}\n`);
            process.exit(1);
        }
        process.stderr.write(`bench:produce failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
    });
