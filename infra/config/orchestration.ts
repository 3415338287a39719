/**
 * Orchestration config: what runs the pipeline (Step Functions or Apache Airflow on Amazon MWAA),
 * when it runs, and the daily late-data sweep.
 */
import { airflowSchedule } from "../orchestration/airflow";
import { Environment } from "./catalog";
import { ConfigKey, ConfigReader } from "./reader";

/** MWAA's environment classes, smallest first (mw1.micro: one combined scheduler/worker, one web server). */
export const airflowEnvironmentClasses = ["mw1.micro", "mw1.small", "mw1.medium", "mw1.large", "mw1.xlarge", "mw1.2xlarge"] as const;
export type AirflowEnvironmentClass = (typeof airflowEnvironmentClasses)[number];

export const orchestrationKeys: readonly ConfigKey[] = [
    { name: "orchestrator", type: "string", default: "stepfunctions", example: "airflow", description: "What runs the pipeline: stepfunctions (a Step Functions state machine started by EventBridge Scheduler) or airflow (the same pipeline as an Apache Airflow DAG on Amazon MWAA)." },
    { name: "pipelineSchedule", type: "string", default: "rate(1 hour)", example: "cron(15 * * * ? *)", description: "EventBridge schedule expression that starts the transform-and-load pipeline." },
    { name: "pipelineSweepSchedule", type: "string", default: "cron(30 2 * * ? *)", example: "cron(0 5 * * ? *)", description: "EventBridge schedule of the late-data sweep, which reruns the pipeline over the previous pipelineSweepDays UTC days so records that arrived after a day's last run reach curated and the warehouse." },
    { name: "pipelineSweepDays", type: "integer", default: 1, example: "2", description: "UTC days before today that the late-data sweep rebuilds (0 to 7; 0 turns the sweep off)." },
    { name: "airflowEnvironmentClass", type: "string", default: "mw1.micro", example: "mw1.small", description: "orchestrator airflow: the MWAA environment class (mw1.micro, mw1.small, mw1.medium, mw1.large, mw1.xlarge, mw1.2xlarge). prod needs mw1.small or larger: mw1.micro runs one combined scheduler/worker and one web server." },
    { name: "airflowMinWorkers", type: "integer", default: 1, example: "1", description: "orchestrator airflow: workers MWAA always runs (1 to 25; 1 with mw1.micro)." },
    { name: "airflowMaxWorkers", type: "integer", default: 1, example: "3", description: "orchestrator airflow: workers MWAA may scale out to (airflowMinWorkers to 25; 1 with mw1.micro)." },
];

/** The MWAA environment of `orchestrator: airflow`. */
export interface AirflowConfig {
    readonly environmentClass: AirflowEnvironmentClass;
    readonly minWorkers: number;
    readonly maxWorkers: number;
}

export interface OrchestrationConfig {
    /** What runs the pipeline. */
    readonly orchestrator: "stepfunctions" | "airflow";
    readonly schedule: string;
    /** The daily rebuild of the previous `days` UTC days that takes in late records (0: none). */
    readonly sweep: { readonly schedule: string; readonly days: number };
    /** Present when `orchestrator` is airflow. */
    readonly airflow?: AirflowConfig;
}

export function parseOrchestration(reader: ConfigReader, environment: Environment): OrchestrationConfig {
    const orchestrator = reader.oneOf("orchestrator", ["stepfunctions", "airflow"] as const);
    const schedule = reader.scheduleExpression("pipelineSchedule", "cron(15 * * * ? *)");
    const sweep = { schedule: reader.scheduleExpression("pipelineSweepSchedule", "cron(30 2 * * ? *)"), days: reader.range("pipelineSweepDays", 0, 7) };
    if (orchestrator === "stepfunctions") {
        return { orchestrator, schedule, sweep };
    }
    // The DAGs carry the schedules: each must have a five-field cron equivalent.
    for (const [name, expression] of [["pipelineSchedule", schedule], ["pipelineSweepSchedule", sweep.schedule]] as const) {
        try {
            airflowSchedule(expression);
        } catch {
            if (/^(rate|cron)\(/.test(expression)) {
                reader.fail(name, "with orchestrator airflow, a schedule Airflow can run: rate(...), or cron(...) with year * and without L, W or #", expression, `pulumi config set platform:${name} '${name === "pipelineSchedule" ? "cron(15 * * * ? *)" : "cron(30 2 * * ? *)"}'`);
            }
        }
    }
    return { orchestrator, schedule, sweep, airflow: parseAirflow(reader, environment) };
}

/** Only read with `orchestrator: airflow`; a Step Functions stack keeps these keys at their defaults unread. */
function parseAirflow(reader: ConfigReader, environment: Environment): AirflowConfig {
    const environmentClass = reader.oneOf("airflowEnvironmentClass", airflowEnvironmentClasses);
    if (environment === "prod" && environmentClass === "mw1.micro") {
        reader.fail("airflowEnvironmentClass", "mw1.small or larger in prod (mw1.micro runs one combined scheduler/worker and one web server, with no failover)", environmentClass, "pulumi config set platform:airflowEnvironmentClass mw1.small");
    }
    const minWorkers = reader.range("airflowMinWorkers", 1, 25);
    const maxWorkers = reader.range("airflowMaxWorkers", 1, 25);
    if (environmentClass === "mw1.micro") {
        for (const [name, value] of [["airflowMinWorkers", minWorkers], ["airflowMaxWorkers", maxWorkers]] as const) {
            if (value !== 1) {
                reader.fail(name, "1 with airflowEnvironmentClass mw1.micro (its scheduler and worker share one container)", value, `pulumi config set platform:${name} 1, or choose a larger class: pulumi config set platform:airflowEnvironmentClass mw1.small`);
            }
        }
    } else if (maxWorkers < minWorkers) {
        reader.fail("airflowMaxWorkers", `at least airflowMinWorkers (${minWorkers})`, maxWorkers, `pulumi config set platform:airflowMaxWorkers ${minWorkers}`);
    }
    return { environmentClass, minWorkers, maxWorkers };
}
