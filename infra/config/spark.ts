/** Spark config: the EMR job's home (EMR Serverless or an EMR cluster) and its capacity. */
import { emrInstanceTypes, Environment } from "./catalog";
import { ConfigKey, ConfigReader } from "./reader";

export const sparkKeys: readonly ConfigKey[] = [
    { name: "sparkMode", type: "string", default: "serverless", example: "cluster", description: "Where the Spark job runs: serverless (EMR Serverless application) or cluster (EMR on EC2 with instance fleets)." },
    { name: "emrReleaseLabel", type: "string", default: "emr-7.5.0", example: "emr-7.5.0", description: "EMR release label (7.x)." },
    { name: "sparkMaxVcpu", type: "integer", default: 16, example: "64", description: "EMR Serverless maximum capacity in vCPU (4 to 4000)." },
    { name: "sparkMaxMemoryGb", type: "integer", default: 64, example: "256", description: "EMR Serverless maximum memory in GB (at least 2 GB per vCPU of sparkMaxVcpu, at most 8 GB per vCPU)." },
    { name: "emrInstanceType", type: "string", default: "m6g.xlarge", example: "m6g.2xlarge", description: "Instance type of EMR cluster nodes (cluster mode)." },
    { name: "emrCoreNodes", type: "integer", default: 2, example: "3", description: "On-demand core nodes of the EMR cluster (cluster mode, 1 to 20)." },
    { name: "emrMaxTaskNodes", type: "integer", default: 4, example: "10", description: "Maximum Spot task nodes the managed scaling policy may add (cluster mode, 0 to 100)." },
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
      };

/** Only the chosen mode's keys are judged; the other mode's keys keep their defaults unread. */
export function parseSpark(reader: ConfigReader, environment: Environment): SparkConfig {
    const mode = reader.oneOf("sparkMode", ["serverless", "cluster"] as const);
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
