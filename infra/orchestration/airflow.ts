/**
 * The pipeline as an Apache Airflow DAG: the second rendering of the pipeline the state machine
 * runs (decisions.ts). `airflowPipelineSpec` turns the same PipelineContext into a JSON spec that
 * one generic DAG file (runtime/airflow/platform_pipeline.py) reads on Amazon MWAA: the same
 * steps per dataset under the same state names, the same arguments and payloads (built by the
 * functions the state machine uses), retries, timeouts, window, schedule, late-data sweep and
 * failure notification. Pure functions, tested with tables and against Airflow itself.
 */
import { AlarmSpec, anyOccurrence } from "../observability/alarms";
import {
    cdcApplyArguments,
    datasetConcurrency,
    lambdaRetry,
    loadPayload,
    loadRetry,
    PipelineContext,
    qualityAlarms,
    qualityPayload,
    sparkRetry,
    sparkSubmitParameters,
    StepValues,
    transformArguments,
} from "./decisions";

/** The Airflow version the DAG is written and tested for (MWAA's newest 2.x; tools/services/airflow-requirements.txt pins the same). */
export const airflowVersion = "2.10.3";
/** The Amazon provider MWAA installs with Airflow 2.10.3 (Airflow's constraints-2.10.3 for Python 3.11). */
export const amazonProviderVersion = "9.0.0";

/** Where the DAG, its spec and the requirements live in the artifacts bucket (a versioned bucket, as MWAA requires). */
export const airflowPrefix = "airflow";
export const airflowDagsPath = `${airflowPrefix}/dags`;
export const airflowDagKey = `${airflowDagsPath}/platform_pipeline.py`;
export const airflowSpecKey = `${airflowDagsPath}/platform_pipeline.json`;
export const airflowRequirementsKey = `${airflowPrefix}/requirements.txt`;

/** MWAA's requirements file: the provider at the version the DAG is tested with, under Airflow's constraints for MWAA's Python. */
export function airflowRequirements(): string {
    return [
        `--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-${airflowVersion}/constraints-3.11.txt"`,
        `apache-airflow-providers-amazon==${amazonProviderVersion}`,
        "",
    ].join("\n");
}

/** An Airflow schedule: a fixed interval (from `rate(...)`) or a five-field cron (from EventBridge's six-field `cron(...)`), in UTC. */
export type AirflowSchedule = { readonly kind: "interval"; readonly seconds: number } | { readonly kind: "cron"; readonly expression: string };

const dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/**
 * Converts an EventBridge schedule expression to Airflow's. EventBridge cron has six fields (the
 * last is the year), `?` for "any" day, and numbers days of the week 1 (Sunday) to 7, where cron
 * numbers them 0 to 6; `L`, `W` and `#` have no five-field equivalent and are refused.
 */
export function airflowSchedule(expression: string): AirflowSchedule {
    const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
    if (rate) {
        const n = Number(rate[1]);
        const unit = rate[2].startsWith("minute") ? 60 : rate[2].startsWith("hour") ? 3600 : 86400;
        return { kind: "interval", seconds: n * unit };
    }
    const cron = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expression);
    if (!cron) {
        throw new Error(`airflowSchedule: expected an EventBridge schedule such as rate(1 hour) or cron(15 * * * ? *); found "${expression}"`);
    }
    const [minute, hour, dayOfMonth, month, dayOfWeek, year] = cron.slice(1);
    if (year !== "*") {
        throw new Error(`airflowSchedule: the year field of "${expression}" must be * (an Airflow cron has no year); use * or a start and end date`);
    }
    if ([minute, hour, dayOfMonth, month, dayOfWeek].some((f) => /[LW#]/.test(f))) {
        throw new Error(`airflowSchedule: "${expression}" uses L, W or #, which a five-field cron cannot express; choose an expression without them`);
    }
    const weekday = dayOfWeek === "?" || dayOfWeek === "*" ? "*" : dayOfWeek.replace(/\d+/g, (d) => {
        const n = Number(d);
        if (n < 1 || n > 7) {
            throw new Error(`airflowSchedule: day of week ${d} in "${expression}" is outside EventBridge's 1 (SUN) to 7 (SAT)`);
        }
        return dayNames[n - 1];
    });
    return { kind: "cron", expression: [minute, hour, dayOfMonth === "?" ? "*" : dayOfMonth, month, weekday].join(" ") };
}

/** Airflow's retry settings for a step, from the state machine's retriers of that step. */
export interface AirflowRetry {
    readonly attempts: number;
    readonly delaySeconds: number;
    readonly exponentialBackoff: boolean;
}

/**
 * Airflow retries a task on any error, where a state retries only the errors its retriers name:
 * the task gets the most attempts and the longest first interval of the state's retriers.
 */
export function airflowRetry(retriers: readonly { readonly IntervalSeconds: number; readonly MaxAttempts: number; readonly BackoffRate: number }[]): AirflowRetry {
    return {
        attempts: Math.max(...retriers.map((r) => r.MaxAttempts)),
        delaySeconds: Math.max(...retriers.map((r) => r.IntervalSeconds)),
        exponentialBackoff: retriers.some((r) => r.BackoffRate > 1),
    };
}

export type AirflowSpark =
    | {
          readonly mode: "serverless";
          readonly applicationId: string;
          readonly executionRoleArn: string;
          readonly name: string;
          readonly jobDriver: { readonly sparkSubmit: { readonly entryPoint: string; readonly entryPointArguments: readonly string[]; readonly sparkSubmitParameters: string } };
          readonly configurationOverrides: { readonly monitoringConfiguration: { readonly s3MonitoringConfiguration: { readonly logUri: string } } };
      }
    | {
          readonly mode: "cluster";
          readonly clusterId: string;
          readonly steps: readonly { readonly Name: string; readonly ActionOnFailure: "CONTINUE"; readonly HadoopJarStep: { readonly Jar: string; readonly Args: readonly string[] } }[];
      };

/** One step of a dataset, named as the state machine's state it renders. */
export type AirflowStep =
    | { readonly id: string; readonly kind: "spark"; readonly timeoutSeconds: number; readonly retry: AirflowRetry; readonly spark: AirflowSpark }
    | { readonly id: string; readonly kind: "lambda"; readonly timeoutSeconds: number; readonly retry: AirflowRetry; readonly functionArn: string; readonly payload: Record<string, unknown> }
    /** A quality gate: passes when the check named by `check` reported `passed: true`, otherwise fails the run without retrying. */
    | { readonly id: string; readonly kind: "gate"; readonly check: string; readonly error: string; readonly cause: string };

/** The steps of one dataset, in order: a task group `<stage>.<dataset>`. */
export interface AirflowDatasetGroup {
    readonly stage: "ApplyChanges" | "PerDataset";
    readonly dataset: string;
    readonly steps: readonly AirflowStep[];
}

export interface AirflowPipelineSpec {
    readonly version: 1;
    readonly dagId: string;
    readonly schedule: AirflowSchedule;
    /** Hours a scheduled run processes, ending at the start of its hour (the state machine's default window). */
    readonly windowHours: number;
    /** The late-data sweep: a second DAG rebuilding the previous `days` UTC days; absent when turned off. */
    readonly sweep?: { readonly dagId: string; readonly schedule: AirflowSchedule; readonly days: number };
    /** Tasks that run at once (the state machine's Map concurrency). */
    readonly maxActiveTasks: number;
    /** The failure notification: the run's failed tasks, published to the alarm topic. */
    readonly notify: { readonly topicArn: string; readonly subject: string };
    /** CDC groups first (the transforms' enrichments read the references they write), then the transforms. */
    readonly groups: readonly AirflowDatasetGroup[];
}

/** Jinja over the DefineWindow task's result: the window and the run's name. */
const fromWindow = (field: "start" | "end" | "runName") => `{{ ti.xcom_pull(task_ids='DefineWindow')['${field}'] }}`;

function airflowValues(ctx: PipelineContext, dataset: { readonly name: string; readonly specUri: string }): StepValues {
    return {
        dataset: dataset.name,
        specUri: dataset.specUri,
        windowStart: fromWindow("start"),
        windowEnd: fromWindow("end"),
        runId: fromWindow("runName"),
        summaryUri: `${ctx.curatedUri}/_runs/${dataset.name}/${fromWindow("runName")}.json`,
    };
}

function sparkStep(ctx: PipelineContext, id: string, kind: "transform" | "cdc-apply", dataset: string, scriptUri: string, args: readonly string[]): AirflowStep {
    const name = `${kind}-${dataset}-${fromWindow("start")}`;
    if (ctx.spark.mode === "glue") {
        // The config refuses orchestrator airflow with sparkMode glue (infra/config/index.ts).
        throw new Error("airflowPipelineSpec: the DAG runs Spark on EMR Serverless or an EMR cluster, not on Glue");
    }
    const spark: AirflowSpark =
        ctx.spark.mode === "serverless"
            ? {
                  mode: "serverless",
                  applicationId: ctx.spark.applicationId,
                  executionRoleArn: ctx.spark.executionRoleArn,
                  name,
                  jobDriver: { sparkSubmit: { entryPoint: scriptUri, entryPointArguments: [...args], sparkSubmitParameters } },
                  configurationOverrides: { monitoringConfiguration: { s3MonitoringConfiguration: { logUri: ctx.logUri } } },
              }
            : {
                  mode: "cluster",
                  clusterId: ctx.spark.clusterId,
                  steps: [
                      {
                          Name: name,
                          ActionOnFailure: "CONTINUE",
                          HadoopJarStep: { Jar: "command-runner.jar", Args: ["spark-submit", "--deploy-mode", "cluster", ...sparkSubmitParameters.split(" "), scriptUri, ...args] },
                      },
                  ],
              };
    return { id, kind: "spark", timeoutSeconds: ctx.timeouts.transformSeconds, retry: airflowRetry(sparkRetry), spark };
}

function qualityStep(ctx: PipelineContext, id: string, stage: "transform" | "warehouse", v: StepValues): AirflowStep {
    return { id, kind: "lambda", timeoutSeconds: ctx.timeouts.qualitySeconds, retry: airflowRetry(lambdaRetry), functionArn: ctx.qualityFunctionArn, payload: qualityPayload(stage, v) };
}

function loadStep(ctx: PipelineContext, id: string, v: StepValues): AirflowStep {
    return { id, kind: "lambda", timeoutSeconds: ctx.timeouts.loadSeconds, retry: airflowRetry(loadRetry), functionArn: ctx.loadFunctionArn, payload: loadPayload(v) };
}

export interface AirflowDagOptions {
    /** The DAG's id (the state machine's name). */
    readonly dagId: string;
    /** The pipeline's EventBridge schedule. */
    readonly schedule: string;
    readonly sweep: { readonly schedule: string; readonly days: number };
}

/** The DAG spec of the pipeline `pipelineDefinition(ctx)` renders as a state machine. */
export function airflowPipelineSpec(ctx: PipelineContext, options: AirflowDagOptions): AirflowPipelineSpec {
    if (ctx.datasets.length === 0) {
        throw new Error("airflowPipelineSpec: at least one dataset is needed");
    }
    const cdc = ctx.cdc && ctx.cdc.datasets.length > 0 ? ctx.cdc : undefined;
    const cdcGroups: AirflowDatasetGroup[] = (cdc?.datasets ?? []).map((d) => {
        const v = airflowValues(ctx, d);
        return {
            stage: "ApplyChanges",
            dataset: d.name,
            steps: [
                sparkStep(ctx, "ApplyCdc", "cdc-apply", d.name, (cdc as NonNullable<typeof cdc>).scriptUri, cdcApplyArguments(ctx, v)),
                loadStep(ctx, "SyncWarehouse", v),
                qualityStep(ctx, "CheckSyncedQuality", "warehouse", v),
                { id: "SyncedQualityGate", kind: "gate", check: "CheckSyncedQuality", error: "QualityCheckFailed", cause: "An error-level quality check failed after the change-data-capture sync" },
            ],
        };
    });
    const transformGroups: AirflowDatasetGroup[] = ctx.datasets.map((d) => {
        const v = airflowValues(ctx, d);
        return {
            stage: "PerDataset",
            dataset: d.name,
            steps: [
                sparkStep(ctx, "Transform", "transform", d.name, ctx.scriptUri, transformArguments(ctx, v)),
                qualityStep(ctx, "CheckTransformQuality", "transform", v),
                { id: "TransformQualityGate", kind: "gate", check: "CheckTransformQuality", error: "QualityCheckFailed", cause: "An error-level quality check failed after the transform; nothing was loaded" },
                loadStep(ctx, "LoadWarehouse", v),
                qualityStep(ctx, "CheckWarehouseQuality", "warehouse", v),
                { id: "WarehouseQualityGate", kind: "gate", check: "CheckWarehouseQuality", error: "QualityCheckFailed", cause: "An error-level quality check failed after the warehouse load" },
            ],
        };
    });
    return {
        version: 1,
        dagId: options.dagId,
        schedule: airflowSchedule(options.schedule),
        windowHours: ctx.defaultWindowHours,
        ...(options.sweep.days > 0 ? { sweep: { dagId: `${options.dagId}-sweep`, schedule: airflowSchedule(options.sweep.schedule), days: options.sweep.days } } : {}),
        maxActiveTasks: datasetConcurrency,
        notify: { topicArn: ctx.alarmTopicArn, subject: "Data platform pipeline failed" },
        groups: [...cdcGroups, ...transformGroups],
    };
}

/** MWAA's web servers and schedulers by class: mw1.micro runs one of each; larger classes two (failover). */
export function mwaaTopology(environmentClass: string): { readonly webservers: number; readonly schedulers: number } {
    return environmentClass === "mw1.micro" ? { webservers: 1, schedulers: 1 } : { webservers: 2, schedulers: 2 };
}

/**
 * The MWAA environment's alarms: a scheduler that stopped heart-beating (missing data breaches:
 * a dead scheduler publishes nothing), task instances that failed, and each dataset's error-level
 * quality failures. A failed run also publishes its failed tasks to the alarm topic (NotifyFailure).
 */
export function airflowAlarms(name: string, environmentName: string, environment: string, datasets: readonly string[]): AlarmSpec[] {
    return [
        {
            name: `${name}-scheduler-heartbeat`,
            stage: "orchestration",
            description: "The Airflow scheduler sent no heartbeat for 10 minutes: no pipeline run starts. Check the MWAA environment's health and its scheduler log group.",
            namespace: "AmazonMWAA",
            metricName: "SchedulerHeartbeat",
            dimensions: { Function: "Scheduler", Environment: environmentName },
            statistic: "Sum",
            comparisonOperator: "LessThanThreshold",
            threshold: 1,
            evaluationPeriods: 2,
            treatMissingData: "breaching",
        },
        {
            name: `${name}-task-failures`,
            stage: "orchestration",
            description: "An Airflow task of the pipeline failed after its retries. NotifyFailure published the run's failed tasks; the task log group has the error.",
            namespace: "AmazonMWAA",
            metricName: "TaskInstanceFailures",
            dimensions: { Function: "Scheduler", Environment: environmentName },
            statistic: "Sum",
            ...anyOccurrence,
        },
        ...qualityAlarms(name, environment, datasets),
    ];
}
