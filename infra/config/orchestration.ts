/** Orchestration config: when the pipeline runs, and the daily late-data sweep. */
import { ConfigKey, ConfigReader } from "./reader";

export const orchestrationKeys: readonly ConfigKey[] = [
    { name: "pipelineSchedule", type: "string", default: "rate(1 hour)", example: "cron(15 * * * ? *)", description: "EventBridge schedule expression that starts the transform-and-load pipeline." },
    { name: "pipelineSweepSchedule", type: "string", default: "cron(30 2 * * ? *)", example: "cron(0 5 * * ? *)", description: "EventBridge schedule of the late-data sweep, which reruns the pipeline over the previous pipelineSweepDays UTC days so records that arrived after a day's last run reach curated and the warehouse." },
    { name: "pipelineSweepDays", type: "integer", default: 1, example: "2", description: "UTC days before today that the late-data sweep rebuilds (0 to 7; 0 turns the sweep off)." },
];

export interface OrchestrationConfig {
    readonly schedule: string;
    /** The daily rebuild of the previous `days` UTC days that takes in late records (0: none). */
    readonly sweep: { readonly schedule: string; readonly days: number };
}

export function parseOrchestration(reader: ConfigReader): OrchestrationConfig {
    const schedule = reader.scheduleExpression("pipelineSchedule", "cron(15 * * * ? *)");
    const sweep = { schedule: reader.scheduleExpression("pipelineSweepSchedule", "cron(30 2 * * ? *)"), days: reader.range("pipelineSweepDays", 0, 7) };
    return { schedule, sweep };
}
