import type { S3Client } from "@aws-sdk/client-s3";
import { CheckpointStore } from "./kinesisEventSource";

/**
 * Kinesis shard checkpoints kept as objects on (local) S3, next to the lake: a second
 * `npm run local` resumes after the last record the handler accepted instead of re-reading the
 * stream, and the checkpoints vanish together with the stream when moto stops.
 * Key: `kinesis-checkpoints/<stream>/<shard id>`, body: the sequence number.
 */
export function createS3CheckpointStore(s3: S3Client, bucket: string, stream: string): CheckpointStore {
    const api = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    const key = (shardId: string) => `kinesis-checkpoints/${stream}/${shardId}`;
    return {
        get: async (shardId) => {
            try {
                const response = await s3.send(new api.GetObjectCommand({ Bucket: bucket, Key: key(shardId) }));
                const text = await (response.Body as { transformToString(): Promise<string> }).transformToString();
                return text.trim() === "" ? undefined : text.trim();
            } catch (error) {
                if ((error as { name?: string }).name === "NoSuchKey") {
                    return undefined;
                }
                throw error;
            }
        },
        set: async (shardId, sequenceNumber) => {
            await s3.send(new api.PutObjectCommand({ Bucket: bucket, Key: key(shardId), Body: sequenceNumber, ContentType: "text/plain" }));
        },
    };
}
