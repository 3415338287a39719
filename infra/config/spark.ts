/** Spark config: the Spark jobs' home (EMR Serverless, an EMR cluster or AWS Glue) and its capacity. */
import { emrInstanceTypes, Environment } from "./catalog";
import { ConfigKey, ConfigReader } from "./reader";

export const sparkKeys: readonly ConfigKey[] = [
    { name: "sparkMode", type: "string", default: "serverless", example: "cluster", description: "Where the Spark job runs: serverless (EMR Serverless application), cluster (EMR on EC2 with instance fleets) or glue (AWS Glue 5 Spark jobs)." },
    { name: "emrReleaseLabel", type: "string", default: "emr-7.5.0", example: "emr-7.5.0", description: "EMR release label (7.x)." },
    { name: "sparkMaxVcpu", type: "integer", default: 16, example: "64", description: "EMR Serverless maximum capacity in vCPU (4 to 4000)." },
    { name: "sparkMaxMemoryGb", type: "integer", default: 64, example: "256", description: "EMR Serverless maximum memory in GB (at least 2 GB per vCPU of sparkMaxVcpu, at most 8 GB per vCPU)." },
    { name: "emrInstanceType", type: "string", default: "m6g.xlarge", example: "m6g.2xlarge", description: "Instance type of EMR cluster nodes (cluster mode)." },
    { name: "emrCoreNodes", type: "integer", default: 2, example: "3", description: "On-demand core nodes of the EMR cluster (cluster mode, 1 to 20)." },
    { name: "emrMaxTaskNodes", type: "integer", default: 4, example: "10", description: "Maximum Spot task nodes the managed scaling policy may add (cluster mode, 0 to 100)." },
    { name: "glueVersion", type: "string", default: "5.0", example: "5.0", description: "Glue version of the Glue jobs (glue mode; 5.x: Spark 3.5, Python 3.11)." },
    { name: "glueWorkerType", type: "string", default: "G.1X", example: "G.2X", description: "Worker type of the Glue jobs (glue mode): G.1X (1 DPU: 4 vCPU, 16 GB), G.2X (2 DPU), G.4X (4 DPU) or G.8X (8 DPU); dev allows G.1X and G.2X." },
    { name: "glueWorkers", type: "integer", default: 2, example: "4", description: "Workers per Glue job run, driver included (glue mode, 2 to 100; at most 10 in dev)." },
    { name: "glueTimeoutMinutes", type: "integer", default: 120, example: "180", description: "Minutes a Glue job run may take before Glue stops it with TIMEOUT (glue mode, 5 to 2880)." },
    { name: "emrIdleTimeoutMinutes", type: "integer", default: 30, example: "60", description: "Idle minutes before the EMR cluster terminates or the serverless application stops (5 to 1440)." },
];

export type SparkConfig =
    | { readonly mode: "serverless"; readonly releaseLabel: string; readonly maxVcpu: number; readonly maxMemoryGb: number; readonly idleTimeoutMinutes: number }
    | {
          readonly mode: "cluster";
          readonly releaseLabel: string;
          readonly instanceType: string;
          readonly coreNodes: number;
          readonly maxTaskNodes: number;
          readonly idleTimeoutMinutes: number;
      }
    | GlueSparkConfig;

/** Glue worker types for Spark ETL jobs and the DPUs each is billed at. */
export const glueWorkerDpus: Readonly<Record<string, number>> = { "G.1X": 1, "G.2X": 2, "G.4X": 4, "G.8X": 8 };

/** Worker types and worker counts each environment allows (G.4X and G.8X are for large prod jobs). */
export const glueLimits: Readonly<Record<Environment, { readonly workerTypes: readonly string[]; readonly maxWorkers: number }>> = {
    dev: { workerTypes: ["G.1X", "G.2X"], maxWorkers: 10 },
    prod: { workerTypes: ["G.1X", "G.2X", "G.4X", "G.8X"], maxWorkers: 100 },
};

/** Glue mode: every Spark job is a Glue job of this version, worker type and size, stopped after `timeoutMinutes`. */
export interface GlueSparkConfig {
    readonly mode: "glue";
    readonly glueVersion: string;
    readonly workerType: string;
    readonly workers: number;
    readonly timeoutMinutes: number;
}

/** Only the chosen mode's keys are judged; the other mode's keys keep their defaults unread. */
export function parseSpark(reader: ConfigReader, environment: Environment): SparkConfig {
    const mode = reader.oneOf("sparkMode", ["serverless", "cluster", "glue"] as const);
    if (mode === "glue") {
        return parseGlue(reader, environment);
    }
    const releaseLabel = reader.str("emrReleaseLabel");
    if (!/^emr-7\.\d+\.\d+$/.test(releaseLabel)) {
        reader.fail("emrReleaseLabel", "an EMR 7.x release label such as emr-7.5.0", releaseLabel);
    }
    const idleTimeoutMinutes = reader.range("emrIdleTimeoutMinutes", 5, 1440);
    if (mode === "serverless") {
        const maxVcpu = reader.range("sparkMaxVcpu", 4, 4000);
        reader.withinCapacity("sparkMaxVcpu", maxVcpu, "sparkMaxVcpu", environment);
        const maxMemoryGb = reader.int("sparkMaxMemoryGb");
        if (maxMemoryGb < 2 * maxVcpu || maxMemoryGb > 8 * maxVcpu) {
            reader.fail("sparkMaxMemoryGb", `from 2 to 8 GB per vCPU (${2 * maxVcpu} to ${8 * maxVcpu} for sparkMaxVcpu ${maxVcpu})`, maxMemoryGb, `pulumi config set platform:sparkMaxMemoryGb ${4 * maxVcpu}`);
        }
        return { mode, releaseLabel, maxVcpu, maxMemoryGb, idleTimeoutMinutes };
    }
    const instanceType = reader.catalogueType("emrInstanceType", emrInstanceTypes, environment);
    const maxTaskNodes = reader.range("emrMaxTaskNodes", 0, 100);
    reader.withinCapacity("emrMaxTaskNodes", maxTaskNodes, "emrMaxTaskNodes", environment);
    return { mode, releaseLabel, instanceType, coreNodes: reader.range("emrCoreNodes", 1, 20), maxTaskNodes, idleTimeoutMinutes };
}

/** The glue mode's keys; the EMR keys keep their defaults unread. */
function parseGlue(reader: ConfigReader, environment: Environment): GlueSparkConfig {
    const glueVersion = reader.str("glueVersion");
    if (!/^5\.\d+$/.test(glueVersion)) {
        reader.fail("glueVersion", "a Glue 5.x version such as 5.0 (Spark 3.5, Python 3.11: what the job scripts are tested with)", glueVersion, "pulumi config set platform:glueVersion 5.0");
    }
    const limits = glueLimits[environment];
    const workerType = reader.str("glueWorkerType");
    if (!limits.workerTypes.includes(workerType)) {
        const known = glueWorkerDpus[workerType] !== undefined;
        reader.fail("glueWorkerType", known ? `a worker type allowed in ${environment}: ${limits.workerTypes.join(", ")}` : `a Glue Spark worker type: ${Object.keys(glueWorkerDpus).join(", ")}`, workerType, `pulumi config set platform:glueWorkerType ${limits.workerTypes[0]}`);
    }
    const workers = reader.range("glueWorkers", 2, 100);
    if (workers > limits.maxWorkers) {
        reader.fail("glueWorkers", `at most ${limits.maxWorkers} in ${environment}`, workers, `pulumi config set platform:glueWorkers ${limits.maxWorkers}`);
    }
    return { mode: "glue", glueVersion, workerType, workers, timeoutMinutes: reader.range("glueTimeoutMinutes", 5, 2880) };
}
