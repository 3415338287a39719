import * as assert from "assert";
import { datasetsFrom } from "../../../../runtime/datasets";
import { MskConfig, StreamingConfig } from "../../../../infra/config";
import { PlatformContext } from "../../../../infra/shared/context";
import { Streaming, StreamingArgs } from "../../../../infra/streaming";
import { construct, named, namesOf, promiseOf, types } from "./harness";

const network = { vpcId: "vpc-1", privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"] };
const msk: MskConfig = { kafkaVersion: "3.9.x", brokerCount: 3, instanceType: "kafka.m7g.large", volumeGiB: 100, maxVolumeGiB: 500, topicPartitions: 6, clientAuth: { modes: ["iam"], scramSecretArns: [], certificateAuthorityArns: [] }, enhancedMonitoring: "DEFAULT" };

function streaming(config: StreamingConfig, extra: Partial<StreamingArgs> = {}) {
    return (context: PlatformContext) => new Streaming("streaming", { context, streaming: config, ...extra });
}

describe("Streaming, constructed alone", () => {
    it("defaults to one encrypted on-demand stream per stream dataset (file-drop datasets get none), with a throttling alarm each and no Kafka connection", async () => {
        const { component, resources } = await construct(streaming({ engine: "kinesis", kinesis: { mode: "ON_DEMAND", retentionHours: 24 } }));
        assert.deepStrictEqual(namesOf(resources, types.stream), datasetsFrom("stream").map((d) => `streaming-${d.name}`).sort());
        const stream = named(resources, types.stream, "streaming-orders");
        assert.deepStrictEqual([stream.inputs.streamModeDetails, stream.inputs.shardCount, stream.inputs.encryptionType, stream.inputs.kmsKeyId], [{ streamMode: "ON_DEMAND" }, undefined, "KMS", "arn:aws:kms:us-east-1:123456789012:key/streaming"]);
        assert.deepStrictEqual(namesOf(resources, types.alarm), ["streaming-orders-write-throttled"]);
        assert.strictEqual(component.engine, "kinesis");
        assert.strictEqual(component.kafka, undefined);
        assert.deepStrictEqual(component.sources.map((s) => s.name), ["platform-test-orders-v1"]);
    });

    it("sizes a provisioned stream by its shard count", async () => {
        const { resources } = await construct(streaming({ engine: "kinesis", kinesis: { mode: "PROVISIONED", shardCount: 4, retentionHours: 48 } }));
        const stream = named(resources, types.stream, "streaming-orders");
        assert.deepStrictEqual([stream.inputs.streamModeDetails, stream.inputs.shardCount, stream.inputs.retentionPeriod], [{ streamMode: "PROVISIONED" }, 4, 48]);
    });

    it("protects streams when the context protects data", async () => {
        const { resources } = await construct(streaming({ engine: "kinesis", kinesis: { mode: "ON_DEMAND", retentionHours: 24 } }), { protectData: true });
        assert.strictEqual(named(resources, types.stream, "streaming-orders").protect, true);
    });

    it("on MSK, declares the cluster in the VPC, a topic per dataset, the client connection and the cluster's alarms", async () => {
        const { component, resources } = await construct(streaming({ engine: "msk", msk }, { network }));
        const cluster = named(resources, types.mskCluster, "streaming-cluster");
        assert.deepStrictEqual(cluster.inputs.brokerNodeGroupInfo.clientSubnets, network.privateSubnetIds);
        assert.deepStrictEqual(namesOf(resources, types.topic), ["streaming-orders"]);
        assert.strictEqual(component.engine, "msk");
        assert.ok(component.kafka);
        assert.deepStrictEqual(component.kafka.clientSubnetIds, network.privateSubnetIds);
        assert.match(await promiseOf(component.kafka.bootstrapBrokers), /:9098/);
        const brokers = [1, 2, 3].flatMap((b) => [`streaming-broker-${b}-disk`, `streaming-broker-${b}-under-replicated`]);
        assert.deepStrictEqual(namesOf(resources, types.alarm), ["streaming-active-controller", "streaming-offline-partitions", ...brokers].sort());
    });

    it("on MSK with SASL/SCRAM first, associates exactly the configured AmazonMSK_ secrets and hands out the SCRAM bootstrap brokers", async () => {
        const secrets = ["arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_a-AbCdEf", "arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_b-AbCdEf"];
        const clientAuth = { modes: ["scram", "iam"] as const, scramSecretArns: secrets, certificateAuthorityArns: [], secretsKmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k" };
        const { component, resources } = await construct(streaming({ engine: "msk", msk: { ...msk, clientAuth } }, { network }));
        assert.deepStrictEqual(named(resources, types.mskCluster, "streaming-cluster").inputs.clientAuthentication, { sasl: { iam: true, scram: true }, unauthenticated: false });
        assert.deepStrictEqual(named(resources, "aws:msk/scramSecretAssociation:ScramSecretAssociation", "streaming-scram-secrets").inputs.secretArnLists, secrets);
        assert.deepStrictEqual(component.kafka?.clientAuth, clientAuth);
    });

    it("rejects SCRAM without secrets and mutual TLS without a private CA, naming the field and the fix", async () => {
        await assert.rejects(
            construct(streaming({ engine: "msk", msk: { ...msk, clientAuth: { modes: ["scram"], scramSecretArns: [], certificateAuthorityArns: [] } } }, { network })),
            /Streaming "streaming": streaming\.msk\.clientAuth: expected scramSecretArns and secretsKmsKeyArn with scram; found 0 secret\(s\) and no key\. Fix: pass the AmazonMSK_ secrets/,
        );
        await assert.rejects(
            construct(streaming({ engine: "msk", msk: { ...msk, clientAuth: { modes: ["iam", "tls"], scramSecretArns: [], certificateAuthorityArns: [] } } }, { network })),
            /streaming\.msk\.clientAuth\.certificateAuthorityArns: expected at least one private CA ARN with tls; found none/,
        );
    });

    it("rejects MSK without the network the brokers live in", async () => {
        await assert.rejects(
            construct(streaming({ engine: "msk", msk })),
            new Error(`Streaming "streaming": network: expected the VPC id and private subnet ids when engine is "msk" (the brokers live in the VPC); found none. Fix: pass network: { vpcId, privateSubnetIds }, or use engine "kinesis"`),
        );
    });

    it("rejects a provisioned stream without a shard count", async () => {
        await assert.rejects(
            construct(streaming({ engine: "kinesis", kinesis: { mode: "PROVISIONED", retentionHours: 24 } })),
            new Error(`Streaming "streaming": streaming.kinesis.shardCount: expected a shard count when mode is PROVISIONED; found none. Fix: set shardCount, or use mode ON_DEMAND`),
        );
    });

    it("rejects a shard count on an on-demand stream (the two options conflict)", async () => {
        await assert.rejects(
            construct(streaming({ engine: "kinesis", kinesis: { mode: "ON_DEMAND", shardCount: 2, retentionHours: 24 } })),
            new Error(`Streaming "streaming": streaming.kinesis.shardCount: expected no shard count when mode is ON_DEMAND (Kinesis sizes the stream); found 2. Fix: remove shardCount, or use mode PROVISIONED`),
        );
    });
});
