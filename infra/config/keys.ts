/**
 * Every `platform:*` stack config key, with its Pulumi type, description and default.
 *
 * This table is the single source of truth: `Pulumi.yaml` declares exactly these keys with these
 * defaults (a test compares them), the config reader parses raw values with these types, and the
 * README's config reference lists them.
 */

export type ConfigValueType = "string" | "integer" | "boolean" | "array";

export interface ConfigKey {
    /** Key without the `platform:` namespace. */
    readonly name: string;
    readonly type: ConfigValueType;
    readonly description: string;
    /**
     * Applied when the stack does not set the key (Pulumi applies the same default from Pulumi.yaml).
     * A key without a default is required: every stack must set it.
     */
    readonly default?: string | number | boolean | readonly string[];
    /** The value must be set with `pulumi config set --secret`. */
    readonly secret?: boolean;
    /** A short example for the error message's fix line. */
    readonly example: string;
}

export const configNamespace = "platform";

export const configKeys: readonly ConfigKey[] = [
    // Environment and ownership
    { name: "environment", type: "string", default: "dev", example: "prod", description: "Environment of this stack: dev or prod. prod turns on the production guardrails (3 AZs, data protection, mandatory policies)." },
    { name: "owner", type: "string", default: "data-platform", example: "data-platform", description: "Owning team, applied as the `owner` tag on every taggable resource." },
    { name: "costCenter", type: "string", default: "analytics", example: "analytics", description: "Cost center, applied as the `cost-center` tag on every taggable resource." },
    { name: "protectData", type: "boolean", default: false, example: "true", description: "Protect data stores (buckets, keys, streams, clusters, warehouses, catalog databases) with protect and retainOnDelete, and take final snapshots. Must be true in prod." },
    { name: "logRetentionDays", type: "integer", default: 30, example: "90", description: "Retention of every CloudWatch log group the platform creates, in days (a value CloudWatch accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...)." },

    // Network
    { name: "vpcCidr", type: "string", default: "10.20.0.0/16", example: "10.20.0.0/16", description: "IPv4 CIDR of the VPC, /16 to /22. Private subnets get a quarter each, public subnets a sixteenth." },
    { name: "availabilityZones", type: "integer", default: 2, example: "3", description: "Number of availability zones, 1 to 3. prod requires 3." },
    { name: "natGateways", type: "string", default: "Single", example: "OnePerAz", description: "NAT gateway strategy: None (private subnets reach AWS only through VPC endpoints), Single, or OnePerAz." },
    { name: "interfaceEndpoints", type: "array", default: ["kms", "logs", "monitoring", "sts", "sqs"], example: '["kms","logs","sts"]', description: "AWS services reached from private subnets through interface VPC endpoints (S3 always has a gateway endpoint). Service short names such as kms, logs, monitoring, sts, sqs, kinesis-streams, secretsmanager, glue, redshift-data." },

    // Streaming
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

    // Lake
    { name: "lakeInfrequentAccessDays", type: "integer", default: 30, example: "30", description: "Days after which raw, curated and rejects objects move to S3 Standard-IA (at least 30)." },
    { name: "lakeArchiveDays", type: "integer", default: 180, example: "365", description: "Days after which raw and rejects objects move to Glacier Instant Retrieval; greater than lakeInfrequentAccessDays." },
    { name: "lakeNoncurrentVersionDays", type: "integer", default: 30, example: "30", description: "Days a noncurrent object version is kept before it expires (1 to 3650)." },
    { name: "rejectsExpirationDays", type: "integer", default: 400, example: "400", description: "Days after which rejected records expire; greater than lakeArchiveDays." },

    // Governance
    { name: "manageLakeFormationSettings", type: "boolean", default: false, example: "true", description: "This stack owns the account's Lake Formation data lake settings (a per-account singleton). Set it on exactly one stack per account." },
    { name: "lakeFormationAdmins", type: "array", default: [], example: '["arn:aws:iam::123456789012:role/DataPlatformAdmin"]', description: "IAM role or user ARNs made Lake Formation administrators when manageLakeFormationSettings is true." },

    // Warehouse
    { name: "warehouseMode", type: "string", default: "serverless", example: "provisioned", description: "Redshift deployment: serverless (namespace and workgroup) or provisioned (RA3 cluster)." },
    { name: "warehouseBaseRpu", type: "integer", default: 8, example: "32", description: "Serverless base capacity in RPUs: a multiple of 8 from 8 to 1024." },
    { name: "warehouseMaxRpu", type: "integer", default: 32, example: "128", description: "Serverless maximum capacity in RPUs: a multiple of 8, at least warehouseBaseRpu, at most 1024." },
    { name: "warehouseDailyRpuHours", type: "integer", default: 24, example: "96", description: "Serverless usage limit in RPU-hours per day; queries stop when it is reached (1 to 24576)." },
    { name: "warehouseNodeType", type: "string", default: "ra3.large", example: "ra3.xlplus", description: "Provisioned node type; each environment allows a list of RA3 types." },
    { name: "warehouseNodeCount", type: "integer", default: 2, example: "2", description: "Provisioned node count (1 to 32; ra3.large and ra3.xlplus up to 16)." },
    { name: "warehouseAdminUser", type: "string", default: "platform_admin", example: "platform_admin", description: "Admin user name (not 'admin', 'awsuser' or 'root'); its password is managed by Redshift in Secrets Manager." },
    { name: "warehouseDatabase", type: "string", default: "analytics", example: "analytics", description: "Database name (not 'dev')." },
    { name: "warehouseSnapshotRetentionDays", type: "integer", default: 7, example: "35", description: "Automated snapshot retention of a provisioned cluster, 1 to 35 days." },

    // Ingest functions
    { name: "ingestMemoryMb", type: "integer", default: 512, example: "1024", description: "Memory of each ingest function in MB (128 to 10240)." },
    { name: "ingestTimeoutSeconds", type: "integer", default: 120, example: "300", description: "Timeout of each ingest function in seconds (10 to 900)." },
    { name: "ingestReservedConcurrency", type: "integer", default: 10, example: "50", description: "Reserved concurrency of each ingest function (1 to 1000): caps its share of the account's concurrency." },
    { name: "ingestBatchSize", type: "integer", default: 500, example: "1000", description: "Records per invocation from the event source mapping (1 to 10000)." },
    { name: "ingestBatchingWindowSeconds", type: "integer", default: 5, example: "10", description: "Maximum batching window of the event source mapping in seconds (0 to 300)." },
    { name: "ingestMaxRetries", type: "integer", default: 5, example: "10", description: "Retries of a failing batch before it goes to the on-failure destination (0 to 10000)." },
    { name: "ingestMaxRecordAgeSeconds", type: "integer", default: 86400, example: "21600", description: "Records older than this go to the on-failure destination instead of being retried (60 to 604800)." },
    { name: "kinesisParallelization", type: "integer", default: 2, example: "4", description: "Concurrent batches per Kinesis shard (1 to 10)." },
    { name: "mskMaxPollers", type: "integer", default: 4, example: "10", description: "Maximum provisioned pollers of each MSK event source mapping (1 to 2000)." },

    // Spark on EMR
    { name: "sparkMode", type: "string", default: "serverless", example: "cluster", description: "Where the Spark job runs: serverless (EMR Serverless application) or cluster (EMR on EC2 with instance fleets)." },
    { name: "emrReleaseLabel", type: "string", default: "emr-7.5.0", example: "emr-7.5.0", description: "EMR release label (7.x)." },
    { name: "sparkMaxVcpu", type: "integer", default: 16, example: "64", description: "EMR Serverless maximum capacity in vCPU (4 to 4000)." },
    { name: "sparkMaxMemoryGb", type: "integer", default: 64, example: "256", description: "EMR Serverless maximum memory in GB (at least 2 GB per vCPU of sparkMaxVcpu, at most 8 GB per vCPU)." },
    { name: "emrInstanceType", type: "string", default: "m6g.xlarge", example: "m6g.2xlarge", description: "Instance type of EMR cluster nodes (cluster mode)." },
    { name: "emrCoreNodes", type: "integer", default: 2, example: "3", description: "On-demand core nodes of the EMR cluster (cluster mode, 1 to 20)." },
    { name: "emrMaxTaskNodes", type: "integer", default: 4, example: "10", description: "Maximum Spot task nodes the managed scaling policy may add (cluster mode, 0 to 100)." },
    { name: "emrIdleTimeoutMinutes", type: "integer", default: 30, example: "60", description: "Idle minutes before the EMR cluster terminates or the serverless application stops (5 to 1440)." },

    // AWS Batch
    { name: "batchCompute", type: "string", default: "FARGATE_SPOT", example: "FARGATE", description: "Batch compute environment type: FARGATE_SPOT or FARGATE." },
    { name: "batchMaxVcpus", type: "integer", default: 16, example: "64", description: "Maximum vCPUs of the Batch compute environment (1 to 256)." },
    { name: "batchJobVcpus", type: "string", default: "1", example: "2", description: "vCPUs per replay or compaction job: a Fargate value (0.25, 0.5, 1, 2, 4, 8, 16)." },
    { name: "batchJobMemoryMb", type: "integer", default: 2048, example: "4096", description: "Memory per job in MiB, valid for the chosen vCPUs on Fargate." },
    { name: "batchJobTimeoutMinutes", type: "integer", default: 60, example: "120", description: "Timeout of one job attempt in minutes (1 to 1440)." },
    { name: "batchCompactionSchedule", type: "string", default: "cron(30 4 * * ? *)", example: "cron(0 6 * * ? *)", description: "EventBridge schedule of the nightly compaction of the previous UTC day's raw objects (one Batch job per dataset). Runs after the last pipeline run of that day has had time to finish." },

    // Orchestration
    { name: "pipelineSchedule", type: "string", default: "rate(1 hour)", example: "cron(15 * * * ? *)", description: "EventBridge schedule expression that starts the transform-and-load pipeline." },
    { name: "pipelineSweepSchedule", type: "string", default: "cron(30 2 * * ? *)", example: "cron(0 5 * * ? *)", description: "EventBridge schedule of the late-data sweep, which reruns the pipeline over the previous pipelineSweepDays UTC days so records that arrived after a day's last run reach curated and the warehouse." },
    { name: "pipelineSweepDays", type: "integer", default: 1, example: "2", description: "UTC days before today that the late-data sweep rebuilds (0 to 7; 0 turns the sweep off)." },

    // Budget and alerting
    { name: "budgetMonthlyUsd", type: "integer", example: "150", description: "Required, no default: the monthly budget in USD, used by the AWS Budgets budget and by the cost policy (one number)." },
    { name: "alertEmails", type: "array", default: [], example: '["data-oncall@example.com"]', description: "E-mail addresses subscribed to the alarm topic and to budget notifications." },
    { name: "pagerDutyEndpoint", type: "string", default: "", secret: true, example: "https://events.pagerduty.com/integration/<key>/enqueue", description: "Optional HTTPS endpoint (with its integration key) subscribed to the alarm topic. A secret: set it with `pulumi config set --secret`." },
];
