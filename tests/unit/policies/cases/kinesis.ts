import * as aws from "@pulumi/aws";
import * as kinesis from "../../../../policies/kinesis";
import { devProvider, fixture, PropsOf } from "../helpers";
import { fails, passes, PolicyCase } from "./types";

const stream = (props: Partial<PropsOf<aws.kinesis.StreamArgs>> = {}, provider = devProvider) =>
    fixture(
        aws.kinesis.Stream,
        "orders",
        { name: "platform-dev-orders-v1", streamModeDetails: { streamMode: "ON_DEMAND" }, retentionPeriod: 24, encryptionType: "KMS", kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/mrk-streaming", ...props },
        { provider },
    );

export const kinesisCases: PolicyCase[] = [
    passes(kinesis.kinesisStreamEncryption, "KMS", stream()),
    fails(kinesis.kinesisStreamEncryption, "no encryption", stream({ encryptionType: "NONE" }), /encryptionType must be KMS; found "NONE"/),

    passes(kinesis.kinesisStreamCmk, "the streaming key", stream()),
    fails(kinesis.kinesisStreamCmk, "the AWS-managed key", stream({ kmsKeyId: "alias/aws/kinesis" }), /must name a customer-managed key; found "alias\/aws\/kinesis"/),

    passes(kinesis.kinesisStreamRetention, "24 hours", stream()),
    passes(kinesis.kinesisStreamRetention, "a week against a configured minimum of 168", stream({ retentionPeriod: 168 }), { minimumHours: 168 }),
    fails(kinesis.kinesisStreamRetention, "24 hours against a configured minimum of 48", stream(), /at least 48 hours; found 24/, { minimumHours: 48 }),

    passes(kinesis.kinesisStreamCapacity, "on demand in dev", stream()),
    passes(kinesis.kinesisStreamCapacity, "4 provisioned shards in dev", stream({ streamModeDetails: { streamMode: "PROVISIONED" }, shardCount: 4 })),
    fails(kinesis.kinesisStreamCapacity, "8 provisioned shards in dev (cap 4)", stream({ streamModeDetails: { streamMode: "PROVISIONED" }, shardCount: 8 }), /shardCount must be at most 4 in dev; found 8/),
    fails(kinesis.kinesisStreamCapacity, "on demand where the config allows provisioned only", stream(), /must be one of PROVISIONED in dev; found ON_DEMAND/, { allowedModes: { dev: ["PROVISIONED"], prod: ["ON_DEMAND", "PROVISIONED"] } }),
];
