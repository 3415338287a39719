import * as assert from "assert";
import { ConfigReader } from "../../../infra/config/reader";
import { parseStreaming, streamingKeys } from "../../../infra/config/streaming";
import { parseClean, readArea, rejectsEach } from "./helpers";

const dev = (reader: ConfigReader) => parseStreaming(reader, "dev", 3);
const prod = (reader: ConfigReader) => parseStreaming(reader, "prod", 3);
const msk = { streamingEngine: "msk" };
const prodMsk = { ...msk, mskInstanceType: "kafka.m7g.large" };
const scramArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_platform-dev-ingest-AbCdEf";
const pcaArn = "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/1f2e3d4c-5b6a-7980-1a2b-3c4d5e6f7a8b";
const keyArn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const certArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:platform-dev/kafka-client-cert-AbCdEf";

describe("config area: streaming", () => {
    it("defaults to Kinesis on demand with 24 hours of retention and no shard count", () => {
        assert.deepStrictEqual(parseClean(streamingKeys, dev), { engine: "kinesis", kinesis: { mode: "ON_DEMAND", retentionHours: 24 } });
    });

    it("takes the shard count in PROVISIONED mode", () => {
        assert.deepStrictEqual(parseClean(streamingKeys, dev, { kinesisMode: "PROVISIONED", kinesisShardCount: "2", kinesisRetentionHours: "168" }), {
            engine: "kinesis",
            kinesis: { mode: "PROVISIONED", retentionHours: 168, shardCount: 2 },
        });
    });

    it("defaults MSK to three brokers of kafka.m7g.large with autoscaled storage", () => {
        assert.deepStrictEqual(parseClean(streamingKeys, dev, msk), {
            engine: "msk",
            msk: { kafkaVersion: "3.9.x", brokerCount: 3, instanceType: "kafka.m7g.large", volumeGiB: 100, maxVolumeGiB: 500, topicPartitions: 6, clientAuth: { modes: ["iam"], scramSecretArns: [], certificateAuthorityArns: [] }, enhancedMonitoring: "DEFAULT" },
        });
    });

    it("takes SCRAM first with its AmazonMSK_ secrets and key, IAM and mutual TLS with its private CA beside it", () => {
        const parsed = parseClean(streamingKeys, dev, { ...msk, mskClientAuth: '["scram","iam","tls"]', mskScramSecretArns: JSON.stringify([scramArn]), mskCertificateAuthorityArns: JSON.stringify([pcaArn]), mskClientSecretsKmsKeyArn: keyArn });
        assert.deepStrictEqual(parsed.engine === "msk" && parsed.msk.clientAuth, { modes: ["scram", "iam", "tls"], scramSecretArns: [scramArn], certificateAuthorityArns: [pcaArn], secretsKmsKeyArn: keyArn });
    });

    it("takes mutual TLS first with the ingest functions' client certificate secret", () => {
        const parsed = parseClean(streamingKeys, dev, { ...msk, mskClientAuth: '["tls"]', mskCertificateAuthorityArns: JSON.stringify([pcaArn]), mskClientCertificateSecretArn: certArn, mskClientSecretsKmsKeyArn: keyArn });
        assert.deepStrictEqual(parsed.engine === "msk" && parsed.msk.clientAuth, { modes: ["tls"], scramSecretArns: [], certificateAuthorityArns: [pcaArn], clientCertificateSecretArn: certArn, secretsKmsKeyArn: keyArn });
    });

    it("spreads MSK brokers over at least one AZ when the network's AZ count is 0, which the network reports itself", () => {
        assert.strictEqual(parseClean(streamingKeys, (reader) => parseStreaming(reader, "dev", 0), msk).engine, "msk");
    });

    it("does not judge the other engine's keys", () => {
        parseClean(streamingKeys, dev, { mskBrokerCount: "7", mskInstanceType: "kafka.m9.huge" });
        parseClean(streamingKeys, dev, { ...msk, kinesisShardCount: "5", kinesisMode: "PROVISIONED" });
    });

    rejectsEach(streamingKeys, dev, [
        {
            title: "an unknown client authentication mode",
            values: { ...msk, mskClientAuth: '["iam","sasl_plain"]' },
            problem: { key: "platform:mskClientAuth", expected: "one or more of iam, scram, tls, each once", found: '["iam","sasl_plain"]', fix: `pulumi config set platform:mskClientAuth '["iam"]'` },
        },
        {
            title: "no client authentication at all",
            values: { ...msk, mskClientAuth: "[]" },
            problem: { key: "platform:mskClientAuth", expected: "one or more of iam, scram, tls, each once", found: "[]", fix: `pulumi config set platform:mskClientAuth '["iam"]'` },
        },
        {
            title: "scram without secrets",
            values: { ...msk, mskClientAuth: '["scram"]', mskClientSecretsKmsKeyArn: keyArn },
            problem: {
                key: "platform:mskScramSecretArns",
                expected: "at least one Secrets Manager secret ARN when mskClientAuth includes scram",
                found: "[]",
                fix: `pulumi config set platform:mskScramSecretArns '["arn:aws:secretsmanager:<region>:<account>:secret:AmazonMSK_<name>"]'`,
            },
        },
        {
            title: "a SCRAM secret without the AmazonMSK_ prefix",
            values: { ...msk, mskClientAuth: '["scram"]', mskScramSecretArns: '["arn:aws:secretsmanager:us-east-1:123456789012:secret:kafka-users-AbCdEf"]', mskClientSecretsKmsKeyArn: keyArn },
            problem: {
                key: "platform:mskScramSecretArns",
                expected: "Secrets Manager secret ARNs whose names start with AmazonMSK_ (MSK associates no other secrets)",
                found: '"arn:aws:secretsmanager:us-east-1:123456789012:secret:kafka-users-AbCdEf"',
                fix: "create the secret as AmazonMSK_<name> with the key of mskClientSecretsKmsKeyArn, then list its ARN",
            },
        },
        {
            title: "scram without the secrets' customer-managed key",
            values: { ...msk, mskClientAuth: '["scram"]', mskScramSecretArns: JSON.stringify([scramArn]) },
            problem: {
                key: "platform:mskClientSecretsKmsKeyArn",
                expected: "the ARN of the customer-managed KMS key (arn:aws:kms:<region>:<account>:key/<id>) that encrypts the SCRAM or client-certificate secrets; MSK refuses the default aws/secretsmanager key",
                found: '""',
                fix: "pulumi config set platform:mskClientSecretsKmsKeyArn arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            },
        },
        {
            title: "tls without a certificate authority",
            values: { ...msk, mskClientAuth: '["iam","tls"]' },
            problem: {
                key: "platform:mskCertificateAuthorityArns",
                expected: "at least one AWS Private CA ARN when mskClientAuth includes tls (the CAs whose client certificates the cluster accepts)",
                found: "[]",
                fix: `pulumi config set platform:mskCertificateAuthorityArns '["arn:aws:acm-pca:<region>:<account>:certificate-authority/<id>"]'`,
            },
        },
        {
            title: "tls first without the ingest functions' client certificate",
            values: { ...msk, mskClientAuth: '["tls"]', mskCertificateAuthorityArns: JSON.stringify([pcaArn]), mskClientSecretsKmsKeyArn: keyArn },
            problem: {
                key: "platform:mskClientCertificateSecretArn",
                expected: "the Secrets Manager secret ARN of the ingest functions' client certificate when tls is the first mskClientAuth mode",
                found: '""',
                fix: "pulumi config set platform:mskClientCertificateSecretArn arn:aws:secretsmanager:us-east-1:123456789012:secret:platform-prod/kafka-client-cert-AbCdEf",
            },
        },
        {
            title: "SCRAM secrets left over without scram",
            values: { ...msk, mskScramSecretArns: JSON.stringify([scramArn]) },
            problem: { key: "platform:mskScramSecretArns", expected: "no SCRAM secrets unless mskClientAuth includes scram", found: JSON.stringify([scramArn]), fix: "pulumi config rm platform:mskScramSecretArns, or add scram to platform:mskClientAuth" },
        },
        {
            title: "scram on a Kinesis stack",
            values: { mskClientAuth: '["scram"]' },
            problem: {
                key: "platform:mskClientAuth",
                expected: "no MSK client authentication settings on a Kinesis stack (Kinesis authenticates with IAM only)",
                found: '["scram"]',
                fix: "pulumi config rm platform:mskClientAuth, or pulumi config set platform:streamingEngine msk",
            },
        },
        { title: "an unknown streaming engine", values: { streamingEngine: "pulsar" }, problem: { key: "platform:streamingEngine", expected: "one of kinesis, msk", found: '"pulsar"', fix: "pulumi config set platform:streamingEngine kinesis" } },
        { title: "an unknown Kinesis mode", values: { kinesisMode: "SERVERLESS" }, problem: { key: "platform:kinesisMode", expected: "one of ON_DEMAND, PROVISIONED", found: '"SERVERLESS"', fix: "pulumi config set platform:kinesisMode ON_DEMAND" } },
        { title: "a Kinesis shard count in ON_DEMAND mode", values: { kinesisShardCount: "4" }, problem: { key: "platform:kinesisShardCount", expected: "0 (unset) in ON_DEMAND mode, where Kinesis scales shards itself", found: "4", fix: "pulumi config rm platform:kinesisShardCount, or pulumi config set platform:kinesisMode PROVISIONED" } },
        { title: "PROVISIONED Kinesis without shards", values: { kinesisMode: "PROVISIONED" }, problem: { key: "platform:kinesisShardCount", expected: "an integer from 1 to 4 in PROVISIONED mode (dev)", found: "0", fix: "pulumi config set platform:kinesisShardCount 2" } },
        { title: "PROVISIONED Kinesis above the dev shard cap", values: { kinesisMode: "PROVISIONED", kinesisShardCount: "5" }, problem: { key: "platform:kinesisShardCount", expected: "an integer from 1 to 4 in PROVISIONED mode (dev)", found: "5", fix: "pulumi config set platform:kinesisShardCount 2" } },
        { title: "Kinesis retention under a day", values: { kinesisRetentionHours: "12" }, problem: { key: "platform:kinesisRetentionHours", expected: "an integer from 24 to 8760", found: "12", fix: "pulumi config set platform:kinesisRetentionHours 168" } },
        { title: "MSK brokers not a multiple of the AZs", values: { ...msk, mskBrokerCount: "2" }, problem: { key: "platform:mskBrokerCount", expected: "a positive multiple of availabilityZones (3) so brokers spread evenly", found: "2", fix: "pulumi config set platform:mskBrokerCount 3" } },
        { title: "MSK brokers above the dev cap", values: { ...msk, mskBrokerCount: "6" }, problem: { key: "platform:mskBrokerCount", expected: "at most 3 in dev", found: "6", fix: "pulumi config set platform:mskBrokerCount 3" } },
        { title: "an MSK instance type not allowed in dev", values: { ...msk, mskInstanceType: "kafka.m7g.4xlarge" }, problem: { key: "platform:mskInstanceType", expected: "a type allowed in dev: kafka.t3.small, kafka.m7g.large, kafka.m5.large", found: '"kafka.m7g.4xlarge"', fix: "pulumi config set platform:mskInstanceType kafka.t3.small" } },
        { title: "an MSK storage ceiling below the initial volume", values: { ...msk, mskVolumeGiB: "600" }, problem: { key: "platform:mskMaxVolumeGiB", expected: "at least mskVolumeGiB (600)", found: "500", fix: "pulumi config set platform:mskMaxVolumeGiB 2000" } },
        { title: "an MSK volume of 0 GiB", values: { ...msk, mskVolumeGiB: "0" }, problem: { key: "platform:mskVolumeGiB", expected: "an integer from 1 to 16384", found: "0", fix: "pulumi config set platform:mskVolumeGiB 500" } },
        { title: "a malformed Kafka version", values: { ...msk, mskKafkaVersion: "latest" }, problem: { key: "platform:mskKafkaVersion", expected: "an MSK Kafka version such as 3.9.x or 3.6.0", found: '"latest"', fix: "pulumi config set platform:mskKafkaVersion 3.9.x" } },
        { title: "topics with no partitions", values: { ...msk, topicPartitions: "0" }, problem: { key: "platform:topicPartitions", expected: "an integer from 1 to 1000", found: "0", fix: "pulumi config set platform:topicPartitions 12" } },
    ]);

    it("suggests the nearest even spread when MSK brokers do not divide over two AZs", () => {
        const reader = readArea(streamingKeys, { ...msk, mskBrokerCount: "3" });
        parseStreaming(reader, "dev", 2);
        assert.deepStrictEqual(reader.problems.map((p) => [p.expected, p.fix]), [["a positive multiple of availabilityZones (2) so brokers spread evenly", "pulumi config set platform:mskBrokerCount 4"]]);
    });

    rejectsEach(streamingKeys, prod, [
        { title: "an unknown MSK instance type", values: { ...prodMsk, mskInstanceType: "kafka.m9.huge" }, problem: { key: "platform:mskInstanceType", expected: "a known type: kafka.t3.small, kafka.m5.large, kafka.m5.xlarge, kafka.m5.2xlarge, kafka.m5.4xlarge, kafka.m7g.large, kafka.m7g.xlarge, kafka.m7g.2xlarge, kafka.m7g.4xlarge", found: '"kafka.m9.huge"', fix: "pulumi config set platform:mskInstanceType kafka.m5.large" } },
    ]);

    it("reports prod MSK with fewer than 3 brokers on one AZ as a prod problem", () => {
        const reader = readArea(streamingKeys, { ...msk, mskBrokerCount: "2" });
        parseStreaming(reader, "prod", 1);
        assert.deepStrictEqual(reader.problems, [{ key: "platform:mskBrokerCount", expected: "at least 3 in prod (replication factor 3 with min.insync.replicas 2)", found: "2", fix: "pulumi config set platform:mskBrokerCount 3" }]);
    });
});

