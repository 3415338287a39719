import type * as pulumi from "@pulumi/pulumi";
import { AlarmSpec, anyOccurrence } from "../observability/alarms";
/**
 * The pipeline as an Amazon States Language document (JSONata): for a UTC hour window, first per
 * database dataset (change data capture) run the CDC apply (runtime/spark/cdc_apply.py: the
 * curated state and the reference CSV other datasets' enrichments join), synchronise its
 * warehouse table and check its quality; then per stream dataset run the Spark transform and wait
 * for it, check the transform's quality, load the warehouse, check the warehouse's quality; any
 * failure notifies the alarm topic and fails the execution. A pure function, validated in tests
 * with an ASL validator.
 */

export type SparkTarget =
    | { readonly mode: "serverless"; readonly applicationId: string; readonly executionRoleArn: string }
    | { readonly mode: "cluster"; readonly clusterId: string }
    /** Glue: the job that runs each script (the CDC apply job only when the stack captures a database). */
    | { readonly mode: "glue"; readonly transformJobName: string; readonly cdcApplyJobName?: string };

export interface PipelineDataset {
    readonly name: string;
    readonly specUri: string;
}

/** The CDC apply: its script and one spec per database dataset. Absent or empty: no CDC stage. */
export interface CdcApplyStage {
    readonly scriptUri: string;
    readonly datasets: readonly PipelineDataset[];
}

export interface PipelineContext {
    readonly datasets: readonly PipelineDataset[];
    readonly cdc?: CdcApplyStage;
    readonly spark: SparkTarget;
    readonly scriptUri: string;
    readonly rawUri: string;
    readonly curatedUri: string;
    readonly referenceUri: string;
    readonly logUri: string;
    readonly qualityFunctionArn: string;
    readonly loadFunctionArn: string;
    readonly alarmTopicArn: string;
    /** Hours processed per run when the execution input does not say (the schedule's period). */
    readonly defaultWindowHours: number;
    readonly timeouts: { readonly transformSeconds: number; readonly qualitySeconds: number; readonly loadSeconds: number };
    /** Where the Spark jobs (transform and CDC apply) write their OpenLineage events (`--lineage-uri`, `--lineage-namespace`); absent: they write none. */
    readonly lineage?: { readonly uri: string; readonly namespace: string };
}

const hourMs = 3_600_000;
const dayMs = 86_400_000;

/** JSONata: the start of the execution's hour (`unitMs` 1 h) or UTC day (24 h), minus `back` of those units, as an ISO timestamp. */
function boundary(unitMs: number, back: string): string {
    return `$fromMillis(($floor($toMillis($states.context.Execution.StartTime) / ${unitMs}) - ${back}) * ${unitMs})`;
}

/** The step timeouts of every run of the pipeline, whichever orchestrator runs it. */
export const pipelineTimeouts = { transformSeconds: 3 * 3600, qualitySeconds: 600, loadSeconds: 900 } as const;

/** How many datasets run at once (each Map's MaxConcurrency; the DAG's concurrent tasks). */
export const datasetConcurrency = 2;

/** Spark steps: a failed run is retried twice, two minutes apart, doubling. */
export const sparkRetry = [{ ErrorEquals: ["States.TaskFailed"], IntervalSeconds: 120, BackoffRate: 2, MaxAttempts: 2, JitterStrategy: "FULL" }];

/** Spark-submit settings of every run: only the partitions a run writes are replaced. */
export const sparkSubmitParameters = "--conf spark.sql.sources.partitionOverwriteMode=dynamic";

export const lambdaRetry = [
    { ErrorEquals: ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"], IntervalSeconds: 5, BackoffRate: 2, MaxAttempts: 4, JitterStrategy: "FULL" },
];

/** Where a Spark job writes its OpenLineage events (transform_job.py and cdc_apply.py take the same flags). */
export function lineageArguments(ctx: PipelineContext): string[] {
    return ctx.lineage ? ["--lineage-uri", ctx.lineage.uri, "--lineage-namespace", ctx.lineage.namespace] : [];
}

/**
 * What a step sees of its run, as each orchestrator writes it: JSONata in the state machine,
 * Jinja in the Airflow DAG. The steps' arguments and payloads are built once, from these.
 */
export interface StepValues {
    readonly dataset: string;
    readonly specUri: string;
    readonly windowStart: string;
    readonly windowEnd: string;
    /** The run's name (the execution's; the DAG run's, made safe for S3 keys and job names). */
    readonly runId: string;
    /** Where the Spark job writes its run summary; the transform quality check reads it. */
    readonly summaryUri: string;
}

/** The transform job's arguments (runtime/spark). */
export function transformArguments(ctx: PipelineContext, v: StepValues): string[] {
    return [
        "--spec", v.specUri,
        "--raw-uri", ctx.rawUri,
        "--curated-uri", ctx.curatedUri,
        "--reference-uri", ctx.referenceUri,
        "--start", v.windowStart,
        "--end", v.windowEnd,
        "--run-id", v.runId,
        "--summary-uri", v.summaryUri,
        ...lineageArguments(ctx),
    ];
}

/** The CDC apply's arguments (runtime/spark/cdc_apply.py): no window, the table is rebuilt whole. */
export function cdcApplyArguments(ctx: PipelineContext, v: Pick<StepValues, "specUri">): string[] {
    return ["--spec", v.specUri, "--raw-uri", ctx.rawUri, "--curated-uri", ctx.curatedUri, "--reference-uri", ctx.referenceUri, ...lineageArguments(ctx)];
}

/** The quality function's event (runtime/quality): judged on the run summary, or by querying the warehouse. */
export function qualityPayload(stage: "transform" | "warehouse", v: StepValues): Record<string, unknown> {
    return stage === "transform"
        ? { dataset: v.dataset, source: "sparkRun", summaryUri: v.summaryUri, failOnError: false }
        : { dataset: v.dataset, source: "warehouse", start: v.windowStart, end: v.windowEnd, failOnError: false };
}

/** The load function's event (runtime/warehouse). */
export function loadPayload(v: Pick<StepValues, "dataset">): Record<string, unknown> {
    return { dataset: v.dataset };
}

/** The state machine's view of a step's run: the Map item's dataset and spec, the assigned window, the execution. */
function aslValues(ctx: PipelineContext): StepValues {
    return {
        dataset: "{% $states.input.dataset %}",
        specUri: "{% $states.input.specUri %}",
        windowStart: "{% $windowStart %}",
        windowEnd: "{% $windowEnd %}",
        runId: "{% $states.context.Execution.Name %}",
        summaryUri: summaryUri(ctx),
    };
}

function sparkTask(ctx: PipelineContext): Record<string, unknown> {
    return sparkRun(ctx, { kind: "transform", scriptUri: ctx.scriptUri, args: transformArguments(ctx, aslValues(ctx)), next: "CheckTransformQuality" });
}

/**
 * The CDC apply of one database dataset: rebuilds its curated state from every landed change and
 * writes the reference CSV under `<referenceUri>/<reference name>/` (cdc_apply.py). No window: the
 * table is rebuilt whole, so a rerun gives the same result.
 */
function cdcApplyTask(ctx: PipelineContext, stage: CdcApplyStage): Record<string, unknown> {
    return sparkRun(ctx, { kind: "cdc-apply", scriptUri: stage.scriptUri, args: cdcApplyArguments(ctx, aslValues(ctx)), next: "SyncWarehouse" });
}

/**
 * A script's argument list as the map of a Glue job run's arguments (`--name` to value, each name
 * once): Glue hands them to the script as `--name value`, so it reads exactly what the EMR modes
 * pass on their command line.
 */
export function glueRunArguments(args: readonly string[]): Record<string, string> {
    if (args.length % 2 !== 0) {
        throw new Error(`glueRunArguments: expected --name value pairs; found ${args.length} items (${args.join(" ")})`);
    }
    const out: Record<string, string> = {};
    for (let i = 0; i < args.length; i += 2) {
        const name = args[i];
        if (!/^--[A-Za-z][\w-]*$/.test(name)) {
            throw new Error(`glueRunArguments: item ${i} must be an argument name such as --spec; found ${JSON.stringify(name)}`);
        }
        if (name in out) {
            throw new Error(`glueRunArguments: ${name} is given twice; a Glue job run takes each argument once`);
        }
        out[name] = args[i + 1];
    }
    return out;
}

/** A Spark run on the stack's target (EMR Serverless job run, EMR cluster step or Glue job run), waited for. */
function sparkRun(ctx: PipelineContext, run: { readonly kind: "transform" | "cdc-apply"; readonly scriptUri: string; readonly args: readonly string[]; readonly next: string }): Record<string, unknown> {
    const scriptUri = run.scriptUri;
    const args = [...run.args];
    const common = {
        Type: "Task",
        TimeoutSeconds: ctx.timeouts.transformSeconds,
        Retry: sparkRetry,
        Output: "{% $states.input %}",
        Next: run.next,
    };
    if (ctx.spark.mode === "glue") {
        const jobName = run.kind === "transform" ? ctx.spark.transformJobName : ctx.spark.cdcApplyJobName;
        if (jobName === undefined) {
            throw new Error("pipelineDefinition: the CDC apply stage needs spark.cdcApplyJobName in glue mode (the Transform component creates that job when given cdcApply)");
        }
        // The job's script is fixed (its scriptLocation); the run gets the script's arguments.
        return { ...common, Resource: "arn:aws:states:::glue:startJobRun.sync", Arguments: { JobName: jobName, Arguments: glueRunArguments(args) } };
    }
    if (ctx.spark.mode === "serverless") {
        return {
            ...common,
            Resource: "arn:aws:states:::emr-serverless:startJobRun.sync",
            Arguments: {
                ApplicationId: ctx.spark.applicationId,
                ExecutionRoleArn: ctx.spark.executionRoleArn,
                Name: `{% '${run.kind}-' & $states.input.dataset & '-' & $windowStart %}`,
                ClientToken: run.kind === "transform" ? "{% $states.context.Execution.Name & '-' & $states.input.dataset %}" : `{% $states.context.Execution.Name & '-${run.kind}-' & $states.input.dataset %}`,
                JobDriver: { SparkSubmit: { EntryPoint: scriptUri, EntryPointArguments: args, SparkSubmitParameters: sparkSubmitParameters } },
                ConfigurationOverrides: { MonitoringConfiguration: { S3MonitoringConfiguration: { LogUri: ctx.logUri } } },
            },
        };
    }
    return {
        ...common,
        Resource: "arn:aws:states:::elasticmapreduce:addStep.sync",
        Arguments: {
            ClusterId: ctx.spark.clusterId,
            Step: {
                Name: `{% '${run.kind}-' & $states.input.dataset & '-' & $windowStart %}`,
                ActionOnFailure: "CONTINUE",
                HadoopJarStep: { Jar: "command-runner.jar", Args: ["spark-submit", "--deploy-mode", "cluster", "--conf", "spark.sql.sources.partitionOverwriteMode=dynamic", scriptUri, ...args] },
            },
        },
    };
}

/** Where the Spark job writes its run summary for this execution: the transform quality check reads it. */
function summaryUri(ctx: PipelineContext): string {
    return `{% '${ctx.curatedUri}/_runs/' & $states.input.dataset & '/' & $states.context.Execution.Name & '.json' %}`;
}

/** The quality step's event (runtime/quality): judged on the run summary, or by querying the warehouse; the gate decides. */
function qualityTask(ctx: PipelineContext, stage: "transform" | "warehouse", next: string): Record<string, unknown> {
    const payload = qualityPayload(stage, aslValues(ctx));
    return {
        Type: "Task",
        Resource: "arn:aws:states:::lambda:invoke",
        Arguments: { FunctionName: ctx.qualityFunctionArn, Payload: payload },
        TimeoutSeconds: ctx.timeouts.qualitySeconds,
        Retry: lambdaRetry,
        Output: "{% $merge([$states.input, { 'quality': $states.result.Payload }]) %}",
        Next: next,
    };
}

/** The load function's task: COPY and MERGE for a stream dataset, the DELETE + MERGE sync for a database dataset (the function tells them apart). */
function loadTask(ctx: PipelineContext, next: string): Record<string, unknown> {
    return {
        Type: "Task",
        Resource: "arn:aws:states:::lambda:invoke",
        Arguments: { FunctionName: ctx.loadFunctionArn, Payload: loadPayload(aslValues(ctx)) },
        TimeoutSeconds: ctx.timeouts.loadSeconds,
        Retry: loadRetry,
        Output: "{% $merge([$states.input, { 'load': $states.result.Payload }]) %}",
        Next: next,
    };
}

/** The load also waits out a busy warehouse. */
export const loadRetry = [...lambdaRetry, { ErrorEquals: ["WarehouseBusyError"], IntervalSeconds: 60, BackoffRate: 2, MaxAttempts: 3, JitterStrategy: "FULL" }];

const notifyOnFailure = [{ ErrorEquals: ["States.ALL"], Output: "{% $states.errorOutput %}", Next: "NotifyFailure" }];

function gate(next: string, failure: string): Record<string, unknown> {
    return { Type: "Choice", Choices: [{ Condition: "{% $states.input.quality.passed = true %}", Next: next }], Default: failure };
}

export function pipelineDefinition(ctx: PipelineContext): Record<string, unknown> {
    if (ctx.datasets.length === 0) {
        throw new Error("pipelineDefinition: at least one dataset is needed");
    }
    // The window, by what the input says: {start, end} as given; {previousDays: N} the N whole UTC
    // days before today (the late-data sweep); otherwise {windowHours: N} or the schedule's period
    // of whole hours up to the current hour.
    const startExpression =
        "{% $exists($states.input.start) ? $states.input.start : " +
        `($exists($states.input.previousDays) ? ${boundary(dayMs, "$states.input.previousDays")} : ` +
        `${boundary(hourMs, `($exists($states.input.windowHours) ? $states.input.windowHours : ${ctx.defaultWindowHours})`)}) %}`;
    const endExpression = `{% $exists($states.input.end) ? $states.input.end : ($exists($states.input.previousDays) ? ${boundary(dayMs, "0")} : ${boundary(hourMs, "0")}) %}`;
    const cdc = ctx.cdc && ctx.cdc.datasets.length > 0 ? ctx.cdc : undefined;
    // Database datasets first: the transforms' enrichments read the references their apply writes.
    const applyChanges = cdc
        ? {
              ApplyChanges: {
                  Type: "Map",
                  Items: cdc.datasets.map((d) => ({ dataset: d.name, specUri: d.specUri })),
                  MaxConcurrency: datasetConcurrency,
                  ItemProcessor: {
                      ProcessorConfig: { Mode: "INLINE" },
                      StartAt: "ApplyCdc",
                      States: {
                          ApplyCdc: cdcApplyTask(ctx, cdc),
                          SyncWarehouse: loadTask(ctx, "CheckSyncedQuality"),
                          CheckSyncedQuality: qualityTask(ctx, "warehouse", "SyncedQualityGate"),
                          SyncedQualityGate: gate("ChangesApplied", "SyncedQualityFailed"),
                          SyncedQualityFailed: { Type: "Fail", Error: "QualityCheckFailed", Cause: "An error-level quality check failed after the change-data-capture sync" },
                          ChangesApplied: { Type: "Succeed" },
                      },
                  },
                  // The Map's output is the list of its items' results; the transforms start from the window alone.
                  Output: "{% {} %}",
                  Catch: notifyOnFailure,
                  Next: "PerDataset",
              },
          }
        : {};
    return {
        Comment: cdc
            ? "Change data capture applied, then transform and load: Spark on EMR, quality checks, Redshift load, per dataset, for a window of UTC hours"
            : "Transform and load: Spark on EMR, quality checks, Redshift load, per dataset, for a window of UTC hours",
        QueryLanguage: "JSONata",
        StartAt: "DefineWindow",
        States: {
            DefineWindow: { Type: "Pass", Assign: { windowStart: startExpression, windowEnd: endExpression }, Next: cdc ? "ApplyChanges" : "PerDataset" },
            ...applyChanges,
            PerDataset: {
                Type: "Map",
                Items: ctx.datasets.map((d) => ({ dataset: d.name, specUri: d.specUri })),
                MaxConcurrency: datasetConcurrency,
                ItemProcessor: {
                    ProcessorConfig: { Mode: "INLINE" },
                    StartAt: "Transform",
                    States: {
                        Transform: sparkTask(ctx),
                        CheckTransformQuality: qualityTask(ctx, "transform", "TransformQualityGate"),
                        TransformQualityGate: gate("LoadWarehouse", "TransformQualityFailed"),
                        TransformQualityFailed: { Type: "Fail", Error: "QualityCheckFailed", Cause: "An error-level quality check failed after the transform; nothing was loaded" },
                        LoadWarehouse: loadTask(ctx, "CheckWarehouseQuality"),
                        CheckWarehouseQuality: qualityTask(ctx, "warehouse", "WarehouseQualityGate"),
                        WarehouseQualityGate: gate("DatasetDone", "WarehouseQualityFailed"),
                        WarehouseQualityFailed: { Type: "Fail", Error: "QualityCheckFailed", Cause: "An error-level quality check failed after the warehouse load" },
                        DatasetDone: { Type: "Succeed" },
                    },
                },
                Catch: notifyOnFailure,
                Next: "PipelineDone",
            },
            NotifyFailure: {
                Type: "Task",
                Resource: "arn:aws:states:::sns:publish",
                Arguments: {
                    TopicArn: ctx.alarmTopicArn,
                    Subject: "Data platform pipeline failed",
                    Message: "{% 'Execution ' & $states.context.Execution.Id & ' failed for window ' & $windowStart & ' to ' & $windowEnd & ': ' & $string($states.input) %}",
                },
                Retry: [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 5, BackoffRate: 2, MaxAttempts: 3 }],
                Next: "PipelineFailed",
            },
            PipelineFailed: { Type: "Fail", Error: "PipelineFailed", Cause: "A dataset failed; the alarm topic was notified with the error" },
            PipelineDone: { Type: "Succeed" },
        },
    };
}

/** Hours between two runs of an EventBridge `rate(...)` schedule, used as the default window; cron schedules default to one hour. */
export function windowHoursOf(schedule: string): number {
    const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(schedule);
    if (!match) {
        return 1;
    }
    const value = Number(match[1]);
    const unit = match[2];
    if (unit.startsWith("minute")) {
        return Math.max(1, Math.ceil(value / 60));
    }
    return unit.startsWith("hour") ? value : value * 24;
}

/** The pipeline's alarms: failed and timed-out executions, and each dataset's error-level quality failures. */
export function pipelineAlarms(name: string, stateMachineArn: pulumi.Input<string>, environment: string, datasets: readonly string[]): AlarmSpec[] {
    const anyAbove = { statistic: "Sum", ...anyOccurrence } as const;
    const executions = ([["ExecutionsFailed", "failed", "failed"], ["ExecutionsTimedOut", "timed out", "timed-out"]] as const).map(
        ([metricName, what, suffix]): AlarmSpec => ({
            ...anyAbove,
            name: `${name}-${suffix}`,
            stage: "orchestration",
            description: `A pipeline execution ${what}. Its execution history names the step; the alarm topic also received the error.`,
            namespace: "AWS/States",
            metricName,
            dimensions: { StateMachineArn: stateMachineArn },
        }),
    );
    return [...executions, ...qualityAlarms(name, environment, datasets)];
}

/** Each dataset's error-level quality failures, whichever orchestrator runs the pipeline. */
export function qualityAlarms(name: string, environment: string, datasets: readonly string[]): AlarmSpec[] {
    return datasets.map(
        (dataset): AlarmSpec => ({
            statistic: "Sum",
            ...anyOccurrence,
            name: `${name}-${dataset}-quality`,
            stage: "quality",
            description: `An error-level quality check of ${dataset} failed; the pipeline stopped before loading bad data. The quality function's log has the report.`,
            namespace: "DataPlatform/Quality",
            metricName: "ErrorFailures",
            dimensions: { Environment: environment, Dataset: dataset },
        }),
    );
}
