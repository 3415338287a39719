import {
    capacityLimits,
    emrInstanceTypes,
    Environment,
    environments,
    fargateMemoryMb,
    interfaceEndpointServices,
    logRetentionValues,
    mskInstanceTypes,
    redshiftNodeTypes,
    TypeCatalogue,
} from "./catalog";
import { ConfigKey, configKeys, configNamespace } from "./keys";
import { parseCidr, planSubnets, SubnetPlan } from "./network";

export { configKeys, configNamespace } from "./keys";
export type { Environment } from "./catalog";

/**
 * The stack's configuration, parsed, defaulted and validated: plain typed objects that
 * components receive. Components never read `pulumi.Config` themselves.
 */
export interface PlatformConfig {
    readonly project: string;
    readonly stack: string;
    readonly environment: Environment;
    readonly region: string;
    /** Tags applied to every taggable resource through the provider's default tags. */
    readonly tags: Readonly<Record<string, string>>;
    readonly protectData: boolean;
    readonly logRetentionDays: number;
    readonly network: NetworkConfig;
    readonly streaming: StreamingConfig;
    readonly ingest: IngestConfig;
    readonly lake: LakeConfig;
    readonly governance: GovernanceConfig;
    readonly spark: SparkConfig;
    readonly batch: BatchConfig;
    readonly warehouse: WarehouseConfig;
    readonly orchestration: {
        readonly schedule: string;
        /** The daily rebuild of the previous `days` UTC days that takes in late records (0: none). */
        readonly sweep: { readonly schedule: string; readonly days: number };
    };
    readonly budget: { readonly monthlyUsd: number };
    readonly alerting: AlertingConfig;
}

export type NatStrategy = "None" | "Single" | "OnePerAz";

export interface NetworkConfig {
    readonly cidr: string;
    readonly availabilityZones: number;
    readonly natGateways: NatStrategy;
    readonly interfaceEndpoints: readonly string[];
    readonly subnets: SubnetPlan;
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
}

export interface IngestConfig {
    readonly memoryMb: number;
    readonly timeoutSeconds: number;
    readonly reservedConcurrency: number;
    readonly batchSize: number;
    readonly batchingWindowSeconds: number;
    readonly maxRetries: number;
    readonly maxRecordAgeSeconds: number;
    readonly kinesisParallelization: number;
    readonly mskMaxPollers: number;
}

export interface LakeConfig {
    readonly infrequentAccessDays: number;
    readonly archiveDays: number;
    readonly noncurrentVersionDays: number;
    readonly rejectsExpirationDays: number;
}

export interface GovernanceConfig {
    readonly manageLakeFormationSettings: boolean;
    readonly lakeFormationAdmins: readonly string[];
}

export type SparkConfig =
    | { readonly mode: "serverless"; readonly releaseLabel: string; readonly maxVcpu: number; readonly maxMemoryGb: number; readonly idleTimeoutMinutes: number }
    | {
          readonly mode: "cluster";
          readonly releaseLabel: string;
          readonly instanceType: string;
          readonly coreNodes: number;
          readonly maxTaskNodes: number;
          readonly idleTimeoutMinutes: number;
      };

export interface BatchConfig {
    readonly compute: "FARGATE" | "FARGATE_SPOT";
    readonly maxVcpus: number;
    readonly jobVcpus: string;
    readonly jobMemoryMb: number;
    readonly jobTimeoutMinutes: number;
    /** EventBridge schedule of the nightly compaction of the previous UTC day. */
    readonly compactionSchedule: string;
}

export type WarehouseConfig =
    | {
          readonly mode: "serverless";
          readonly baseRpu: number;
          readonly maxRpu: number;
          readonly dailyRpuHours: number;
          readonly adminUser: string;
          readonly database: string;
      }
    | {
          readonly mode: "provisioned";
          readonly nodeType: string;
          readonly nodeCount: number;
          readonly snapshotRetentionDays: number;
          readonly adminUser: string;
          readonly database: string;
      };

export interface AlertingConfig {
    readonly emails: readonly string[];
    /** Present only when set, always as a secret at the source; the value never lands in code. */
    readonly pagerDutyEndpointKey?: string;
}

/** One problem in the stack config, phrased so a user can fix it without reading code. */
export interface ConfigProblem {
    readonly key: string;
    readonly expected: string;
    readonly found: string;
    readonly fix: string;
}

export class ConfigError extends Error {
    readonly problems: readonly ConfigProblem[];
    constructor(stack: string, problems: readonly ConfigProblem[]) {
        const lines = problems.map((p) => `  - ${p.key}: expected ${p.expected}; found ${p.found}. Fix: ${p.fix}`);
        super(`Stack '${stack}' has ${problems.length} invalid config value${problems.length === 1 ? "" : "s"}:\n${lines.join("\n")}`);
        this.name = "ConfigError";
        this.problems = problems;
    }
}

/** Raw stack config: full keys (`platform:vpcCidr`, `aws:region`) to the strings Pulumi stores. */
export interface RawStackConfig {
    readonly project: string;
    readonly stack: string;
    readonly values: Readonly<Record<string, string>>;
    /** Full keys whose values are secrets. */
    readonly secretKeys: ReadonlySet<string>;
}

type Parsed = Record<string, string | number | boolean | string[]>;

const emailPattern = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;
const regionPattern = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const identifierPattern = /^[a-z][a-z0-9_]{0,62}$/;

function show(value: unknown): string {
    return typeof value === "string" ? `"${value}"` : JSON.stringify(value);
}

function setCommand(key: ConfigKey, value = key.example): string {
    const quoted = key.type === "array" ? `'${value}'` : value;
    return `pulumi config set ${key.secret ? "--secret " : ""}${configNamespace}:${key.name} ${quoted}`;
}

function suggest(unknown: string): string | undefined {
    const distance = (a: string, b: string): number => {
        const row = Array.from({ length: b.length + 1 }, (_, i) => i);
        for (let i = 1; i <= a.length; i++) {
            let previous = row[0];
            row[0] = i;
            for (let j = 1; j <= b.length; j++) {
                const current = row[j];
                row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
                previous = current;
            }
        }
        return row[b.length];
    };
    const best = configKeys.map((k) => ({ name: k.name, d: distance(unknown, k.name) })).sort((x, y) => x.d - y.d)[0];
    return best && best.d <= 3 ? best.name : undefined;
}

/** Parses each raw string by its declared type; returns the values and the type problems found. */
function parseRaw(raw: RawStackConfig, problems: ConfigProblem[]): Parsed {
    const parsed: Parsed = {};
    const prefix = `${configNamespace}:`;
    for (const fullKey of Object.keys(raw.values)) {
        if (fullKey.startsWith(prefix) && !configKeys.some((k) => prefix + k.name === fullKey)) {
            const name = fullKey.slice(prefix.length);
            const close = suggest(name);
            problems.push({
                key: fullKey,
                expected: "a key declared in Pulumi.yaml",
                found: "an unknown key",
                fix: close ? `rename it to ${prefix}${close}` : `remove it with pulumi config rm ${fullKey}`,
            });
        }
    }
    for (const key of configKeys) {
        const fullKey = prefix + key.name;
        const text = raw.values[fullKey];
        if (text === undefined) {
            const fallback = key.default ?? (key.type === "integer" ? 0 : key.type === "boolean" ? false : key.type === "array" ? [] : "");
            parsed[key.name] = Array.isArray(fallback) ? [...fallback] : (fallback as string | number | boolean);
            continue;
        }
        if (key.secret && text !== "" && !raw.secretKeys.has(fullKey)) {
            problems.push({
                key: fullKey,
                expected: "a secret value",
                found: "a plain-text value",
                fix: `remove it with pulumi config rm ${fullKey}, then ${setCommand(key)}`,
            });
        }
        switch (key.type) {
            case "string":
                parsed[key.name] = text;
                break;
            case "integer": {
                const trimmed = text.trim();
                if (!/^-?\d+$/.test(trimmed)) {
                    problems.push({ key: fullKey, expected: "an integer", found: show(text), fix: setCommand(key) });
                    parsed[key.name] = (key.default as number | undefined) ?? 0;
                } else {
                    parsed[key.name] = Number(trimmed);
                }
                break;
            }
            case "boolean":
                if (text !== "true" && text !== "false") {
                    problems.push({ key: fullKey, expected: "true or false", found: show(text), fix: setCommand(key) });
                    parsed[key.name] = key.default as boolean;
                } else {
                    parsed[key.name] = text === "true";
                }
                break;
            case "array": {
                let value: unknown;
                try {
                    value = JSON.parse(text);
                } catch {
                    value = undefined;
                }
                if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
                    problems.push({ key: fullKey, expected: "a list of strings", found: show(text), fix: setCommand(key) });
                    parsed[key.name] = [...((key.default as readonly string[] | undefined) ?? [])];
                } else {
                    parsed[key.name] = value as string[];
                }
                break;
            }
        }
    }
    return parsed;
}

/**
 * Reads, defaults and validates the whole stack config. Throws a `ConfigError` listing every
 * problem (key, expected, found, fix) before any resource is declared.
 */
export function parsePlatformConfig(raw: RawStackConfig): PlatformConfig {
    const problems: ConfigProblem[] = [];
    const v = parseRaw(raw, problems);
    const str = (name: string) => v[name] as string;
    const int = (name: string) => v[name] as number;
    const bool = (name: string) => v[name] as boolean;
    const list = (name: string) => v[name] as string[];
    const key = (name: string) => configKeys.find((k) => k.name === name)!;
    const fail = (name: string, expected: string, found: unknown, fix?: string) =>
        problems.push({ key: `${configNamespace}:${name}`, expected, found: show(found), fix: fix ?? setCommand(key(name)) });
    const range = (name: string, min: number, max: number) => {
        const value = int(name);
        if (value < min || value > max) {
            fail(name, `an integer from ${min} to ${max}`, value);
        }
        return value;
    };
    /** An EventBridge Scheduler expression: `rate(N unit)` or a six-field `cron(...)`. */
    const scheduleExpression = (name: string, example: string) => {
        const value = str(name);
        if (!/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(\S+ \S+ \S+ \S+ \S+ \S+\))$/.test(value)) {
            fail(name, `an EventBridge schedule such as rate(1 hour) or ${example}`, value, `pulumi config set platform:${name} '${example}'`);
        }
        return value;
    };
    const oneOf = <T extends string>(name: string, allowed: readonly T[]): T => {
        const value = str(name);
        if (!allowed.includes(value as T)) {
            fail(name, `one of ${allowed.join(", ")}`, value, setCommand(key(name), allowed[0]));
            return allowed[0];
        }
        return value as T;
    };

    const region = raw.values["aws:region"];
    if (region === undefined || !regionPattern.test(region)) {
        problems.push({
            key: "aws:region",
            expected: "an AWS region such as us-east-1",
            found: region === undefined ? "nothing" : show(region),
            fix: "pulumi config set aws:region us-east-1",
        });
    }

    const environment = oneOf("environment", environments);
    const prod = environment === "prod";

    const protectData = bool("protectData");
    if (prod && !protectData) {
        fail("protectData", "true in prod (data stores must be protected)", false, "pulumi config set platform:protectData true");
    }
    for (const tag of ["owner", "costCenter"]) {
        if (!/^[\w.:/=+\-@ ]{1,256}$/.test(str(tag))) {
            fail(tag, "a tag value of 1 to 256 letters, digits, spaces or _.:/=+-@", str(tag));
        }
    }
    const logRetentionDays = int("logRetentionDays");
    if (!logRetentionValues.includes(logRetentionDays)) {
        fail("logRetentionDays", `a CloudWatch retention value (${logRetentionValues.slice(0, 12).join(", ")}, ...)`, logRetentionDays);
    }

    // Network
    const azCount = range("availabilityZones", 1, 3);
    if (prod && azCount !== 3) {
        fail("availabilityZones", "3 in prod (high availability across three AZs)", azCount, "pulumi config set platform:availabilityZones 3");
    }
    const natGateways = oneOf<NatStrategy>("natGateways", ["None", "Single", "OnePerAz"]);
    if (prod && natGateways !== "OnePerAz") {
        fail("natGateways", "OnePerAz in prod (an AZ outage must not cut the others off)", natGateways, "pulumi config set platform:natGateways OnePerAz");
    }
    const cidrText = str("vpcCidr");
    let subnets: SubnetPlan | undefined;
    const cidr = parseCidr(cidrText);
    if (typeof cidr === "string") {
        fail("vpcCidr", "an IPv4 CIDR block such as 10.20.0.0/16", cidrText, `pulumi config set platform:vpcCidr 10.20.0.0/16 (${cidr})`);
    } else {
        const plan = planSubnets(cidr, Math.min(Math.max(azCount, 1), 3), natGateways !== "None");
        if (typeof plan === "string") {
            fail("vpcCidr", "a block from /16 to /22 so every AZ gets a private subnet of at least /24", cidrText, `use a larger block, e.g. pulumi config set platform:vpcCidr ${cidr.base}/16 (${plan})`);
        } else {
            subnets = plan;
        }
    }
    const endpoints = list("interfaceEndpoints");
    const unknownEndpoints = endpoints.filter((e) => !(e in interfaceEndpointServices));
    if (unknownEndpoints.length > 0) {
        fail("interfaceEndpoints", `service short names from: ${Object.keys(interfaceEndpointServices).join(", ")}`, unknownEndpoints);
    }
    if (new Set(endpoints).size !== endpoints.length) {
        fail("interfaceEndpoints", "each service once", endpoints);
    }

    // Streaming
    const engine = oneOf("streamingEngine", ["kinesis", "msk"] as const);
    const limits = capacityLimits[environment];
    let streaming: StreamingConfig;
    if (engine === "kinesis") {
        const mode = oneOf("kinesisMode", ["ON_DEMAND", "PROVISIONED"] as const);
        const shards = int("kinesisShardCount");
        if (mode === "ON_DEMAND" && shards !== 0) {
            fail("kinesisShardCount", "0 (unset) in ON_DEMAND mode, where Kinesis scales shards itself", shards, "pulumi config rm platform:kinesisShardCount, or pulumi config set platform:kinesisMode PROVISIONED");
        }
        if (mode === "PROVISIONED" && (shards < 1 || shards > limits.kinesisShards)) {
            fail("kinesisShardCount", `an integer from 1 to ${limits.kinesisShards} in PROVISIONED mode (${environment})`, shards, "pulumi config set platform:kinesisShardCount 2");
        }
        const retentionHours = range("kinesisRetentionHours", 24, 8760);
        streaming = { engine, kinesis: { mode, retentionHours, ...(mode === "PROVISIONED" ? { shardCount: shards } : {}) } };
    } else {
        const brokers = int("mskBrokerCount");
        if (brokers < 1 || brokers % Math.max(azCount, 1) !== 0) {
            fail("mskBrokerCount", `a positive multiple of availabilityZones (${azCount}) so brokers spread evenly`, brokers, `pulumi config set platform:mskBrokerCount ${Math.max(azCount, 1) * Math.max(1, Math.round(brokers / Math.max(azCount, 1)))}`);
        }
        if (prod && brokers < 3) {
            fail("mskBrokerCount", "at least 3 in prod (replication factor 3 with min.insync.replicas 2)", brokers, "pulumi config set platform:mskBrokerCount 3");
        }
        if (brokers > limits.mskBrokers) {
            fail("mskBrokerCount", `at most ${limits.mskBrokers} in ${environment}`, brokers);
        }
        const instanceType = checkType("mskInstanceType", mskInstanceTypes, environment, str("mskInstanceType"), fail);
        const volumeGiB = range("mskVolumeGiB", 1, 16384);
        const maxVolumeGiB = range("mskMaxVolumeGiB", 1, 16384);
        if (maxVolumeGiB < volumeGiB) {
            fail("mskMaxVolumeGiB", `at least mskVolumeGiB (${volumeGiB})`, maxVolumeGiB);
        }
        if (!/^\d+\.\d+(\.\d+|\.x)$/.test(str("mskKafkaVersion"))) {
            fail("mskKafkaVersion", "an MSK Kafka version such as 3.9.x or 3.6.0", str("mskKafkaVersion"));
        }
        const topicPartitions = range("topicPartitions", 1, 1000);
        streaming = { engine, msk: { kafkaVersion: str("mskKafkaVersion"), brokerCount: brokers, instanceType, volumeGiB, maxVolumeGiB, topicPartitions } };
    }

    const ingest: IngestConfig = {
        memoryMb: range("ingestMemoryMb", 128, 10240),
        timeoutSeconds: range("ingestTimeoutSeconds", 10, 900),
        reservedConcurrency: range("ingestReservedConcurrency", 1, 1000),
        batchSize: range("ingestBatchSize", 1, 10000),
        batchingWindowSeconds: range("ingestBatchingWindowSeconds", 0, 300),
        maxRetries: range("ingestMaxRetries", 0, 10000),
        maxRecordAgeSeconds: range("ingestMaxRecordAgeSeconds", 60, 604800),
        kinesisParallelization: range("kinesisParallelization", 1, 10),
        mskMaxPollers: range("mskMaxPollers", 1, 2000),
    };

    // Lake
    const lake: LakeConfig = {
        infrequentAccessDays: range("lakeInfrequentAccessDays", 30, 3650),
        archiveDays: range("lakeArchiveDays", 31, 3650),
        noncurrentVersionDays: range("lakeNoncurrentVersionDays", 1, 3650),
        rejectsExpirationDays: range("rejectsExpirationDays", 1, 3650),
    };
    if (lake.archiveDays <= lake.infrequentAccessDays) {
        fail("lakeArchiveDays", `more than lakeInfrequentAccessDays (${lake.infrequentAccessDays})`, lake.archiveDays);
    }
    if (lake.rejectsExpirationDays <= lake.archiveDays) {
        fail("rejectsExpirationDays", `more than lakeArchiveDays (${lake.archiveDays})`, lake.rejectsExpirationDays);
    }

    // Governance
    const admins = list("lakeFormationAdmins");
    const badAdmins = admins.filter((arn) => !/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/.test(arn));
    if (badAdmins.length > 0) {
        fail("lakeFormationAdmins", "IAM role or user ARNs", badAdmins);
    }
    const manageLakeFormationSettings = bool("manageLakeFormationSettings");
    if (manageLakeFormationSettings && admins.length === 0) {
        fail("lakeFormationAdmins", "at least one admin ARN when manageLakeFormationSettings is true", admins);
    }

    // Spark
    const sparkMode = oneOf("sparkMode", ["serverless", "cluster"] as const);
    const releaseLabel = str("emrReleaseLabel");
    if (!/^emr-7\.\d+\.\d+$/.test(releaseLabel)) {
        fail("emrReleaseLabel", "an EMR 7.x release label such as emr-7.5.0", releaseLabel);
    }
    const idleTimeoutMinutes = range("emrIdleTimeoutMinutes", 5, 1440);
    let spark: SparkConfig;
    if (sparkMode === "serverless") {
        const maxVcpu = range("sparkMaxVcpu", 4, 4000);
        if (maxVcpu > limits.sparkMaxVcpu) {
            fail("sparkMaxVcpu", `at most ${limits.sparkMaxVcpu} in ${environment}`, maxVcpu);
        }
        const maxMemoryGb = int("sparkMaxMemoryGb");
        if (maxMemoryGb < 2 * maxVcpu || maxMemoryGb > 8 * maxVcpu) {
            fail("sparkMaxMemoryGb", `from 2 to 8 GB per vCPU (${2 * maxVcpu} to ${8 * maxVcpu} for sparkMaxVcpu ${maxVcpu})`, maxMemoryGb, `pulumi config set platform:sparkMaxMemoryGb ${4 * maxVcpu}`);
        }
        spark = { mode: sparkMode, releaseLabel, maxVcpu, maxMemoryGb, idleTimeoutMinutes };
    } else {
        const instanceType = checkType("emrInstanceType", emrInstanceTypes, environment, str("emrInstanceType"), fail);
        const maxTaskNodes = range("emrMaxTaskNodes", 0, 100);
        if (maxTaskNodes > limits.emrMaxTaskNodes) {
            fail("emrMaxTaskNodes", `at most ${limits.emrMaxTaskNodes} in ${environment}`, maxTaskNodes);
        }
        spark = { mode: sparkMode, releaseLabel, instanceType, coreNodes: range("emrCoreNodes", 1, 20), maxTaskNodes, idleTimeoutMinutes };
    }

    // Batch
    const batchCompute = oneOf("batchCompute", ["FARGATE_SPOT", "FARGATE"] as const);
    const jobVcpus = str("batchJobVcpus");
    const memory = fargateMemoryMb[jobVcpus];
    const jobMemoryMb = int("batchJobMemoryMb");
    if (!memory) {
        fail("batchJobVcpus", `a Fargate vCPU value: ${Object.keys(fargateMemoryMb).join(", ")}`, jobVcpus);
    } else if (jobMemoryMb < memory.min || jobMemoryMb > memory.max || (jobMemoryMb - memory.min) % memory.step !== 0) {
        fail("batchJobMemoryMb", `${memory.min} to ${memory.max} MiB in steps of ${memory.step} for ${jobVcpus} vCPU on Fargate`, jobMemoryMb, `pulumi config set platform:batchJobMemoryMb ${memory.min}`);
    }
    const batchMaxVcpus = range("batchMaxVcpus", 1, 256);
    if (batchMaxVcpus > limits.batchMaxVcpus) {
        fail("batchMaxVcpus", `at most ${limits.batchMaxVcpus} in ${environment}`, batchMaxVcpus);
    }
    const batch: BatchConfig = {
        compute: batchCompute,
        maxVcpus: batchMaxVcpus,
        jobVcpus,
        jobMemoryMb,
        jobTimeoutMinutes: range("batchJobTimeoutMinutes", 1, 1440),
        compactionSchedule: scheduleExpression("batchCompactionSchedule", "cron(30 4 * * ? *)"),
    };

    // Warehouse
    const warehouseMode = oneOf("warehouseMode", ["serverless", "provisioned"] as const);
    const adminUser = str("warehouseAdminUser");
    if (!identifierPattern.test(adminUser) || ["admin", "awsuser", "root", "master", "rdsadmin"].includes(adminUser)) {
        fail("warehouseAdminUser", "a lower-case identifier other than admin, awsuser, root or master", adminUser);
    }
    const database = str("warehouseDatabase");
    if (!identifierPattern.test(database) || database === "dev") {
        fail("warehouseDatabase", "a lower-case identifier other than the default 'dev'", database);
    }
    let warehouse: WarehouseConfig;
    if (warehouseMode === "serverless") {
        const baseRpu = int("warehouseBaseRpu");
        const maxRpu = int("warehouseMaxRpu");
        if (baseRpu < 8 || baseRpu > 1024 || baseRpu % 8 !== 0) {
            fail("warehouseBaseRpu", "a multiple of 8 from 8 to 1024", baseRpu, "pulumi config set platform:warehouseBaseRpu 8");
        }
        if (maxRpu < baseRpu || maxRpu > 1024 || maxRpu % 8 !== 0) {
            fail("warehouseMaxRpu", `a multiple of 8 from warehouseBaseRpu (${baseRpu}) to 1024`, maxRpu, `pulumi config set platform:warehouseMaxRpu ${Math.max(baseRpu, 8) * 4}`);
        } else if (maxRpu > limits.warehouseMaxRpu) {
            fail("warehouseMaxRpu", `at most ${limits.warehouseMaxRpu} in ${environment}`, maxRpu);
        }
        if (azCount !== 3) {
            fail("availabilityZones", "3 with a serverless warehouse (a Redshift Serverless workgroup needs subnets in three AZs)", azCount, "pulumi config set platform:availabilityZones 3, or pulumi config set platform:warehouseMode provisioned");
        }
        warehouse = { mode: warehouseMode, baseRpu, maxRpu, dailyRpuHours: range("warehouseDailyRpuHours", 1, 24576), adminUser, database };
    } else {
        const nodeType = checkType("warehouseNodeType", redshiftNodeTypes, environment, str("warehouseNodeType"), fail);
        const nodeCount = range("warehouseNodeCount", 1, 32);
        if ((nodeType === "ra3.large" || nodeType === "ra3.xlplus") && nodeCount > 16) {
            fail("warehouseNodeCount", `at most 16 for ${nodeType}`, nodeCount);
        }
        if (nodeCount > limits.warehouseNodes) {
            fail("warehouseNodeCount", `at most ${limits.warehouseNodes} in ${environment}`, nodeCount);
        }
        if (prod && nodeCount < 2) {
            fail("warehouseNodeCount", "at least 2 in prod (a single-node cluster has no redundancy)", nodeCount, "pulumi config set platform:warehouseNodeCount 2");
        }
        warehouse = { mode: warehouseMode, nodeType, nodeCount, snapshotRetentionDays: range("warehouseSnapshotRetentionDays", 1, 35), adminUser, database };
    }

    const schedule = scheduleExpression("pipelineSchedule", "cron(15 * * * ? *)");
    const sweep = { schedule: scheduleExpression("pipelineSweepSchedule", "cron(30 2 * * ? *)"), days: range("pipelineSweepDays", 0, 7) };

    // Budget and alerting: the budget has no default on purpose; every stack states its own.
    const budgetText = raw.values[`${configNamespace}:budgetMonthlyUsd`];
    const budget = int("budgetMonthlyUsd");
    if (budgetText === undefined) {
        problems.push({ key: `${configNamespace}:budgetMonthlyUsd`, expected: "a monthly budget in USD (required, no default)", found: "nothing", fix: "pulumi config set platform:budgetMonthlyUsd 150" });
    } else if (budget <= 0) {
        fail("budgetMonthlyUsd", "a positive whole number of USD", budget, "pulumi config set platform:budgetMonthlyUsd 150");
    }
    const emails = list("alertEmails");
    const badEmails = emails.filter((e) => !emailPattern.test(e));
    if (badEmails.length > 0) {
        fail("alertEmails", "e-mail addresses such as data-oncall@example.com", badEmails);
    }
    if (prod && emails.length === 0) {
        fail("alertEmails", "at least one address in prod so alarms and budget alerts reach someone", emails);
    }
    const pagerDutyKey = `${configNamespace}:pagerDutyEndpoint`;
    const pagerDuty = str("pagerDutyEndpoint");
    if (pagerDuty !== "" && raw.secretKeys.has(pagerDutyKey) && !/^https:\/\/[^\s/]+\/\S*$/.test(pagerDuty)) {
        problems.push({ key: pagerDutyKey, expected: "an https:// URL", found: "a secret value that is not one", fix: `${setCommand(key("pagerDutyEndpoint"))}` });
    }

    if (problems.length > 0 || !subnets || !region) {
        throw new ConfigError(raw.stack, problems);
    }
    return {
        project: raw.project,
        stack: raw.stack,
        environment,
        region,
        tags: { environment, owner: str("owner"), "cost-center": str("costCenter"), project: raw.project, stack: raw.stack },
        protectData,
        logRetentionDays,
        network: { cidr: cidrText, availabilityZones: azCount, natGateways, interfaceEndpoints: endpoints, subnets },
        streaming,
        ingest,
        lake,
        governance: { manageLakeFormationSettings, lakeFormationAdmins: admins },
        spark,
        batch,
        warehouse,
        orchestration: { schedule, sweep },
        budget: { monthlyUsd: budget },
        alerting: { emails, ...(pagerDuty !== "" ? { pagerDutyEndpointKey: pagerDutyKey } : {}) },
    };
}

function checkType(
    name: string,
    catalogue: TypeCatalogue,
    environment: Environment,
    value: string,
    fail: (name: string, expected: string, found: unknown, fix?: string) => void,
): string {
    const allowed = catalogue.allowed[environment];
    if (!catalogue.known.includes(value)) {
        fail(name, `a known type: ${catalogue.known.join(", ")}`, value, `pulumi config set platform:${name} ${allowed[0]}`);
    } else if (catalogue.refused?.[value]) {
        fail(name, `a supported type (${catalogue.refused[value]})`, value, `pulumi config set platform:${name} ${allowed[0]}`);
    } else if (!allowed.includes(value)) {
        fail(name, `a type allowed in ${environment}: ${allowed.join(", ")}`, value, `pulumi config set platform:${name} ${allowed[0]}`);
    }
    return value;
}
