import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DatasetDefinition } from "../../runtime/datasets";
import { StreamingConfig } from "../config";
import { Observability } from "../observability";
import { dataStoreOptions, namePrefix } from "../shared/options";
import { mskConfigurationName, mskIamPort, mskServerProperties, serverPropertiesText, streamName, topicConfigs, topicName } from "./decisions";

export interface StreamingArgs {
    readonly project: string;
    readonly stack: string;
    readonly streaming: StreamingConfig;
    readonly datasets: readonly DatasetDefinition[];
    readonly vpcId: pulumi.Input<string>;
    readonly privateSubnetIds: pulumi.Input<string[]>;
    /** Encrypts streams and broker storage (the streaming key). */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Encrypts the broker log group (the observability key). */
    readonly logsKeyArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    readonly protectData: boolean;
    readonly observability: Observability;
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
 * dataset) or Amazon MSK (a provisioned cluster with IAM auth over TLS only, encryption at rest
 * with the streaming key, a durability-first configuration, broker logs, storage autoscaling and
 * one topic per dataset declared as code).
 */
export class Streaming extends pulumi.ComponentResource {
    readonly engine: "kinesis" | "msk";
    readonly sources: readonly DatasetSource[];
    /** MSK only: the bootstrap brokers for SASL/IAM clients. */
    readonly bootstrapBrokers?: pulumi.Output<string>;
    /** MSK only: the ingest functions join this group to reach the brokers (the only Kafka clients inside the VPC). */
    readonly clientSecurityGroupId?: pulumi.Output<string>;
    readonly clusterArn?: pulumi.Output<string>;
    readonly clusterName?: string;

    constructor(name: string, args: StreamingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:streaming:Streaming", name, {}, opts);
        const prefix = namePrefix(args.project, args.stack);
        const streaming = args.streaming;
        this.engine = streaming.engine;

        if (streaming.engine === "kinesis") {
            const k = streaming.kinesis;
            this.sources = args.datasets.map((dataset) => {
                const stream = new aws.kinesis.Stream(
                    `${name}-${dataset.name}`,
                    {
                        name: streamName(prefix, dataset),
                        streamModeDetails: { streamMode: k.mode },
                        ...(k.mode === "PROVISIONED" ? { shardCount: k.shardCount } : {}),
                        retentionPeriod: k.retentionHours,
                        encryptionType: "KMS",
                        kmsKeyId: args.kmsKeyArn,
                        shardLevelMetrics: ["IncomingRecords", "WriteProvisionedThroughputExceeded", "IteratorAgeMilliseconds"],
                    },
                    dataStoreOptions(args.protectData, this),
                );
                args.observability.addAlarm(this, `${name}-${dataset.name}-write-throttled`, {
                    stage: "streaming",
                    description: `Producers of ${dataset.name} are throttled by Kinesis. Check producer retries; in PROVISIONED mode add shards.`,
                    namespace: "AWS/Kinesis",
                    metricName: "WriteProvisionedThroughputExceeded",
                    dimensions: { StreamName: stream.name },
                    statistic: "Sum",
                    comparisonOperator: "GreaterThanThreshold",
                    threshold: 0,
                    evaluationPeriods: 3,
                });
                return { dataset, sourceArn: stream.arn, name: streamName(prefix, dataset) };
            });
            this.registerOutputs({});
            return;
        }

        const msk = streaming.msk;
        this.clusterName = prefix;
        const clientSg = new aws.ec2.SecurityGroup(
            `${name}-clients`,
            {
                vpcId: args.vpcId,
                // Kept as deployed: a security group's description cannot change without replacing it.
                description: "Kafka clients of the platform (ingest functions, batch jobs)",
                egress: [{ description: "HTTPS to AWS APIs", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
                tags: { Name: `${prefix}-kafka-clients` },
            },
            { parent: this },
        );
        const brokerSg = new aws.ec2.SecurityGroup(
            `${name}-brokers`,
            { vpcId: args.vpcId, description: "MSK brokers: SASL/IAM over TLS from the platform's Kafka clients only", egress: [], tags: { Name: `${prefix}-kafka-brokers` } },
            { parent: this },
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-brokers-from-clients`,
            { securityGroupId: brokerSg.id, referencedSecurityGroupId: clientSg.id, ipProtocol: "tcp", fromPort: mskIamPort, toPort: mskIamPort, description: "Kafka SASL/IAM over TLS from platform clients" },
            { parent: this },
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-clients-to-brokers`,
            { securityGroupId: clientSg.id, referencedSecurityGroupId: brokerSg.id, ipProtocol: "tcp", fromPort: mskIamPort, toPort: mskIamPort, description: "Kafka SASL/IAM over TLS to the brokers" },
            { parent: this },
        );

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
            { name: `/platform/${prefix}/msk-brokers`, retentionInDays: args.logRetentionDays, kmsKeyId: args.logsKeyArn },
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
                    clientSubnets: args.privateSubnetIds,
                    securityGroups: [brokerSg.id],
                    storageInfo: { ebsStorageInfo: { volumeSize: msk.volumeGiB } },
                    connectivityInfo: { publicAccess: { type: "DISABLED" } },
                },
                clientAuthentication: { sasl: { iam: true, scram: false }, unauthenticated: false },
                encryptionInfo: { encryptionAtRestKmsKeyArn: args.kmsKeyArn, encryptionInTransit: { clientBroker: "TLS", inCluster: true } },
                configurationInfo: { arn: configuration.arn, revision: configuration.latestRevision },
                enhancedMonitoring: "PER_TOPIC_PER_BROKER",
                loggingInfo: { brokerLogs: { cloudwatchLogs: { enabled: true, logGroup: brokerLogs.name } } },
            },
            // Storage autoscaling grows volumes behind Pulumi's back; do not shrink them on the next update.
            dataStoreOptions(args.protectData, this, { ignoreChanges: ["brokerNodeGroupInfo.storageInfo.ebsStorageInfo.volumeSize"] }),
        );
        this.clusterArn = cluster.arn;
        this.bootstrapBrokers = cluster.bootstrapBrokersSaslIam;
        this.clientSecurityGroupId = clientSg.id;

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
        this.sources = args.datasets.map((dataset) => {
            const topic = new aws.msk.Topic(
                `${name}-${dataset.name}`,
                { clusterArn: cluster.arn, name: topicName(dataset), partitionCount: msk.topicPartitions, replicationFactor: replication, configs: JSON.stringify(topicConfigs(msk.brokerCount)) },
                dataStoreOptions(args.protectData, this),
            );
            return { dataset, sourceArn: topic.clusterArn, name: topicName(dataset) };
        });

        const clusterDims = { "Cluster Name": prefix };
        args.observability.addAlarm(this, `${name}-active-controller`, {
            stage: "streaming",
            description: "The MSK cluster has no active controller: partition leadership cannot change. Check broker health in the MSK console.",
            namespace: "AWS/Kafka",
            metricName: "ActiveControllerCount",
            dimensions: clusterDims,
            statistic: "Sum",
            comparisonOperator: "LessThanThreshold",
            threshold: 1,
            evaluationPeriods: 3,
            periodSeconds: 60,
            treatMissingData: "breaching",
        });
        args.observability.addAlarm(this, `${name}-offline-partitions`, {
            stage: "streaming",
            description: "Partitions are offline: producers and the ingest functions cannot use them. Check broker health.",
            namespace: "AWS/Kafka",
            metricName: "OfflinePartitionsCount",
            dimensions: clusterDims,
            statistic: "Maximum",
            comparisonOperator: "GreaterThanThreshold",
            threshold: 0,
            periodSeconds: 60,
        });
        for (let broker = 1; broker <= msk.brokerCount; broker++) {
            const dims = { ...clusterDims, "Broker ID": String(broker) };
            args.observability.addAlarm(this, `${name}-broker-${broker}-disk`, {
                stage: "streaming",
                description: `Broker ${broker} data volume is over 80% full. Storage autoscaling should grow it; check mskMaxVolumeGiB.`,
                namespace: "AWS/Kafka",
                metricName: "KafkaDataLogsDiskUsed",
                dimensions: dims,
                statistic: "Maximum",
                comparisonOperator: "GreaterThanThreshold",
                threshold: 80,
                evaluationPeriods: 2,
            });
            args.observability.addAlarm(this, `${name}-broker-${broker}-under-replicated`, {
                stage: "streaming",
                description: `Broker ${broker} has under-replicated partitions: writes are at risk if another broker fails.`,
                namespace: "AWS/Kafka",
                metricName: "UnderReplicatedPartitions",
                dimensions: dims,
                statistic: "Maximum",
                comparisonOperator: "GreaterThanThreshold",
                threshold: 0,
                evaluationPeriods: 3,
                periodSeconds: 60,
            });
        }
        this.registerOutputs({ bootstrapBrokers: this.bootstrapBrokers });
    }
}
