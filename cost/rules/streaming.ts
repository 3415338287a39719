import type * as aws from "@pulumi/aws";
import type { Unwrap } from "@pulumi/pulumi";
import { readNumber, readString } from "../inputs";
import { AnyRule, costRule, fixed, millions, monthlyHours, notPriced, priced, RuleContext, tiered, usage } from "./rule";

/** Kinesis Data Streams: on-demand stream-hours plus GB in and out, or provisioned shard-hours plus PUT units. */
export const kinesisStream = costRule<aws.kinesis.StreamArgs>({
    type: "aws:kinesis/stream:Stream",
    usage: {
        monthlyDataInGb: { unit: "GB", description: "ON_DEMAND: data written to the stream per month." },
        monthlyDataOutGb: { unit: "GB", description: "ON_DEMAND: data read by shared-throughput consumers per month." },
        monthlyPutUnitsMillions: { unit: "1M PUT payload units", description: "PROVISIONED: 25 KB PUT payload units per month, in millions." },
        extendedRetentionGb: { unit: "GB", description: "ON_DEMAND with retention above 24 h: GB-months stored between 24 h and 7 days." },
        longTermRetentionGb: { unit: "GB", description: "Retention above 7 days: GB-months stored beyond 7 days." },
    },
    price(props, _resource, ctx) {
        const mode = readString(props.streamModeDetails?.streamMode, "streamModeDetails.streamMode", "PROVISIONED");
        const retention = readNumber(props.retentionPeriod, "retentionPeriod", 24);
        const longTerm = retention > 168 ? [usage(ctx, "Long term retention (7D+)", "kinesis.longTermRetentionGb", ctx.usage("longTermRetentionGb"))] : [];
        if (mode === "ON_DEMAND") {
            return priced(
                fixed(ctx, "Stream (on-demand)", "kinesis.onDemand.streamHour", monthlyHours(ctx, 1)),
                usage(ctx, "Data ingested", "kinesis.onDemand.dataInGb", ctx.usage("monthlyDataInGb")),
                usage(ctx, "Data retrieval", "kinesis.onDemand.dataOutGb", ctx.usage("monthlyDataOutGb")),
                retention > 24 ? [usage(ctx, "Extended retention (24H to 7D)", "kinesis.onDemand.extendedRetentionGb", ctx.usage("extendedRetentionGb"))] : [],
                longTerm,
            );
        }
        if (mode !== "PROVISIONED") {
            return notPriced(`streamModeDetails.streamMode "${mode}" is not ON_DEMAND or PROVISIONED`);
        }
        const shards = readNumber(props.shardCount, "shardCount");
        return priced(
            fixed(ctx, `Shards (${shards})`, "kinesis.provisioned.shardHour", monthlyHours(ctx, shards)),
            usage(ctx, "PUT payload units", "kinesis.provisioned.putUnitsMillion", ctx.usage("monthlyPutUnitsMillions")),
            retention > 24 ? [fixed(ctx, "Extended retention (24H to 7D)", "kinesis.provisioned.extendedRetentionShardHour", monthlyHours(ctx, shards))] : [],
            longTerm,
        );
    },
});

/**
 * MSK provisioned: broker-hours by instance type and EBS storage per broker. With storage
 * autoscaling, `storageGbPerBroker` gives the size the volumes have grown to.
 */
/**
 * CloudWatch metrics an MSK cluster publishes above the free DEFAULT level, which CloudWatch bills
 * as custom metrics. Counts per level follow the MSK developer guide's metric tables for standard
 * brokers: about 40 broker-level metrics per broker from PER_BROKER; 5 per topic and broker from
 * PER_TOPIC_PER_BROKER (bytes in and out, messages in, produce and fetch conversions); 2 lag
 * metrics per consumer group and partition at PER_TOPIC_PER_PARTITION. The usage key
 * `enhancedMonitoringMetrics` replaces the estimate with a count read from CloudWatch.
 */
export const mskMonitoringLevels: readonly string[] = ["DEFAULT", "PER_BROKER", "PER_TOPIC_PER_BROKER", "PER_TOPIC_PER_PARTITION"];

export function mskMonitoringMetrics(level: string, brokers: number, topics: number, consumerGroupPartitions: number | undefined): number {
    const perBroker = 40;
    const perTopicPerBroker = 5;
    const perGroupPartition = 2;
    switch (level) {
        case "DEFAULT":
            return 0;
        case "PER_BROKER":
            return brokers * perBroker;
        case "PER_TOPIC_PER_BROKER":
            return brokers * (perBroker + topics * perTopicPerBroker);
        case "PER_TOPIC_PER_PARTITION":
            return brokers * (perBroker + topics * perTopicPerBroker) + (consumerGroupPartitions ?? 0) * perGroupPartition;
        default:
            throw new Error(`enhancedMonitoring: expected DEFAULT, PER_BROKER, PER_TOPIC_PER_BROKER or PER_TOPIC_PER_PARTITION, found ${level}`);
    }
}

export const mskCluster = costRule<aws.msk.ClusterArgs>({
    type: "aws:msk/cluster:Cluster",
    usage: {
        storageGbPerBroker: { unit: "GB", description: "Average EBS volume per broker over the month when storage autoscaling grows it (at least the declared volumeSize); the declared size when absent." },
        enhancedMonitoringMetrics: {
            unit: "metrics",
            description: "CloudWatch metrics the cluster publishes above DEFAULT monitoring; when absent, estimated from the level, the brokers and the topics (see mskMonitoringMetrics).",
        },
        topics: { unit: "topics", description: "Topics carrying traffic, for the per-topic metrics; the stack's declared MSK topics when absent." },
        consumerGroupPartitions: { unit: "partitions", description: "Consumer group × partition pairs, for PER_TOPIC_PER_PARTITION lag metrics." },
    },
    price(props, _resource, ctx) {
        const brokers = readNumber(props.numberOfBrokerNodes, "numberOfBrokerNodes");
        const instanceType = readString(props.brokerNodeGroupInfo?.instanceType, "brokerNodeGroupInfo.instanceType");
        const declared = readNumber(props.brokerNodeGroupInfo?.storageInfo?.ebsStorageInfo?.volumeSize, "brokerNodeGroupInfo.storageInfo.ebsStorageInfo.volumeSize", 1000);
        const grown = ctx.usage("storageGbPerBroker");
        const perBroker = grown === undefined ? declared : Math.max(declared, grown);
        const storage =
            grown === undefined
                ? fixed(ctx, `Storage (${brokers} × ${declared} GB)`, "msk.storageGb", brokers * declared)
                : usage(ctx, `Storage (${brokers} × ${perBroker} GB, autoscaled)`, "msk.storageGb", brokers * perBroker);
        const level = readString(props.enhancedMonitoring, "enhancedMonitoring", "DEFAULT");
        if (!mskMonitoringLevels.includes(level)) {
            return notPriced(`enhancedMonitoring ${level} is none of ${mskMonitoringLevels.join(", ")}`);
        }
        const metrics = level === "DEFAULT" ? 0 : (ctx.usage("enhancedMonitoringMetrics") ?? mskMonitoringMetrics(level, brokers, ctx.usage("topics") ?? ctx.stack.ofType("aws:msk/topic:Topic").length, ctx.usage("consumerGroupPartitions")));
        return priced(
            fixed(ctx, `Broker instances (${brokers} × ${instanceType})`, `msk.broker.${instanceType}`, monthlyHours(ctx, brokers)),
            storage,
            metrics > 0 ? [fixed(ctx, `Enhanced monitoring (${level}: ${metrics} CloudWatch metrics)`, "cloudwatch.customMetric.month", metrics)] : [],
        );
    },
});

export const mskServerlessCluster = costRule<aws.msk.ServerlessClusterArgs>({
    type: "aws:msk/serverlessCluster:ServerlessCluster",
    usage: {
        partitions: { unit: "partitions", description: "Partitions held on the cluster over the month." },
        monthlyDataInGb: { unit: "GB", description: "Data produced to the cluster per month." },
        monthlyDataOutGb: { unit: "GB", description: "Data consumed from the cluster per month." },
        storageGb: { unit: "GB", description: "Average data retained (GB-months)." },
    },
    price(_props, _resource, ctx) {
        const partitions = ctx.usage("partitions");
        return priced(
            fixed(ctx, "Cluster", "msk.serverless.clusterHour", monthlyHours(ctx, 1)),
            usage(ctx, "Partitions", "msk.serverless.partitionHour", partitions === undefined ? undefined : monthlyHours(ctx, partitions)),
            usage(ctx, "Data in", "msk.serverless.dataInGb", ctx.usage("monthlyDataInGb")),
            usage(ctx, "Data out", "msk.serverless.dataOutGb", ctx.usage("monthlyDataOutGb")),
            usage(ctx, "Storage", "msk.serverless.storageGb", ctx.usage("storageGb")),
        );
    },
});

/** Firehose bills ingestion in 5 KB increments per record. */
const firehoseIncrementKb = 5;
/** The Lambda processor's default buffer: Firehose invokes the function per 1 MiB or per 60 s of records, whichever comes first. */
const processorBufferMb = 1;
const processorBufferSeconds = 60;
const secondsPerMonth = (ctx: RuleContext) => ctx.hours * 3600;

/** The function a delivery stream's Lambda processor invokes: the `function:<name>` segment of its LambdaArn parameter. */
export function firehoseTransformFunctionName(props: Partial<Unwrap<aws.kinesis.FirehoseDeliveryStreamArgs>>): string | undefined {
    const processors = (props.extendedS3Configuration?.processingConfiguration?.processors ?? []) as { type?: unknown; parameters?: { parameterName?: unknown; parameterValue?: unknown }[] }[];
    for (const processor of processors) {
        const arn = processor.type === "Lambda" ? processor.parameters?.find((p) => p.parameterName === "LambdaArn")?.parameterValue : undefined;
        const name = typeof arn === "string" ? /:function:([^:]+)/.exec(arn)?.[1] : undefined;
        if (name) return name;
    }
    return undefined;
}

/**
 * Amazon Data Firehose from a Kinesis data stream to S3: ingestion per GB with each record rounded
 * up to 5 KB, dynamic partitioning per GB and per 1,000 objects delivered (each active dt/hour
 * partition flushes an object at least every buffer interval, more often when it fills the buffer
 * size), and the data-transformation function's invocations (1 MiB or 60 s of records each) and
 * duration at its memory, so the transformation function itself is priced here and not again.
 */
export const firehoseDeliveryStream = costRule<aws.kinesis.FirehoseDeliveryStreamArgs>({
    type: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    usage: {
        monthlyRecordsMillions: { unit: "1M records", description: "Records read from the source stream per month, in millions." },
        averageRecordKb: { unit: "KB", description: "Average record size in KB (billed in 5 KB increments per record)." },
        activePartitions: { unit: "partitions", description: "dt/hour partitions receiving records at the same time on average (1 for on-time data, more with late events)." },
        transformDurationMs: { unit: "ms", description: "Average billed duration of one data-transformation invocation." },
    },
    price(props, _resource, ctx) {
        const records = ctx.usage("monthlyRecordsMillions");
        const recordKb = ctx.usage("averageRecordKb");
        const known = records !== undefined && recordKb !== undefined;
        const billedGb = known ? (records * 1e6 * Math.ceil(recordKb / firehoseIncrementKb) * firehoseIncrementKb) / (1024 * 1024) : undefined;
        const dataGb = known ? (records * 1e6 * recordKb) / (1024 * 1024) : undefined;
        const partitioned = props.extendedS3Configuration?.dynamicPartitioningConfiguration?.enabled === true;
        const intervalSeconds = readNumber(props.extendedS3Configuration?.bufferingInterval, "extendedS3Configuration.bufferingInterval", 300);
        const sizeMb = readNumber(props.extendedS3Configuration?.bufferingSize, "extendedS3Configuration.bufferingSize", 5);
        const partitions = ctx.usage("activePartitions");
        const objects = partitions === undefined || dataGb === undefined ? undefined : Math.max((partitions * secondsPerMonth(ctx)) / intervalSeconds, (dataGb * 1024) / sizeMb);
        const components = [tiered(ctx, `Ingestion (${firehoseIncrementKb} KB increments)`, "firehose.ingestionGb", billedGb, true)];
        if (partitioned) {
            components.push([usage(ctx, "Dynamic partitioning: data processed", "firehose.dynamicPartitioningGb", dataGb), usage(ctx, "Dynamic partitioning: objects delivered", "firehose.dynamicPartitioningObjectsThousand", objects === undefined ? undefined : objects / 1000)]);
        }
        const functionName = firehoseTransformFunctionName(props);
        if (functionName !== undefined) {
            const fn = ctx.stack.ofType("aws:lambda/function:Function").find((r) => r.inputs.name === functionName);
            const memoryMb = readNumber(fn?.inputs.memorySize, "memorySize", 128);
            const invocations = dataGb === undefined ? undefined : Math.max((dataGb * 1024) / processorBufferMb, secondsPerMonth(ctx) / processorBufferSeconds);
            const durationMs = ctx.usage("transformDurationMs");
            const gbSeconds = invocations === undefined || durationMs === undefined ? undefined : ((invocations * durationMs) / 1000) * (memoryMb / 1024);
            const arm = ((fn?.inputs.architectures ?? ["x86_64"]) as unknown[]).includes("arm64");
            components.push([
                usage(ctx, `Transformation function ${functionName}: requests`, "lambda.requestsMillion", millions(invocations)),
                ...tiered(ctx, `Transformation function ${functionName}: duration (${memoryMb} MB, ${arm ? "arm64" : "x86_64"})`, arm ? "lambda.arm.gbSecond" : "lambda.x86.gbSecond", gbSeconds, true),
            ]);
        }
        return priced(...components);
    },
});

export const streamingRules: readonly AnyRule[] = [kinesisStream, mskCluster, mskServerlessCluster, firehoseDeliveryStream];
