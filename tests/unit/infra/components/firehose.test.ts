import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { FirehoseDelivery, FirehoseDeliveryArgs } from "../../../../infra/firehose";
import { orders } from "../../../../runtime/datasets/orders";
import { readingsDataset } from "../../../helpers/ingest/events";
import { PlatformContext } from "../../../../infra/shared/context";
import { bucket, construct, named, namesOf, testKeys, types } from "./harness";

const delivery = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream";
const source = (dataset: typeof orders) => ({ dataset, sourceArn: pulumi.output(`arn:aws:kinesis:us-east-1:123456789012:stream/platform-test-${dataset.name}`), name: `platform-test-${dataset.name}` });
const settings = { memoryMb: 256, timeoutSeconds: 60, reservedConcurrency: 3 };

function firehose(streaming: FirehoseDeliveryArgs["streaming"]) {
    return (context: PlatformContext) => new FirehoseDelivery("firehose", { context, streaming, ingest: settings, firehose: { bufferSizeMb: 96, bufferIntervalSeconds: 120 }, rawBucket: bucket("raw") });
}

describe("FirehoseDelivery, constructed alone", () => {
    it("declares per dataset a delivery stream, its transformation function, two roles, two log groups and the alarms", async () => {
        const { resources } = await construct(firehose({ engine: "kinesis", sources: [source(orders), source(readingsDataset)] }));
        assert.deepStrictEqual(namesOf(resources, delivery), ["firehose-orders", "firehose-sensor_readings"]);
        assert.deepStrictEqual(namesOf(resources, types.function), ["firehose-orders-transform", "firehose-sensor_readings-transform"]);
        assert.deepStrictEqual(namesOf(resources, "aws:iam/role:Role"), ["firehose-orders-delivery-role", "firehose-orders-transform-role", "firehose-sensor_readings-delivery-role", "firehose-sensor_readings-transform-role"]);
        assert.strictEqual(namesOf(resources, types.alarm).filter((n) => n.startsWith("firehose-orders-")).length, 9);
        assert.deepStrictEqual(namesOf(resources, types.mapping), []);
    });

    it("sizes the function and buffers the stream from its arguments, under the platform's keys", async () => {
        const { resources } = await construct(firehose({ engine: "kinesis", sources: [source(orders)] }));
        const fn = named(resources, types.function, "firehose-orders-transform");
        assert.deepStrictEqual([fn.inputs.memorySize, fn.inputs.timeout, fn.inputs.reservedConcurrentExecutions, fn.inputs.kmsKeyArn, fn.inputs.name], [256, 60, 3, testKeys.streaming, "platform-test-firehose-transform-orders"]);
        const s3 = named(resources, delivery, "firehose-orders").inputs.extendedS3Configuration;
        assert.deepStrictEqual([s3.bufferingSize, s3.bufferingInterval, s3.kmsKeyArn], [96, 120, testKeys.lake]);
        assert.strictEqual(named(resources, "aws:cloudwatch/logGroup:LogGroup", "firehose-orders-delivery-logs").inputs.kmsKeyId, testKeys.observability);
    });

    it("creates the delivery stream only after its role's policy and its log stream", async () => {
        const { resources } = await construct(firehose({ engine: "kinesis", sources: [source(orders)] }));
        const stream = named(resources, delivery, "firehose-orders");
        const policy = named(resources, "aws:iam/rolePolicy:RolePolicy", "firehose-orders-delivery-role");
        const logStream = named(resources, "aws:cloudwatch/logStream:LogStream", "firehose-orders-delivery-errors");
        assert.ok(stream.dependencies.includes(policy.urn) && stream.dependencies.includes(logStream.urn), JSON.stringify(stream.dependencies));
    });

    it("refuses an MSK source before declaring anything, naming the fix", async () => {
        await assert.rejects(
            construct(firehose({ engine: "msk", sources: [source(orders)] })),
            /FirehoseDelivery "firehose": streaming.engine: expected "kinesis" \(a Firehose delivery stream reads a Kinesis data stream\); found "msk"\. Fix: set platform:ingestDelivery lambda, or platform:streamingEngine kinesis/,
        );
    });
});
