import type * as pulumi from "@pulumi/pulumi";
import { AlarmSpec, anyOccurrence } from "../observability/alarms";

/** Where the Spark job runs: one shape per mode, so callers never pick between optional ids. */
export type SparkCompute =
    | { readonly mode: "serverless"; readonly applicationId: pulumi.Output<string>; readonly applicationArn: pulumi.Output<string> }
    | { readonly mode: "cluster"; readonly clusterId: pulumi.Output<string>; readonly clusterArn: pulumi.Output<string> };

/** The id and ARN of either mode's compute, for policies and the pipeline definition. */
export function sparkComputeIdentity(compute: SparkCompute): { readonly id: pulumi.Output<string>; readonly arn: pulumi.Output<string> } {
    return compute.mode === "serverless" ? { id: compute.applicationId, arn: compute.applicationArn } : { id: compute.clusterId, arn: compute.clusterArn };
}

/** The transform's alarm: a failed job run (EMR Serverless) or a failed step (cluster). */
export function sparkAlarms(name: string, compute: SparkCompute): AlarmSpec[] {
    const common = { name: `${name}-failed-runs`, stage: "transform", statistic: "Sum", ...anyOccurrence } as const;
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
