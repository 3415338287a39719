/** AWS Batch config: the Fargate compute environment, the job size and the compaction schedule. */
import { Environment, fargateMemoryMb } from "./catalog";
import { ConfigKey, ConfigReader } from "./reader";

export const batchKeys: readonly ConfigKey[] = [
    { name: "batchCompute", type: "string", default: "FARGATE_SPOT", example: "FARGATE", description: "Batch compute environment type: FARGATE_SPOT or FARGATE." },
    { name: "batchMaxVcpus", type: "integer", default: 16, example: "64", description: "Maximum vCPUs of the Batch compute environment (1 to 256)." },
    { name: "batchJobVcpus", type: "string", default: "1", example: "2", description: "vCPUs per replay or compaction job: a Fargate value (0.25, 0.5, 1, 2, 4, 8, 16)." },
    { name: "batchJobMemoryMb", type: "integer", default: 2048, example: "4096", description: "Memory per job in MiB, valid for the chosen vCPUs on Fargate." },
    { name: "batchJobTimeoutMinutes", type: "integer", default: 60, example: "120", description: "Timeout of one job attempt in minutes (1 to 1440)." },
    { name: "batchCompactionSchedule", type: "string", default: "cron(30 4 * * ? *)", example: "cron(0 6 * * ? *)", description: "EventBridge schedule of the nightly compaction of the previous UTC day's raw objects (one Batch job per dataset). Runs after the last pipeline run of that day has had time to finish." },
];

export interface BatchConfig {
    readonly compute: "FARGATE" | "FARGATE_SPOT";
    readonly maxVcpus: number;
    readonly jobVcpus: string;
    readonly jobMemoryMb: number;
    readonly jobTimeoutMinutes: number;
    /** EventBridge schedule of the nightly compaction of the previous UTC day. */
    readonly compactionSchedule: string;
}

export function parseBatch(reader: ConfigReader, environment: Environment): BatchConfig {
    const compute = reader.oneOf("batchCompute", ["FARGATE_SPOT", "FARGATE"] as const);
    const jobVcpus = reader.str("batchJobVcpus");
    const memory = fargateMemoryMb[jobVcpus];
    const jobMemoryMb = reader.int("batchJobMemoryMb");
    if (!memory) {
        reader.fail("batchJobVcpus", `a Fargate vCPU value: ${Object.keys(fargateMemoryMb).join(", ")}`, jobVcpus);
    } else if (jobMemoryMb < memory.min || jobMemoryMb > memory.max || (jobMemoryMb - memory.min) % memory.step !== 0) {
        reader.fail("batchJobMemoryMb", `${memory.min} to ${memory.max} MiB in steps of ${memory.step} for ${jobVcpus} vCPU on Fargate`, jobMemoryMb, `pulumi config set platform:batchJobMemoryMb ${memory.min}`);
    }
    const maxVcpus = reader.range("batchMaxVcpus", 1, 256);
    reader.withinCapacity("batchMaxVcpus", maxVcpus, "batchMaxVcpus", environment);
    return {
        compute,
        maxVcpus,
        jobVcpus,
        jobMemoryMb,
        jobTimeoutMinutes: reader.range("batchJobTimeoutMinutes", 1, 1440),
        compactionSchedule: reader.scheduleExpression("batchCompactionSchedule", "cron(30 4 * * ? *)"),
    };
}
