/** Streaming config: Kinesis Data Streams or Amazon MSK, and each engine's capacity. */
import { capacityLimits, Environment, mskInstanceTypes } from "./catalog";
import { ConfigKey, ConfigReader } from "./reader";

export const streamingKeys: readonly ConfigKey[] = [
    { name: "streamingEngine", type: "string", default: "kinesis", example: "msk", description: "Streaming engine: kinesis (Kinesis Data Streams) or msk (Amazon MSK provisioned, IAM auth, TLS)." },
    { name: "kinesisMode", type: "string", default: "ON_DEMAND", example: "PROVISIONED", description: "Kinesis capacity mode: ON_DEMAND or PROVISIONED." },
    { name: "kinesisShardCount", type: "integer", default: 0, example: "2", description: "Shards per stream in PROVISIONED mode (1 to 64). Must stay 0 in ON_DEMAND mode." },
    { name: "kinesisRetentionHours", type: "integer", default: 24, example: "168", description: "Kinesis retention in hours, 24 to 8760." },
    { name: "mskKafkaVersion", type: "string", default: "3.9.x", example: "3.9.x", description: "Kafka version of the MSK cluster." },
    { name: "mskBrokerCount", type: "integer", default: 3, example: "3", description: "MSK broker count: a multiple of availabilityZones, at least 3 in prod." },
    { name: "mskInstanceType", type: "string", default: "kafka.m7g.large", example: "kafka.m7g.large", description: "MSK broker instance type; each environment allows a list (see the README)." },
    { name: "mskVolumeGiB", type: "integer", default: 100, example: "500", description: "Initial EBS volume per broker in GiB (1 to 16384)." },
    { name: "mskMaxVolumeGiB", type: "integer", default: 500, example: "2000", description: "Upper bound for EBS storage autoscaling per broker in GiB; at least mskVolumeGiB." },
    {
        name: "mskEnhancedMonitoring",
        type: "string",
        default: "DEFAULT",
        example: "PER_TOPIC_PER_BROKER",
        description: "MSK monitoring level: DEFAULT (free; every metric the platform's alarms and dashboard use), PER_BROKER, PER_TOPIC_PER_BROKER or PER_TOPIC_PER_PARTITION (billed as CloudWatch custom metrics).",
    },
    { name: "topicPartitions", type: "integer", default: 6, example: "12", description: "Partitions of each dataset topic on MSK (1 to 1000)." },
    {
        name: "mskClientAuth",
        type: "array",
        default: ["iam"],
        example: '["scram","iam"]',
        description:
            "MSK client authentication modes, each once: iam (SASL/IAM), scram (SASL/SCRAM-SHA-512 with AmazonMSK_ secrets), tls (mutual TLS with a private CA). The cluster enables exactly these, unauthenticated access stays off; the first is the one the ingest event source mappings use. MSK stacks only.",
    },
    { name: "mskScramSecretArns", type: "array", default: [], example: '["arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_platform-prod-ingest-AbCdEf"]', description: "With scram: the Secrets Manager secrets (names starting AmazonMSK_, JSON username and password, encrypted with mskClientSecretsKmsKeyArn) associated with the cluster; the first is the ingest functions' user." },
    { name: "mskCertificateAuthorityArns", type: "array", default: [], example: '["arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/1f2e3d4c-5b6a-7980-1a2b-3c4d5e6f7a8b"]', description: "With tls: the AWS Private CA certificate authorities whose client certificates the cluster accepts." },
    { name: "mskClientCertificateSecretArn", type: "string", default: "", example: "arn:aws:secretsmanager:us-east-1:123456789012:secret:platform-prod/kafka-client-cert-AbCdEf", description: "When tls is the first mode: the secret with the ingest functions' client certificate chain and PKCS#8 private key (certificate, privateKey), issued by one of mskCertificateAuthorityArns." },
    { name: "mskClientSecretsKmsKeyArn", type: "string", default: "", example: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", description: "With scram or a client-certificate secret: the customer-managed KMS key that encrypts those secrets (MSK refuses secrets under the default aws/secretsmanager key); the ingest roles may decrypt with it through Secrets Manager only." },
];

export const mskClientAuthModes = ["iam", "scram", "tls"] as const;
export type MskClientAuthMode = (typeof mskClientAuthModes)[number];

/** How clients authenticate to the MSK cluster (`mskClientAuth` and the keys each mode needs). */
export interface MskClientAuthConfig {
    /** The enabled modes, each once; the first is the ingest event source mappings'. */
    readonly modes: readonly MskClientAuthMode[];
    /** scram only: the AmazonMSK_ secrets associated with the cluster. */
    readonly scramSecretArns: readonly string[];
    /** tls only: the private CAs the cluster trusts. */
    readonly certificateAuthorityArns: readonly string[];
    /** When tls is the first mode: the ingest functions' client certificate secret. */
    readonly clientCertificateSecretArn?: string;
    /** The customer-managed key of the SCRAM and client-certificate secrets. */
    readonly secretsKmsKeyArn?: string;
}

export type StreamingConfig =
    | { readonly engine: "kinesis"; readonly kinesis: KinesisConfig }
    | { readonly engine: "msk"; readonly msk: MskConfig };

export interface KinesisConfig {
    readonly mode: "ON_DEMAND" | "PROVISIONED";
    /** Only set in PROVISIONED mode. */
    readonly shardCount?: number;
    readonly retentionHours: number;
}

export interface MskConfig {
    readonly kafkaVersion: string;
    readonly brokerCount: number;
    readonly instanceType: string;
    readonly volumeGiB: number;
    readonly maxVolumeGiB: number;
    readonly topicPartitions: number;
    readonly clientAuth: MskClientAuthConfig;
    /** The cluster's monitoring level; above DEFAULT, CloudWatch bills each metric. */
    readonly enhancedMonitoring: MskMonitoringLevel;
}

export const mskMonitoringLevels = ["DEFAULT", "PER_BROKER", "PER_TOPIC_PER_BROKER", "PER_TOPIC_PER_PARTITION"] as const;
export type MskMonitoringLevel = (typeof mskMonitoringLevels)[number];

const mskOnlyAuthKeys = ["mskClientAuth", "mskScramSecretArns", "mskCertificateAuthorityArns", "mskClientCertificateSecretArn", "mskClientSecretsKmsKeyArn"] as const;

/** Only the chosen engine's keys are judged; the other engine's keys keep their defaults unread. */
export function parseStreaming(reader: ConfigReader, environment: Environment, availabilityZones: number): StreamingConfig {
    const engine = reader.oneOf("streamingEngine", ["kinesis", "msk"] as const);
    if (engine === "kinesis") {
        for (const name of mskOnlyAuthKeys.filter((key) => reader.isSet(key))) {
            reader.fail(name, "no MSK client authentication settings on a Kinesis stack (Kinesis authenticates with IAM only)", reader.key(name).type === "array" ? reader.list(name) : reader.str(name), `pulumi config rm platform:${name}, or pulumi config set platform:streamingEngine msk`);
        }
    }
    return engine === "kinesis" ? { engine, kinesis: parseKinesis(reader, environment) } : { engine, msk: parseMsk(reader, environment, availabilityZones) };
}

function parseKinesis(reader: ConfigReader, environment: Environment): KinesisConfig {
    const limits = capacityLimits[environment];
    const mode = reader.oneOf("kinesisMode", ["ON_DEMAND", "PROVISIONED"] as const);
    const shards = reader.int("kinesisShardCount");
    if (mode === "ON_DEMAND" && shards !== 0) {
        reader.fail("kinesisShardCount", "0 (unset) in ON_DEMAND mode, where Kinesis scales shards itself", shards, "pulumi config rm platform:kinesisShardCount, or pulumi config set platform:kinesisMode PROVISIONED");
    }
    if (mode === "PROVISIONED" && (shards < 1 || shards > limits.kinesisShards)) {
        reader.fail("kinesisShardCount", `an integer from 1 to ${limits.kinesisShards} in PROVISIONED mode (${environment})`, shards, "pulumi config set platform:kinesisShardCount 2");
    }
    const retentionHours = reader.range("kinesisRetentionHours", 24, 8760);
    return { mode, retentionHours, ...(mode === "PROVISIONED" ? { shardCount: shards } : {}) };
}

function parseMsk(reader: ConfigReader, environment: Environment, availabilityZones: number): MskConfig {
    // Guards against a zero AZ count, which the network area reports on its own.
    const zones = Math.max(availabilityZones, 1);
    const brokers = reader.int("mskBrokerCount");
    if (brokers < 1 || brokers % zones !== 0) {
        reader.fail("mskBrokerCount", `a positive multiple of availabilityZones (${availabilityZones}) so brokers spread evenly`, brokers, `pulumi config set platform:mskBrokerCount ${zones * Math.max(1, Math.round(brokers / zones))}`);
    }
    if (environment === "prod" && brokers < 3) {
        reader.fail("mskBrokerCount", "at least 3 in prod (replication factor 3 with min.insync.replicas 2)", brokers, "pulumi config set platform:mskBrokerCount 3");
    }
    reader.withinCapacity("mskBrokerCount", brokers, "mskBrokers", environment);
    const instanceType = reader.catalogueType("mskInstanceType", mskInstanceTypes, environment);
    const volumeGiB = reader.range("mskVolumeGiB", 1, 16384);
    const maxVolumeGiB = reader.range("mskMaxVolumeGiB", 1, 16384);
    if (maxVolumeGiB < volumeGiB) {
        reader.fail("mskMaxVolumeGiB", `at least mskVolumeGiB (${volumeGiB})`, maxVolumeGiB);
    }
    const kafkaVersion = reader.str("mskKafkaVersion");
    if (!/^\d+\.\d+(\.\d+|\.x)$/.test(kafkaVersion)) {
        reader.fail("mskKafkaVersion", "an MSK Kafka version such as 3.9.x or 3.6.0", kafkaVersion);
    }
    const topicPartitions = reader.range("topicPartitions", 1, 1000);
    const enhancedMonitoring = reader.oneOf("mskEnhancedMonitoring", mskMonitoringLevels);
    return { kafkaVersion, brokerCount: brokers, instanceType, volumeGiB, maxVolumeGiB, topicPartitions, clientAuth: parseMskClientAuth(reader), enhancedMonitoring };
}

const secretArnPattern = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:([A-Za-z0-9/_+=.@-]+)$/;
const privateCaArnPattern = /^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority\/[0-9a-f-]{36}$/;
const kmsKeyArnPattern = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/;

/**
 * `mskClientAuth` and what each mode needs: SCRAM secrets named AmazonMSK_ (MSK only associates
 * those) and the customer-managed key that encrypts them, the private CAs for mutual TLS, and the
 * client certificate secret when the ingest functions themselves use TLS. A key set for a mode
 * that is not chosen is refused too, so nothing is configured that does not take effect.
 */
function parseMskClientAuth(reader: ConfigReader): MskClientAuthConfig {
    const requested = reader.list("mskClientAuth");
    const unknown = requested.filter((mode) => !(mskClientAuthModes as readonly string[]).includes(mode));
    if (unknown.length > 0 || requested.length === 0 || new Set(requested).size !== requested.length) {
        reader.fail("mskClientAuth", `one or more of ${mskClientAuthModes.join(", ")}, each once`, requested, `pulumi config set platform:mskClientAuth '["iam"]'`);
    }
    const modes = requested.filter((mode, i): mode is MskClientAuthMode => (mskClientAuthModes as readonly string[]).includes(mode) && requested.indexOf(mode) === i);

    const scramSecretArns = reader.list("mskScramSecretArns");
    if (modes.includes("scram")) {
        if (scramSecretArns.length === 0) {
            reader.fail("mskScramSecretArns", "at least one Secrets Manager secret ARN when mskClientAuth includes scram", scramSecretArns, `pulumi config set platform:mskScramSecretArns '["arn:aws:secretsmanager:<region>:<account>:secret:AmazonMSK_<name>"]'`);
        }
        for (const arn of scramSecretArns) {
            const name = secretArnPattern.exec(arn)?.[1];
            if (name === undefined || !name.startsWith("AmazonMSK_")) {
                reader.fail(
                    "mskScramSecretArns",
                    "Secrets Manager secret ARNs whose names start with AmazonMSK_ (MSK associates no other secrets)",
                    arn,
                    "create the secret as AmazonMSK_<name> with the key of mskClientSecretsKmsKeyArn, then list its ARN",
                );
            }
        }
    } else if (scramSecretArns.length > 0) {
        reader.fail("mskScramSecretArns", "no SCRAM secrets unless mskClientAuth includes scram", scramSecretArns, "pulumi config rm platform:mskScramSecretArns, or add scram to platform:mskClientAuth");
    }

    const certificateAuthorityArns = reader.list("mskCertificateAuthorityArns");
    if (modes.includes("tls")) {
        if (certificateAuthorityArns.length === 0) {
            reader.fail("mskCertificateAuthorityArns", "at least one AWS Private CA ARN when mskClientAuth includes tls (the CAs whose client certificates the cluster accepts)", certificateAuthorityArns, `pulumi config set platform:mskCertificateAuthorityArns '["arn:aws:acm-pca:<region>:<account>:certificate-authority/<id>"]'`);
        }
        for (const arn of certificateAuthorityArns.filter((a) => !privateCaArnPattern.test(a))) {
            reader.fail("mskCertificateAuthorityArns", "AWS Private CA ARNs (arn:aws:acm-pca:<region>:<account>:certificate-authority/<id>)", arn);
        }
    } else if (certificateAuthorityArns.length > 0) {
        reader.fail("mskCertificateAuthorityArns", "no certificate authorities unless mskClientAuth includes tls", certificateAuthorityArns, "pulumi config rm platform:mskCertificateAuthorityArns, or add tls to platform:mskClientAuth");
    }

    const clientCertificateSecretArn = reader.str("mskClientCertificateSecretArn");
    if (modes[0] === "tls") {
        if (!secretArnPattern.test(clientCertificateSecretArn)) {
            reader.fail("mskClientCertificateSecretArn", "the Secrets Manager secret ARN of the ingest functions' client certificate when tls is the first mskClientAuth mode", clientCertificateSecretArn);
        }
    } else if (clientCertificateSecretArn !== "") {
        reader.fail("mskClientCertificateSecretArn", "no client certificate secret unless tls is the first mskClientAuth mode (the one the ingest functions use)", clientCertificateSecretArn, "pulumi config rm platform:mskClientCertificateSecretArn, or put tls first in platform:mskClientAuth");
    }

    const secretsKmsKeyArn = reader.str("mskClientSecretsKmsKeyArn");
    const needsKey = modes.includes("scram") || modes[0] === "tls";
    if (needsKey && !kmsKeyArnPattern.test(secretsKmsKeyArn)) {
        reader.fail("mskClientSecretsKmsKeyArn", "the ARN of the customer-managed KMS key (arn:aws:kms:<region>:<account>:key/<id>) that encrypts the SCRAM or client-certificate secrets; MSK refuses the default aws/secretsmanager key", secretsKmsKeyArn);
    } else if (!needsKey && secretsKmsKeyArn !== "") {
        reader.fail("mskClientSecretsKmsKeyArn", "no key unless mskClientAuth includes scram or starts with tls", secretsKmsKeyArn, "pulumi config rm platform:mskClientSecretsKmsKeyArn");
    }
    return {
        modes: modes.length > 0 ? modes : ["iam"],
        scramSecretArns: modes.includes("scram") ? scramSecretArns : [],
        certificateAuthorityArns: modes.includes("tls") ? certificateAuthorityArns : [],
        ...(modes[0] === "tls" && clientCertificateSecretArn !== "" ? { clientCertificateSecretArn } : {}),
        ...(needsKey && secretsKmsKeyArn !== "" ? { secretsKmsKeyArn } : {}),
    };
}
