import type * as pulumi from "@pulumi/pulumi";
import { AlarmSpec, anyOccurrence } from "../observability/alarms";

/** A Glue job the pipeline starts by name; its ARN is what the state machine may start. */
export interface GlueJobRef {
    readonly name: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
}

/** Where the Spark job runs: one shape per mode, so callers never pick between optional ids. */
export type SparkCompute =
    | { readonly mode: "serverless"; readonly applicationId: pulumi.Output<string>; readonly applicationArn: pulumi.Output<string> }
    | { readonly mode: "cluster"; readonly clusterId: pulumi.Output<string>; readonly clusterArn: pulumi.Output<string> }
    | {
          readonly mode: "glue";
          /** The transform job (runtime/spark/transform_job.py). */
          readonly transformJob: GlueJobRef;
          /** The CDC apply job (runtime/spark/cdc_apply.py), when the stack captures a database. */
          readonly cdcApplyJob?: GlueJobRef;
          /** The EventBridge rule matching the jobs' failed, timed-out and errored runs. */
          readonly failedRunsRuleName: pulumi.Output<string>;
      };

/**
 * The id and ARN of the compute, for policies and the pipeline definition; in glue mode, the
 * transform job's name and ARN (the CDC apply job is named separately).
 */
export function sparkComputeIdentity(compute: SparkCompute): { readonly id: pulumi.Output<string>; readonly arn: pulumi.Output<string> } {
    switch (compute.mode) {
        case "serverless":
            return { id: compute.applicationId, arn: compute.applicationArn };
        case "cluster":
            return { id: compute.clusterId, arn: compute.clusterArn };
        case "glue":
            return { id: compute.transformJob.name, arn: compute.transformJob.arn };
    }
}

/** Glue's terminal states that mean a run did not finish its work (a stopped run was stopped on purpose). */
export const glueFailedRunStates = ["FAILED", "TIMEOUT", "ERROR"] as const;

/** The EventBridge pattern of the "Glue Job State Change" events of `jobNames` that ended in a failed state. */
export function glueFailedRunsPattern(jobNames: readonly string[]): Record<string, unknown> {
    return { source: ["aws.glue"], "detail-type": ["Glue Job State Change"], detail: { jobName: [...jobNames], state: [...glueFailedRunStates] } };
}

/**
 * The arguments every run of a platform Glue job gets besides the script's own (which the state
 * machine passes per run, exactly as the EMR modes pass them): a Python 3 Spark job, metrics,
 * continuous logging into the stack's log group (encrypted by the security configuration), no job
 * bookmarks (the scripts choose their input by window and rebuild their output, so bookmarks
 * would only skip data on a rerun), and Glue's temporary directory in the artifacts bucket.
 */
export function glueDefaultArguments(logGroupName: string, tempDirUri: string): Record<string, string> {
    return {
        "--job-language": "python",
        "--enable-metrics": "true",
        "--enable-continuous-cloudwatch-log": "true",
        "--continuous-log-logGroup": logGroupName,
        "--enable-continuous-log-filter": "true",
        "--job-bookmark-option": "job-bookmark-disable",
        "--TempDir": tempDirUri,
    };
}

/** The transform's alarm: a failed job run (EMR Serverless), a failed step (cluster) or a failed Glue job run (glue). */
export function sparkAlarms(name: string, compute: SparkCompute): AlarmSpec[] {
    const common = { name: `${name}-failed-runs`, stage: "transform", statistic: "Sum", ...anyOccurrence } as const;
    if (compute.mode === "glue") {
        return [
            {
                ...common,
                description: "A Glue Spark job run failed, timed out or errored (counted by the rule on Glue Job State Change events, which also sends each event to the alarm topic). The run's continuous log names the cause.",
                namespace: "AWS/Events",
                metricName: "TriggeredRules",
                dimensions: { RuleName: compute.failedRunsRuleName },
            },
        ];
    }
    return [
        compute.mode === "serverless"
            ? {
                  ...common,
                  description: "A Spark job run failed on the EMR Serverless application. The pipeline's execution history and the job's logs in the artifacts bucket say why.",
                  namespace: "AWS/EMRServerless",
                  metricName: "FailedJobs",
                  dimensions: { ApplicationId: compute.applicationId },
              }
            : {
                  ...common,
                  description: "A Spark step failed on the transform cluster. Its logs are under emr-logs/ in the artifacts bucket.",
                  namespace: "AWS/ElasticMapReduce",
                  metricName: "AppsFailed",
                  dimensions: { JobFlowId: compute.clusterId },
              },
    ];
}
