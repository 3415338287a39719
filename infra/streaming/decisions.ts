import { createHash } from "crypto";
import { DatasetDefinition } from "../../runtime/datasets";
import { MskConfig } from "../config";

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
