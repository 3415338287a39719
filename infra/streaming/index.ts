import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DatasetDefinition, datasetsFrom } from "../../runtime/datasets";
import { StreamingConfig } from "../config";
import type { AlarmSpec } from "../observability/alarms";
import { contextPrefix, PlatformContext, RegisteredAlarm } from "../shared/context";
import { dataStoreOptions } from "../shared/options";
import { MskClientAuthConfig } from "../config";
import { kinesisStreamAlarms, mskAlarms, mskClientAuthentication, mskClientAuthLabels, mskClientPorts, mskConfigurationName, mskServerProperties, serverPropertiesText, streamName, topicConfigs, topicName, validateStreaming } from "./decisions";

export interface StreamingArgs {
    /**
     * The stack's shared settings. The streaming key encrypts streams and broker storage, the
     * observability key the broker log group; `protectData` protects streams, the cluster and topics.
     */
    readonly context: PlatformContext;
    /** The engine and its sizing: Kinesis (`kinesis`) or MSK (`msk`), from the stack config. */
    readonly streaming: StreamingConfig;
    /** The datasets that get a stream or a topic. Defaults to the stream datasets of `runtime/datasets`. */
    readonly datasets?: readonly DatasetDefinition[];
    /** Where the MSK brokers live. Required for `msk`; unused by Kinesis. Defaults to none. */
    readonly network?: { readonly vpcId: pulumi.Input<string>; readonly privateSubnetIds: pulumi.Input<string[]> };
}

/** How Kafka clients reach the MSK cluster (absent for Kinesis). */
export interface KafkaConnection {
    readonly clusterArn: pulumi.Output<string>;
    /** The bootstrap brokers of the first `mskClientAuth` mode (SASL/IAM, SASL/SCRAM or mutual TLS), the one the ingest functions use. */
    readonly bootstrapBrokers: pulumi.Output<string>;
    /** The enabled client authentication modes and their secrets, as configured. */
    readonly clientAuth: MskClientAuthConfig;
    /** The ingest functions join this group to reach the brokers (the only Kafka clients inside the VPC). */
    readonly clientSecurityGroupId: pulumi.Output<string>;
    /** The private subnets of the brokers, where clients run too. */
    readonly clientSubnetIds: pulumi.Input<string[]>;
}

/** Where each dataset's records enter the platform. */
export interface DatasetSource {
    readonly dataset: DatasetDefinition;
    /** Kinesis stream ARN, or MSK cluster ARN. */
    readonly sourceArn: pulumi.Output<string>;
    /** Kinesis stream name, or MSK topic name. */
    readonly name: string;
}

/**
 * The streaming engine chosen by the stack: Kinesis Data Streams (one encrypted stream per
 * dataset) or Amazon MSK (a provisioned cluster with the configured client authentication —
 * SASL/IAM, SASL/SCRAM with AmazonMSK_ secrets, mutual TLS — over TLS only, encryption at rest
 * with the streaming key, a durability-first configuration, broker logs, storage autoscaling and
 * one topic per dataset declared as code).
 */
export class Streaming extends pulumi.ComponentResource {
    readonly engine: "kinesis" | "msk";
    readonly sources: readonly DatasetSource[];
    /** MSK only: the cluster and how clients reach it. */
    readonly kafka?: KafkaConnection;
    readonly alarms: readonly RegisteredAlarm[];

    constructor(name: string, args: StreamingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:streaming:Streaming", name, {}, opts);
        validateStreaming(name, args.streaming, args.network !== undefined);
        const context = args.context;
        const prefix = contextPrefix(context);
        const streaming = args.streaming;
        const datasets = args.datasets ?? datasetsFrom("stream");
        this.engine = streaming.engine;

        if (streaming.engine === "kinesis") {
            const k = streaming.kinesis;
            const alarms: AlarmSpec[] = [];
            this.sources = datasets.map((dataset) => {
                const stream = new aws.kinesis.Stream(
                    `${name}-${dataset.name}`,
                    {
                        name: streamName(prefix, dataset),
                        streamModeDetails: { streamMode: k.mode },
                        ...(k.mode === "PROVISIONED" ? { shardCount: k.shardCount } : {}),
                        retentionPeriod: k.retentionHours,
                        encryptionType: "KMS",
                        kmsKeyId: context.keys.streaming,
                        shardLevelMetrics: ["IncomingRecords", "WriteProvisionedThroughputExceeded", "IteratorAgeMilliseconds"],
                    },
                    dataStoreOptions(context.protectData, this),
                );
                alarms.push(...kinesisStreamAlarms(name, dataset.name, stream.name));
                return { dataset, sourceArn: stream.arn, name: streamName(prefix, dataset) };
            });
            this.alarms = context.alarms.registerAlarms(this, alarms);
            this.registerOutputs({ engine: this.engine, sourceNames: this.sources.map((source) => source.name), alarms: this.alarms });
            return;
        }

        const msk = streaming.msk;
        const network = args.network!;
        const clientSg = new aws.ec2.SecurityGroup(
            `${name}-clients`,
            {
                vpcId: network.vpcId,
                // Kept as deployed although only the ingest functions join it: a security group's
                // description cannot change without replacing the group.
                description: "Kafka clients of the platform (ingest functions, batch jobs)",
                egress: [{ description: "HTTPS to AWS APIs", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
                tags: { Name: `${prefix}-kafka-clients` },
            },
            { parent: this },
        );
        const brokerSg = new aws.ec2.SecurityGroup(
            `${name}-brokers`,
            { vpcId: network.vpcId, description: "MSK brokers: SASL/IAM over TLS from the platform's Kafka clients only", egress: [], tags: { Name: `${prefix}-kafka-brokers` } },
            { parent: this },
        );
        // One port per enabled mode; the IAM rules keep their original names so existing stacks keep them.
        for (const mode of msk.clientAuth.modes) {
            const port = mskClientPorts[mode];
            const suffix = mode === "iam" ? "" : `-${mode}`;
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-brokers-from-clients${suffix}`,
                { securityGroupId: brokerSg.id, referencedSecurityGroupId: clientSg.id, ipProtocol: "tcp", fromPort: port, toPort: port, description: `Kafka ${mskClientAuthLabels[mode]} over TLS from platform clients` },
                { parent: this },
            );
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-clients-to-brokers${suffix}`,
                { securityGroupId: clientSg.id, referencedSecurityGroupId: brokerSg.id, ipProtocol: "tcp", fromPort: port, toPort: port, description: `Kafka ${mskClientAuthLabels[mode]} over TLS to the brokers` },
                { parent: this },
            );
        }

        const configuration = new aws.msk.Configuration(
            `${name}-config`,
            {
                name: mskConfigurationName(prefix, msk),
                kafkaVersions: [msk.kafkaVersion],
                serverProperties: serverPropertiesText(mskServerProperties(msk.brokerCount)),
                description: "Durability-first broker settings of the data platform",
            },
            { parent: this },
        );
        const brokerLogs = new aws.cloudwatch.LogGroup(
            `${name}-broker-logs`,
            { name: `/platform/${prefix}/msk-brokers`, retentionInDays: context.logRetentionDays, kmsKeyId: context.keys.observability },
            { parent: this },
        );
        const cluster = new aws.msk.Cluster(
            `${name}-cluster`,
            {
                clusterName: prefix,
                kafkaVersion: msk.kafkaVersion,
                numberOfBrokerNodes: msk.brokerCount,
                brokerNodeGroupInfo: {
                    instanceType: msk.instanceType,
                    clientSubnets: network.privateSubnetIds,
                    securityGroups: [brokerSg.id],
                    storageInfo: { ebsStorageInfo: { volumeSize: msk.volumeGiB } },
                    connectivityInfo: { publicAccess: { type: "DISABLED" } },
                },
                clientAuthentication: mskClientAuthentication(msk.clientAuth),
                encryptionInfo: { encryptionAtRestKmsKeyArn: context.keys.streaming, encryptionInTransit: { clientBroker: "TLS", inCluster: true } },
                configurationInfo: { arn: configuration.arn, revision: configuration.latestRevision },
                enhancedMonitoring: msk.enhancedMonitoring,
                loggingInfo: { brokerLogs: { cloudwatchLogs: { enabled: true, logGroup: brokerLogs.name } } },
            },
            // Storage autoscaling grows volumes behind Pulumi's back; do not shrink them on the next update.
            dataStoreOptions(context.protectData, this, { ignoreChanges: ["brokerNodeGroupInfo.storageInfo.ebsStorageInfo.volumeSize"] }),
        );
        if (msk.clientAuth.modes.includes("scram")) {
            // Authoritative: the cluster accepts exactly the configured AmazonMSK_ secrets, none associated by hand.
            new aws.msk.ScramSecretAssociation(`${name}-scram-secrets`, { clusterArn: cluster.arn, secretArnLists: [...msk.clientAuth.scramSecretArns] }, { parent: this });
        }
        const firstMode = msk.clientAuth.modes[0];
        const bootstrapBrokers = firstMode === "scram" ? cluster.bootstrapBrokersSaslScram : firstMode === "tls" ? cluster.bootstrapBrokersTls : cluster.bootstrapBrokersSaslIam;
        this.kafka = { clusterArn: cluster.arn, bootstrapBrokers, clientAuth: msk.clientAuth, clientSecurityGroupId: clientSg.id, clientSubnetIds: network.privateSubnetIds };

        const storageTarget = new aws.appautoscaling.Target(
            `${name}-storage`,
            { serviceNamespace: "kafka", scalableDimension: "kafka:broker-storage:VolumeSize", resourceId: cluster.arn, minCapacity: 1, maxCapacity: msk.maxVolumeGiB },
            { parent: this },
        );
        new aws.appautoscaling.Policy(
            `${name}-storage`,
            {
                policyType: "TargetTrackingScaling",
                serviceNamespace: storageTarget.serviceNamespace,
                scalableDimension: storageTarget.scalableDimension,
                resourceId: storageTarget.resourceId,
                targetTrackingScalingPolicyConfiguration: { predefinedMetricSpecification: { predefinedMetricType: "KafkaBrokerStorageUtilization" }, targetValue: 60, disableScaleIn: true },
            },
            { parent: this },
        );

        const replication = Math.min(3, msk.brokerCount);
        this.sources = datasets.map((dataset) => {
            const topic = new aws.msk.Topic(
                `${name}-${dataset.name}`,
                { clusterArn: cluster.arn, name: topicName(dataset), partitionCount: msk.topicPartitions, replicationFactor: replication, configs: JSON.stringify(topicConfigs(msk.brokerCount)) },
                dataStoreOptions(context.protectData, this),
            );
            return { dataset, sourceArn: topic.clusterArn, name: topicName(dataset) };
        });

        this.alarms = context.alarms.registerAlarms(this, mskAlarms(name, prefix, msk.brokerCount));
        this.registerOutputs({ engine: this.engine, sourceNames: this.sources.map((source) => source.name), bootstrapBrokers: this.kafka.bootstrapBrokers, alarms: this.alarms });
    }
}
