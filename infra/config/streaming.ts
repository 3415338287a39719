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
    { name: "topicPartitions", type: "integer", default: 6, example: "12", description: "Partitions of each dataset topic on MSK (1 to 1000)." },
];

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
}

/** Only the chosen engine's keys are judged; the other engine's keys keep their defaults unread. */
export function parseStreaming(reader: ConfigReader, environment: Environment, availabilityZones: number): StreamingConfig {
    const engine = reader.oneOf("streamingEngine", ["kinesis", "msk"] as const);
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
    return { kafkaVersion, brokerCount: brokers, instanceType, volumeGiB, maxVolumeGiB, topicPartitions };
}
