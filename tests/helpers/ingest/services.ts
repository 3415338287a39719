import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import * as net from "net";
import { createHttp1RequestHandler } from "../../../runtime/common/http";
import { createS3ObjectStore, ObjectStore } from "../../../runtime/common/objectStore";
import { ensureKafkaTopic } from "../../../runtime/producers/kafka";

/** Endpoints of the local services, started by tools/services/moto.sh and tools/services/kafka.sh. */
export const motoEndpoint = process.env.MOTO_ENDPOINT ?? "http://127.0.0.1:5055";
export const kafkaBrokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
export const region = "us-east-1";
export const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/** A name unique to this test run, valid for buckets, streams and topics. */
export function uniqueName(prefix: string): string {
    return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}`;
}

function reachable(hostPort: string): Promise<boolean> {
    const [host, port] = hostPort.replace(/^https?:\/\//, "").split(":");
    return new Promise((resolve) => {
        const socket = net.connect({ host: host ?? "127.0.0.1", port: Number(port) }, () => {
            socket.destroy();
            resolve(true);
        });
        socket.on("error", () => resolve(false));
        socket.setTimeout(2000, () => {
            socket.destroy();
            resolve(false);
        });
    });
}

/** Fails with the command to run when a service is down, instead of a timeout deep in a test. */
export async function requireMoto(): Promise<void> {
    if (!(await reachable(motoEndpoint))) {
        throw new Error(`moto is not reachable at ${motoEndpoint}; start it with tools/services/moto.sh start (or set MOTO_ENDPOINT)`);
    }
}

export async function requireKafka(): Promise<void> {
    if (!(await reachable(kafkaBrokers[0] ?? ""))) {
        throw new Error(`Kafka is not reachable at ${kafkaBrokers.join(",")}; start it with tools/services/kafka.sh start (or set KAFKA_BROKERS)`);
    }
}

export function s3Client(endpoint = motoEndpoint): S3Client {
    return new S3Client({ region, endpoint, forcePathStyle: true, credentials });
}

/** The S3 object store against moto (or a proxy in front of it). */
export function motoStore(endpoint = motoEndpoint, options: { readonly requestTimeoutMs?: number; readonly maxAttempts?: number } = {}): ObjectStore {
    return createS3ObjectStore({ endpoint, forcePathStyle: true, region, credentials, ...options });
}

export async function createBuckets(...names: string[]): Promise<void> {
    const client = s3Client();
    for (const name of names) {
        await client.send(new CreateBucketCommand({ Bucket: name }));
    }
    client.destroy();
}

export function kinesisClient(): KinesisClient {
    return new KinesisClient({ region, endpoint: motoEndpoint, credentials, requestHandler: createHttp1RequestHandler() as never });
}

export async function createStream(name: string, shards: number): Promise<void> {
    const client = kinesisClient();
    await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
    await waitUntil(async () => (await client.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary?.StreamStatus === "ACTIVE", {
        timeoutMs: 30_000,
        description: `stream ${name} to become ACTIVE`,
    });
    client.destroy();
}

export async function createTopic(name: string, partitions: number): Promise<void> {
    await ensureKafkaTopic({ brokers: kafkaBrokers, topic: name }, partitions);
}

/** Polls until the condition holds; fails naming what it waited for. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, options: { readonly timeoutMs: number; readonly description: string; readonly intervalMs?: number }): Promise<void> {
    const deadline = Date.now() + options.timeoutMs;
    while (Date.now() < deadline) {
        if (await condition()) {
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
    }
    throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.description}`);
}
