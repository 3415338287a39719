import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { policyConfig } from "./lib/config";
import { checkov } from "./lib/metadata";
import { collectStrings, identifiers, label, ofType, prop, referencedBy } from "./lib/stack";
import { asList, isCustomerManagedKey, isKnown, parseJsonInput, probe, show } from "./lib/values";

/** @severity critical */
export const mskClusterEncryptionInTransit: ResourceValidationPolicy = {
    name: "msk-cluster-encryption-in-transit",
    description: "Checks whether MSK clusters accept client traffic over TLS only and encrypt traffic between brokers.",
    enforcementLevel: "advisory",
    severity: "critical",
    framework: checkov(["CKV_AWS_81"], "Ensure MSK Cluster encryption in rest and transit is enabled."),
    tags: ["security", "encryption", "msk"],
    remediationSteps: "Set encryptionInfo.encryptionInTransit.clientBroker to TLS (not TLS_PLAINTEXT or PLAINTEXT) and inCluster to true.",
    validateResource: validateResourceOfType(aws.msk.Cluster, (cluster, _args, reportViolation) => {
        const transit = cluster.encryptionInfo?.encryptionInTransit;
        if (transit?.clientBroker !== undefined && transit.clientBroker !== "TLS") {
            reportViolation(`encryptionInfo.encryptionInTransit.clientBroker must be TLS (TLS only, no plaintext listener); found ${show(transit.clientBroker)}.`);
        }
        if (transit?.inCluster === false) {
            reportViolation("encryptionInfo.encryptionInTransit.inCluster must be true; found false.");
        }
    }),
};

/** @severity high */
export const mskClusterEncryptionAtRestCmk: ResourceValidationPolicy = {
    name: "msk-cluster-encryption-at-rest-cmk",
    description: "Checks whether MSK clusters encrypt broker storage with a customer-managed KMS key.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_81"], "Ensure MSK Cluster encryption in rest and transit is enabled."),
    tags: ["security", "encryption", "msk"],
    remediationSteps: "Set encryptionInfo.encryptionAtRestKmsKeyArn to the streaming domain's customer-managed key.",
    validateResource: validateResourceOfType(aws.msk.Cluster, (cluster, _args, reportViolation) => {
        const key = probe(() => cluster.encryptionInfo?.encryptionAtRestKmsKeyArn);
        if (isKnown(key) && !key) {
            reportViolation("encryptionInfo.encryptionAtRestKmsKeyArn must name a customer-managed key; none is set (AWS would use its own key).");
        }
    }),
};

const authSchema = {
    properties: {
        allowedMechanisms: {
            type: "array" as const,
            items: { type: "string" as const, enum: ["iam", "tls", "scram"] },
            minItems: 1,
            default: ["iam"],
            description:
                "The client authentication modes the stack configures (platform:mskClientAuth): iam (SASL/IAM), tls (mutual TLS with a private CA), scram (SASL/SCRAM). A cluster must enable at least one and nothing else. Defaults to iam.",
        },
    },
};

/** @severity critical */
export const mskClusterClientAuthentication: ResourceValidationPolicy = {
    name: "msk-cluster-client-authentication",
    description: "Checks whether MSK clusters require client authentication with exactly the allowed modes (IAM, SCRAM, mutual TLS) and turn unauthenticated access off.",
    enforcementLevel: "advisory",
    severity: "critical",
    tags: ["security", "msk"],
    remediationSteps:
        "Set clientAuthentication.unauthenticated to false and enable only the allowed modes: sasl.iam, sasl.scram, tls.certificateAuthorityArns (a private CA); or change platform:mskClientAuth and the pack's allowedMechanisms together.",
    configSchema: authSchema,
    validateResource: validateResourceOfType(aws.msk.Cluster, (cluster, args, reportViolation) => {
        const { allowedMechanisms } = policyConfig<{ allowedMechanisms: string[] }>(args, authSchema);
        const auth = cluster.clientAuthentication;
        if (!auth) {
            reportViolation(`clientAuthentication must be set (${allowedMechanisms.join(" or ")}); without it the cluster accepts unauthenticated clients.`);
            return;
        }
        if (auth.unauthenticated === true) {
            reportViolation("clientAuthentication.unauthenticated must be false; found true.");
        }
        const cas = probe(() => asList(auth.tls?.certificateAuthorityArns).length);
        const enabled = [auth.sasl?.iam === true ? "iam" : undefined, !isKnown(cas) || cas > 0 ? "tls" : undefined, auth.sasl?.scram === true ? "scram" : undefined].filter(
            (m): m is string => m !== undefined,
        );
        if (!enabled.some((m) => allowedMechanisms.includes(m))) {
            reportViolation(`clientAuthentication must enable ${allowedMechanisms.join(" or ")}; found ${enabled.length > 0 ? enabled.join(", ") : "none"}.`);
        }
        const extra = enabled.filter((m) => !allowedMechanisms.includes(m));
        if (extra.length > 0) {
            reportViolation(`clientAuthentication must enable only the allowed modes (${allowedMechanisms.join(", ")}); found ${extra.join(", ")} enabled as well.`);
        }
    }),
};

const scramSecretPrefix = "AmazonMSK_";

/** The name part of a Secrets Manager ARN (`arn:...:secret:<name>-<6 characters>`), or undefined for another value. */
function secretName(arn: string): string | undefined {
    return /^arn:aws[a-z-]*:secretsmanager:[^:]*:\d{12}:secret:(.+)$/.exec(arn)?.[1];
}

/** @severity high */
export const mskScramSecretAssociation: StackValidationPolicy = {
    name: "msk-scram-secret-association",
    description:
        "Checks whether the secrets associated with MSK clusters for SASL/SCRAM are named with the AmazonMSK_ prefix and, when the stack declares them, encrypted with a customer-managed KMS key.",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["security", "encryption", "msk", "secretsmanager"],
    remediationSteps: "Create each SCRAM secret as AmazonMSK_<name> with kmsKeyId set to a customer-managed key (MSK refuses the default aws/secretsmanager key) and list its ARN in platform:mskScramSecretArns.",
    validateStack: (args, reportViolation) => {
        const secrets = ofType(args.resources, aws.secretsmanager.Secret);
        const associations = [
            ...ofType(args.resources, aws.msk.ScramSecretAssociation).map((r) => ({ resource: r, property: "secretArnLists", arns: prop(r, (p) => p.secretArnLists as unknown) })),
            ...ofType(args.resources, aws.msk.SingleScramSecretAssociation).map((r) => ({ resource: r, property: "secretArn", arns: prop(r, (p) => p.secretArn as unknown) })),
        ];
        for (const { resource, property, arns } of associations) {
            // Secrets this stack declares: judged on their own name and key, known or not yet known ARNs alike.
            const declared = referencedBy(resource, property, arns, secrets);
            for (const secret of declared) {
                const name = prop(secret, (p) => p.name as string | undefined);
                if (isKnown(name) && !(typeof name === "string" && name.startsWith(scramSecretPrefix))) {
                    reportViolation(`${label(secret)} is associated with ${label(resource)} for SCRAM and its name must start with ${scramSecretPrefix}; found ${show(name)}.`, secret.urn);
                }
                const key = prop(secret, (p) => p.kmsKeyId as string | undefined);
                if (isKnown(key) && !isCustomerManagedKey(key, "secretsmanager")) {
                    reportViolation(`${label(secret)} is a SCRAM secret of ${label(resource)} and must be encrypted with a customer-managed KMS key; found ${show(key)}.`, secret.urn);
                }
            }
            // Secrets created elsewhere, given by ARN: the name is the ARN's last part.
            if (isKnown(arns)) {
                const declaredIds = declared.flatMap((secret) => [...identifiers(secret)]);
                for (const arn of collectStrings(arns).filter((a) => !declaredIds.includes(a))) {
                    const name = secretName(arn);
                    if (!name?.startsWith(scramSecretPrefix)) {
                        reportViolation(`${label(resource)} associates ${show(arn)}, which must be a Secrets Manager secret ARN whose name starts with ${scramSecretPrefix} (MSK associates no other secrets).`, resource.urn);
                    }
                }
            }
        }
    },
};

/** @severity critical */
export const mskClusterPrivateBrokers: ResourceValidationPolicy = {
    name: "msk-cluster-private-brokers",
    description: "Checks whether MSK brokers stay private: no public access endpoints.",
    enforcementLevel: "advisory",
    severity: "critical",
    framework: checkov(["CKV_AWS_291"], "Ensure MSK nodes are private."),
    tags: ["security", "network", "msk"],
    remediationSteps: "Set brokerNodeGroupInfo.connectivityInfo.publicAccess.type to DISABLED and place brokers in private subnets.",
    validateResource: validateResourceOfType(aws.msk.Cluster, (cluster, _args, reportViolation) => {
        const type = cluster.brokerNodeGroupInfo?.connectivityInfo?.publicAccess?.type;
        if (type !== undefined && type !== "DISABLED") {
            reportViolation(`brokerNodeGroupInfo.connectivityInfo.publicAccess.type must be DISABLED; found ${show(type)}.`);
        }
    }),
};

/** @severity medium */
export const mskClusterBrokerLogging: ResourceValidationPolicy = {
    name: "msk-cluster-broker-logging",
    description: "Checks whether MSK clusters deliver broker logs to CloudWatch Logs, S3 or Firehose.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV_AWS_80"], "Ensure MSK Cluster logging is enabled."),
    tags: ["audit", "msk"],
    remediationSteps: "Set loggingInfo.brokerLogs.cloudwatchLogs to { enabled: true, logGroup: <a log group with retention> }.",
    validateResource: validateResourceOfType(aws.msk.Cluster, (cluster, _args, reportViolation) => {
        const logs = cluster.loggingInfo?.brokerLogs;
        if (!(logs?.cloudwatchLogs?.enabled === true || logs?.s3?.enabled === true || logs?.firehose?.enabled === true)) {
            reportViolation("loggingInfo.brokerLogs must enable a destination (cloudwatchLogs, s3 or firehose); none is enabled.");
        }
    }),
};

/** @severity medium */
export const mskClusterBrokerLogRetention: StackValidationPolicy = {
    name: "msk-cluster-broker-log-retention",
    description: "Checks whether MSK broker logs sent to CloudWatch Logs land in a log group of this stack that has a retention period.",
    enforcementLevel: "advisory",
    severity: "medium",
    tags: ["audit", "cost", "msk"],
    remediationSteps: "Declare an aws.cloudwatch.LogGroup with retentionInDays (and a KMS key) and pass its name as loggingInfo.brokerLogs.cloudwatchLogs.logGroup.",
    validateStack: (args, reportViolation) => {
        const groups = ofType(args.resources, aws.cloudwatch.LogGroup);
        for (const cluster of ofType(args.resources, aws.msk.Cluster)) {
            const enabled = prop(cluster, (p) => p.loggingInfo?.brokerLogs?.cloudwatchLogs?.enabled as boolean | undefined);
            if (!isKnown(enabled) || enabled !== true) {
                continue;
            }
            const name = prop(cluster, (p) => p.loggingInfo?.brokerLogs?.cloudwatchLogs?.logGroup as string | undefined);
            const matches = referencedBy(cluster, "loggingInfo", name, groups);
            if (matches.length === 0) {
                if (isKnown(name)) {
                    reportViolation(`${label(cluster)} sends broker logs to ${show(name)}, which must be a log group of this stack with a retention period; it is not declared here.`, cluster.urn);
                }
                continue;
            }
            for (const group of matches) {
                const retention = prop(group, (p) => p.retentionInDays as number | undefined);
                if (isKnown(retention) && !(typeof retention === "number" && retention > 0)) {
                    reportViolation(`${label(group)} receives the broker logs of ${label(cluster)} and must have retentionInDays set; found ${show(retention)}.`, group.urn);
                }
            }
        }
    },
};

const brokerSchema = {
    properties: {
        minimumBrokers: { type: "integer" as const, minimum: 1, default: 3, description: "Fewest brokers allowed (3 carries replication factor 3 with min.insync.replicas 2). Defaults to 3." },
    },
};

/** @severity high */
export const mskClusterBrokerCount: ResourceValidationPolicy = {
    name: "msk-cluster-broker-count",
    description: "Checks whether MSK clusters run at least the minimum number of brokers and a multiple of their client subnets (availability zones), so brokers spread evenly.",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["reliability", "msk"],
    remediationSteps: "Set numberOfBrokerNodes to a multiple of the number of client subnets (one per AZ), at least the configured minimum (3).",
    configSchema: brokerSchema,
    validateResource: validateResourceOfType(aws.msk.Cluster, (cluster, args, reportViolation) => {
        const { minimumBrokers } = policyConfig<{ minimumBrokers: number }>(args, brokerSchema);
        const brokers = cluster.numberOfBrokerNodes;
        if (brokers < minimumBrokers) {
            reportViolation(`numberOfBrokerNodes must be at least ${minimumBrokers}; found ${brokers}.`);
        }
        const subnets = probe(() => asList(cluster.brokerNodeGroupInfo.clientSubnets).length);
        if (isKnown(subnets) && subnets > 0 && brokers % subnets !== 0) {
            reportViolation(`numberOfBrokerNodes must be a multiple of the ${subnets} client subnets (AZs); found ${brokers}.`);
        }
    }),
};

/** @severity medium */
export const mskClusterCustomConfiguration: ResourceValidationPolicy = {
    name: "msk-cluster-custom-configuration",
    description: "Checks whether MSK clusters use an explicit MSK configuration, so durability settings are declared rather than left to service defaults.",
    enforcementLevel: "advisory",
    severity: "medium",
    tags: ["reliability", "msk"],
    remediationSteps: "Declare an aws.msk.Configuration with the durability settings and set configurationInfo { arn, revision } on the cluster.",
    validateResource: validateResourceOfType(aws.msk.Cluster, (cluster, _args, reportViolation) => {
        const arn = probe(() => cluster.configurationInfo?.arn);
        if (isKnown(arn) && !arn) {
            reportViolation("configurationInfo must reference an aws.msk.Configuration; none is set.");
        }
    }),
};

const durabilitySchema = {
    properties: {
        minimumReplicationFactor: { type: "integer" as const, minimum: 1, default: 3, description: "Lowest default.replication.factor allowed. Defaults to 3." },
        minimumInSyncReplicas: { type: "integer" as const, minimum: 1, default: 2, description: "Lowest min.insync.replicas allowed. Defaults to 2." },
    },
};

function parseProperties(text: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const line of text.split(/\r?\n/)) {
        const trimmed = line.trim();
        if (trimmed === "" || trimmed.startsWith("#")) {
            continue;
        }
        const eq = trimmed.indexOf("=");
        if (eq > 0) {
            out.set(trimmed.slice(0, eq).trim(), trimmed.slice(eq + 1).trim());
        }
    }
    return out;
}

/** @severity high */
export const mskConfigurationDurability: ResourceValidationPolicy = {
    name: "msk-configuration-durability",
    description:
        "Checks whether MSK configurations set a replication factor and min.insync.replicas that survive a broker loss, keep unclean leader election off and stop topics from being created by accident.",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["reliability", "msk"],
    remediationSteps: "In serverProperties set default.replication.factor=3, min.insync.replicas=2, unclean.leader.election.enable=false and auto.create.topics.enable=false.",
    configSchema: durabilitySchema,
    validateResource: validateResourceOfType(aws.msk.Configuration, (configuration, args, reportViolation) => {
        const config = policyConfig<{ minimumReplicationFactor: number; minimumInSyncReplicas: number }>(args, durabilitySchema);
        const text = probe(() => configuration.serverProperties);
        if (!isKnown(text)) {
            return;
        }
        const props = parseProperties(text ?? "");
        const replication = Number(props.get("default.replication.factor"));
        const isr = Number(props.get("min.insync.replicas"));
        if (!props.has("default.replication.factor") || !(replication >= config.minimumReplicationFactor)) {
            reportViolation(`default.replication.factor must be at least ${config.minimumReplicationFactor}; found ${show(props.get("default.replication.factor"))}.`);
        }
        if (!props.has("min.insync.replicas") || !(isr >= config.minimumInSyncReplicas)) {
            reportViolation(`min.insync.replicas must be at least ${config.minimumInSyncReplicas}; found ${show(props.get("min.insync.replicas"))}.`);
        } else if (replication > 0 && isr >= replication) {
            reportViolation(`min.insync.replicas (${isr}) must be lower than default.replication.factor (${replication}), or one broker outage stops all writes.`);
        }
        if (props.get("unclean.leader.election.enable") === "true") {
            reportViolation("unclean.leader.election.enable must be false: an out-of-sync replica becoming leader loses acknowledged writes.");
        }
        if (props.get("auto.create.topics.enable") !== "false") {
            reportViolation(`auto.create.topics.enable must be false so topics are declared as code; found ${show(props.get("auto.create.topics.enable"))}.`);
        }
    }),
};

/** @severity high */
export const mskTopicDurability: ResourceValidationPolicy = {
    name: "msk-topic-durability",
    description: "Checks whether MSK topics are replicated enough to survive a broker loss, with min.insync.replicas below the replication factor.",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["reliability", "msk"],
    remediationSteps: "Set replicationFactor to at least 3 and, if the topic overrides it, min.insync.replicas to at least 2 and below the replication factor.",
    configSchema: durabilitySchema,
    validateResource: validateResourceOfType(aws.msk.Topic, (topic, args, reportViolation) => {
        const config = policyConfig<{ minimumReplicationFactor: number; minimumInSyncReplicas: number }>(args, durabilitySchema);
        if (topic.replicationFactor < config.minimumReplicationFactor) {
            reportViolation(`replicationFactor must be at least ${config.minimumReplicationFactor}; found ${topic.replicationFactor}.`);
        }
        const parsed = probe(() => parseJsonInput(topic.configs));
        if (!isKnown(parsed)) {
            return;
        }
        const configs = parsed && "value" in parsed && parsed.value !== null && typeof parsed.value === "object" ? (parsed.value as Record<string, unknown>) : {};
        if (configs["min.insync.replicas"] !== undefined) {
            const isr = Number(configs["min.insync.replicas"]);
            if (!(isr >= config.minimumInSyncReplicas) || isr >= topic.replicationFactor) {
                reportViolation(`min.insync.replicas must be at least ${config.minimumInSyncReplicas} and below the replication factor (${topic.replicationFactor}); found ${show(configs["min.insync.replicas"])}.`);
            }
        }
    }),
};

export const mskPolicies = [
    mskClusterEncryptionInTransit,
    mskClusterEncryptionAtRestCmk,
    mskClusterClientAuthentication,
    mskScramSecretAssociation,
    mskClusterPrivateBrokers,
    mskClusterBrokerLogging,
    mskClusterBrokerLogRetention,
    mskClusterBrokerCount,
    mskClusterCustomConfiguration,
    mskConfigurationDurability,
    mskTopicDurability,
];
