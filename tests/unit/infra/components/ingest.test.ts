import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { orders } from "../../../../runtime/datasets/orders";
import { IngestConfig } from "../../../../infra/config";
import { Ingest, IngestArgs } from "../../../../infra/ingest";
import { PlatformContext } from "../../../../infra/shared/context";
import { bucket, construct, named, namesOf, types } from "./harness";

const settings: IngestConfig = {
    delivery: "lambda",
    memoryMb: 512,
    timeoutSeconds: 60,
    reservedConcurrency: 5,
    batchSize: 500,
    batchingWindowSeconds: 5,
    maxRetries: 3,
    maxRecordAgeSeconds: 3600,
    kinesisParallelization: 2,
    mskMaxPollers: 4,
};

const kinesisSource = { dataset: orders, sourceArn: pulumi.output("arn:aws:kinesis:us-east-1:123456789012:stream/platform-test-orders"), name: "platform-test-orders" };
const mskSource = { dataset: orders, sourceArn: pulumi.output("arn:aws:kafka:us-east-1:123456789012:cluster/platform-test/uuid"), name: "orders" };
const kafka = { clientSecurityGroupId: pulumi.output("sg-clients"), clientSubnetIds: ["subnet-a", "subnet-b"] };

function ingest(streaming: IngestArgs["streaming"]) {
    return (context: PlatformContext) => new Ingest("ingest", { context, streaming, ingest: settings, rawBucket: bucket("raw"), rejectsBucket: bucket("rejects") });
}

const alarmSuffixes = ["errors", "failed-batches", "lag", "lake-key-conflicts", "lake-writes", "rejects-rate", "throttles"];

describe("Ingest, constructed alone", () => {
    it("on Kinesis, runs outside the VPC and reports failed records of each batch (bisecting on crashes)", async () => {
        const { resources } = await construct(ingest({ engine: "kinesis", sources: [kinesisSource] }));
        const fn = named(resources, types.function, "ingest-orders");
        assert.strictEqual(fn.inputs.vpcConfig, undefined);
        assert.deepStrictEqual([fn.inputs.name, fn.inputs.memorySize, fn.inputs.reservedConcurrentExecutions, fn.inputs.kmsKeyArn], ["platform-test-ingest-orders", 512, 5, "arn:aws:kms:us-east-1:123456789012:key/streaming"]);
        const mapping = named(resources, types.mapping, "ingest-orders-source");
        assert.deepStrictEqual([mapping.inputs.bisectBatchOnFunctionError, mapping.inputs.functionResponseTypes, mapping.inputs.parallelizationFactor, mapping.inputs.topics], [true, ["ReportBatchItemFailures"], 2, undefined]);
        assert.strictEqual(named(resources, types.alarm, "ingest-orders-lag").inputs.metricName, "IteratorAge");
    });

    it("on MSK, joins the Kafka client group in the brokers' subnets and consumes its topic as its own group, without bisecting", async () => {
        const { resources } = await construct(ingest({ engine: "msk", sources: [mskSource], kafka }));
        const fn = named(resources, types.function, "ingest-orders");
        assert.deepStrictEqual(fn.inputs.vpcConfig, { subnetIds: ["subnet-a", "subnet-b"], securityGroupIds: ["sg-clients"] });
        const mapping = named(resources, types.mapping, "ingest-orders-source");
        assert.deepStrictEqual(
            [mapping.inputs.bisectBatchOnFunctionError, mapping.inputs.topics, mapping.inputs.amazonManagedKafkaEventSourceConfig, mapping.inputs.provisionedPollerConfig],
            [false, ["orders"], { consumerGroupId: "platform-test-ingest-orders" }, { minimumPollers: 1, maximumPollers: 4 }],
        );
        assert.strictEqual(named(resources, types.alarm, "ingest-orders-lag").inputs.metricName, "OffsetLag");
    });

    it("on MSK with SASL/SCRAM first, points the mapping at the first AmazonMSK_ secret; with mutual TLS first, at the client certificate", async () => {
        const keyArn = "arn:aws:kms:us-east-1:123456789012:key/secrets";
        const scramArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_ingest-AbCdEf";
        const certArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:kafka-client-cert-AbCdEf";
        const scram = { modes: ["scram", "iam"] as const, scramSecretArns: [scramArn], certificateAuthorityArns: [], secretsKmsKeyArn: keyArn };
        const tls = { modes: ["tls"] as const, scramSecretArns: [], certificateAuthorityArns: ["arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/x"], clientCertificateSecretArn: certArn, secretsKmsKeyArn: keyArn };
        for (const [clientAuth, expected] of [
            [scram, { type: "SASL_SCRAM_512_AUTH", uri: scramArn }],
            [tls, { type: "CLIENT_CERTIFICATE_TLS_AUTH", uri: certArn }],
        ] as const) {
            const { resources } = await construct(ingest({ engine: "msk", sources: [mskSource], kafka: { ...kafka, clientAuth } }));
            assert.deepStrictEqual(named(resources, types.mapping, "ingest-orders-source").inputs.sourceAccessConfigurations, [expected]);
        }
    });

    it("declares every alarm of a dataset's function from its specs, each notifying the alarm topic", async () => {
        const { component, resources } = await construct(ingest({ engine: "kinesis", sources: [kinesisSource] }));
        assert.deepStrictEqual(namesOf(resources, types.alarm), alarmSuffixes.map((s) => `ingest-orders-${s}`));
        assert.deepStrictEqual(component.alarms.map((a) => a.name).sort(), alarmSuffixes.map((s) => `ingest-orders-${s}`));
        const topic = named(resources, "aws:sns/topic:Topic", "observability-alarms");
        for (const alarm of resources.filter((r) => r.type === types.alarm)) {
            assert.strictEqual(alarm.parentUrn, resources.find((r) => r.type === "platform:ingest:Ingest")!.urn, `${alarm.name} is a child of the component`);
            assert.deepStrictEqual(alarm.inputs.alarmActions, [`arn:aws:sns:us-east-1:123456789012:topic/${topic.inputs.name}`]);
        }
    });

    it("rejects MSK without the Kafka connection, naming the field and the fix", async () => {
        await assert.rejects(
            construct(ingest({ engine: "msk", sources: [mskSource] })),
            new Error(`Ingest "ingest": streaming.kafka: expected the MSK connection (client security group and subnets) when engine is "msk"; found none. Fix: pass the Streaming component, or its kafka connection`),
        );
    });

    it("rejects a Kafka connection given with Kinesis", async () => {
        await assert.rejects(
            construct(ingest({ engine: "kinesis", sources: [kinesisSource], kafka })),
            new Error(`Ingest "ingest": streaming.kafka: expected no Kafka connection when engine is "kinesis"; found one. Fix: remove kafka, or set engine "msk"`),
        );
    });
});
