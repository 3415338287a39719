import { createHash } from "crypto";
import { DatasetDefinition } from "../../runtime/datasets";
import type * as pulumi from "@pulumi/pulumi";
import { MskClientAuthConfig, MskClientAuthMode, MskConfig, StreamingConfig } from "../config";
import { AlarmSpec, anyOccurrence } from "../observability/alarms";

/**
 * Broker settings of the MSK configuration. Durability first: no topic appears by accident, every
 * write is on three replicas and acknowledged by two before it counts, and a replica that fell
 * behind never becomes leader (which would lose acknowledged writes).
 */
export function mskServerProperties(brokerCount: number): Record<string, string> {
    const replication = Math.min(3, brokerCount);
    return {
        "auto.create.topics.enable": "false",
        "default.replication.factor": String(replication),
        "min.insync.replicas": String(Math.max(1, replication - 1)),
        "unclean.leader.election.enable": "false",
        "num.partitions": "6",
        "log.retention.hours": "168",
        "offsets.topic.replication.factor": String(replication),
        "transaction.state.log.replication.factor": String(replication),
        "transaction.state.log.min.isr": String(Math.max(1, replication - 1)),
    };
}

export function serverPropertiesText(properties: Record<string, string>): string {
    return Object.keys(properties)
        .sort()
        .map((key) => `${key}=${properties[key]}`)
        .join("\n");
}

/**
 * MSK configuration names are unique per account and a configuration cannot be renamed, so the
 * name carries a hash of its content: a change creates a new configuration before the old one is
 * deleted instead of failing on a name conflict.
 */
export function mskConfigurationName(prefix: string, msk: MskConfig): string {
    const hash = createHash("sha256").update(msk.kafkaVersion).update(serverPropertiesText(mskServerProperties(msk.brokerCount))).digest("hex").slice(0, 8);
    return `${prefix}-${hash}`;
}

/** Topic and stream name of a dataset: the schema version is part of it, so a breaking change gets a new topic. */
export function topicName(dataset: DatasetDefinition): string {
    return `${dataset.name}.v${dataset.version}`;
}

export function streamName(prefix: string, dataset: DatasetDefinition): string {
    return `${prefix}-${dataset.name}-v${dataset.version}`;
}

/** Per-topic overrides: a week of retention so a stalled consumer can catch up, compressed by the producer. */
export function topicConfigs(brokerCount: number): Record<string, string> {
    return {
        "cleanup.policy": "delete",
        "retention.ms": String(7 * 24 * 3600 * 1000),
        "min.insync.replicas": String(Math.max(1, Math.min(3, brokerCount) - 1)),
        "compression.type": "producer",
    };
}

/** MSK IAM client port: SASL/IAM over TLS. */
export const mskIamPort = 9098;

/** The broker port of each client authentication mode inside the VPC (all over TLS). */
export const mskClientPorts: Readonly<Record<MskClientAuthMode, number>> = { iam: mskIamPort, scram: 9096, tls: 9094 };

/** What each mode is called in descriptions and messages. */
export const mskClientAuthLabels: Readonly<Record<MskClientAuthMode, string>> = { iam: "SASL/IAM", scram: "SASL/SCRAM-SHA-512", tls: "mutual TLS" };

/**
 * The cluster's `clientAuthentication`: exactly the configured modes, unauthenticated access off.
 * An empty `tls` block is left out rather than sent with no authorities.
 */
export function mskClientAuthentication(auth: MskClientAuthConfig): { sasl: { iam: boolean; scram: boolean }; tls?: { certificateAuthorityArns: string[] }; unauthenticated: false } {
    return {
        sasl: { iam: auth.modes.includes("iam"), scram: auth.modes.includes("scram") },
        ...(auth.modes.includes("tls") ? { tls: { certificateAuthorityArns: [...auth.certificateAuthorityArns] } } : {}),
        unauthenticated: false,
    };
}

/**
 * How the ingest event source mappings authenticate (the first configured mode): nothing for IAM
 * (Lambda signs with the function's role), the first SCRAM secret, or the client certificate
 * secret. MSK brokers present certificates from Amazon's trust store, so no server root CA is needed.
 */
export function ingestSourceAccessConfigurations(auth: MskClientAuthConfig): { type: string; uri: string }[] {
    const mode = auth.modes[0];
    if (mode === "scram") {
        return [{ type: "SASL_SCRAM_512_AUTH", uri: auth.scramSecretArns[0] as string }];
    }
    if (mode === "tls") {
        return [{ type: "CLIENT_CERTIFICATE_TLS_AUTH", uri: auth.clientCertificateSecretArn as string }];
    }
    return [];
}

/**
 * Checks the plain streaming settings before anything is declared: a provisioned stream needs its
 * shard count and an on-demand one must not have one; MSK brokers need the VPC to live in.
 */
export function validateStreaming(componentName: string, streaming: StreamingConfig, hasNetwork: boolean): void {
    const where = `Streaming "${componentName}"`;
    if (streaming.engine === "kinesis") {
        const { mode, shardCount } = streaming.kinesis;
        if (mode === "PROVISIONED" && shardCount === undefined) {
            throw new Error(`${where}: streaming.kinesis.shardCount: expected a shard count when mode is PROVISIONED; found none. Fix: set shardCount, or use mode ON_DEMAND`);
        }
        if (mode === "ON_DEMAND" && shardCount !== undefined) {
            throw new Error(`${where}: streaming.kinesis.shardCount: expected no shard count when mode is ON_DEMAND (Kinesis sizes the stream); found ${shardCount}. Fix: remove shardCount, or use mode PROVISIONED`);
        }
    } else if (!hasNetwork) {
        throw new Error(`${where}: network: expected the VPC id and private subnet ids when engine is "msk" (the brokers live in the VPC); found none. Fix: pass network: { vpcId, privateSubnetIds }, or use engine "kinesis"`);
    } else {
        validateMskClientAuth(where, streaming.msk.clientAuth);
    }
}

/** The plain client-auth settings a component gets without the config parser (which reports the same with the config key). */
export function validateMskClientAuth(where: string, auth: MskClientAuthConfig): void {
    if (auth.modes.length === 0 || new Set(auth.modes).size !== auth.modes.length) {
        throw new Error(`${where}: streaming.msk.clientAuth.modes: expected one or more of iam, scram, tls, each once; found [${auth.modes.join(", ")}]. Fix: pass for example ["iam"]`);
    }
    if (auth.modes.includes("scram") && (auth.scramSecretArns.length === 0 || auth.secretsKmsKeyArn === undefined)) {
        throw new Error(`${where}: streaming.msk.clientAuth: expected scramSecretArns and secretsKmsKeyArn with scram; found ${auth.scramSecretArns.length} secret(s) and ${auth.secretsKmsKeyArn ? "a" : "no"} key. Fix: pass the AmazonMSK_ secrets and their customer-managed key`);
    }
    if (auth.modes.includes("tls") && auth.certificateAuthorityArns.length === 0) {
        throw new Error(`${where}: streaming.msk.clientAuth.certificateAuthorityArns: expected at least one private CA ARN with tls; found none. Fix: pass the AWS Private CA ARNs, or remove tls`);
    }
    if (auth.modes[0] === "tls" && (auth.clientCertificateSecretArn === undefined || auth.secretsKmsKeyArn === undefined)) {
        throw new Error(`${where}: streaming.msk.clientAuth.clientCertificateSecretArn: expected the ingest functions' client certificate secret and its key when tls comes first; found none. Fix: pass clientCertificateSecretArn and secretsKmsKeyArn, or put another mode first`);
    }
}

/** The alarm of one Kinesis stream: producers throttled. */
export function kinesisStreamAlarms(name: string, dataset: string, streamName: pulumi.Input<string>): AlarmSpec[] {
    return [
        {
            name: `${name}-${dataset}-write-throttled`,
            stage: "streaming",
            description: `Producers of ${dataset} are throttled by Kinesis. Check producer retries; in PROVISIONED mode add shards.`,
            namespace: "AWS/Kinesis",
            metricName: "WriteProvisionedThroughputExceeded",
            dimensions: { StreamName: streamName },
            statistic: "Sum",
            ...anyOccurrence,
            evaluationPeriods: 3,
        },
    ];
}

/** The MSK cluster's alarms: the controller, offline partitions, and each broker's disk and replication. */
export function mskAlarms(name: string, clusterName: string, brokerCount: number): AlarmSpec[] {
    const clusterDims = { "Cluster Name": clusterName };
    const kafka = { stage: "streaming", namespace: "AWS/Kafka" } as const;
    const specs: AlarmSpec[] = [
        {
            ...kafka,
            name: `${name}-active-controller`,
            description: "The MSK cluster has no active controller: partition leadership cannot change. Check broker health in the MSK console.",
            metricName: "ActiveControllerCount",
            dimensions: clusterDims,
            statistic: "Sum",
            comparisonOperator: "LessThanThreshold",
            threshold: 1,
            evaluationPeriods: 3,
            periodSeconds: 60,
            treatMissingData: "breaching",
        },
        {
            ...kafka,
            name: `${name}-offline-partitions`,
            description: "Partitions are offline: producers and the ingest functions cannot use them. Check broker health.",
            metricName: "OfflinePartitionsCount",
            dimensions: clusterDims,
            statistic: "Maximum",
            ...anyOccurrence,
            periodSeconds: 60,
        },
    ];
    for (let broker = 1; broker <= brokerCount; broker++) {
        const dimensions = { ...clusterDims, "Broker ID": String(broker) };
        specs.push(
            {
                ...kafka,
                name: `${name}-broker-${broker}-disk`,
                description: `Broker ${broker} data volume is over 80% full. Storage autoscaling should grow it; check mskMaxVolumeGiB.`,
                metricName: "KafkaDataLogsDiskUsed",
                dimensions,
                statistic: "Maximum",
                comparisonOperator: "GreaterThanThreshold",
                threshold: 80,
                evaluationPeriods: 2,
            },
            {
                ...kafka,
                name: `${name}-broker-${broker}-under-replicated`,
                description: `Broker ${broker} has under-replicated partitions: writes are at risk if another broker fails.`,
                metricName: "UnderReplicatedPartitions",
                dimensions,
                statistic: "Maximum",
                ...anyOccurrence,
                evaluationPeriods: 3,
                periodSeconds: 60,
            },
        );
    }
    return specs;
}
