import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { createHttp1RequestHandler } from "../../../runtime/common/http";
import { createS3ObjectStore, ObjectStore } from "../../../runtime/common/objectStore";
import { readLocalSettings, requireService } from "../../../runtime/local/settings";
import { ensureKafkaTopic } from "../../../runtime/producers/kafka";

/** Endpoints of the local services, from the one set of local settings (MOTO_PORT, KAFKA_PORT, ...). */
export const localSettings = readLocalSettings();
export const motoEndpoint = localSettings.motoEndpoint;
export const kafkaBrokers = [...localSettings.kafkaBrokers];
export const region = "us-east-1";
export const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/** A name unique to this test run, valid for buckets, streams and topics. */
export function uniqueName(prefix: string): string {
    return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}`;
}

/** Fails with the command to run when a service is down, instead of a timeout deep in a test. */
export async function requireMoto(): Promise<void> {
    await requireService(localSettings, "moto");
}

export async function requireKafka(): Promise<void> {
    await requireService(localSettings, "kafka");
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
