import type * as pulumi from "@pulumi/pulumi";
import { AlarmSpec, anyOccurrence } from "../observability/alarms";
import { BatchConfig } from "../config";

export interface JobContainerContext {
    readonly image: string;
    readonly jobRoleArn: string;
    readonly executionRoleArn: string;
    readonly logGroup: string;
    readonly region: string;
    readonly environment: Readonly<Record<string, string>>;
    readonly batch: BatchConfig;
}

/** The command of the replay and compaction job; the submitter appends the subcommand and its flags. */
export const batchJobCommand: readonly string[] = ["node", "--enable-source-maps", "build/runtime/batch/main.js"];

/**
 * Container properties of the job definition: Fargate, no public IP, not privileged, a read-only
 * root file system, a non-root user, resource limits from config, logs to the job's log group.
 */
export function containerProperties(ctx: JobContainerContext): Record<string, unknown> {
    return {
        image: ctx.image,
        command: [...batchJobCommand],
        jobRoleArn: ctx.jobRoleArn,
        executionRoleArn: ctx.executionRoleArn,
        resourceRequirements: [
            { type: "VCPU", value: ctx.batch.jobVcpus },
            { type: "MEMORY", value: String(ctx.batch.jobMemoryMb) },
        ],
        environment: Object.entries(ctx.environment)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([name, value]) => ({ name, value })),
        networkConfiguration: { assignPublicIp: "DISABLED" },
        fargatePlatformConfiguration: { platformVersion: "LATEST" },
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
        readonlyRootFilesystem: true,
        privileged: false,
        user: "1000",
        logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": ctx.logGroup, "awslogs-region": ctx.region, "awslogs-stream-prefix": "job" } },
    };
}

/**
 * Retries: three attempts for infrastructure failures (Spot reclaim, host errors), none for a
 * job that exited with an error of its own (a bad flag or data problem does not fix itself).
 */
export const retryStrategy = {
    attempts: 3,
    evaluateOnExits: [
        { onStatusReason: "Host EC2*", action: "RETRY" },
        { onReason: "CannotPullContainerError*", action: "RETRY" },
        { onStatusReason: "Task failed to start*", action: "RETRY" },
        { onReason: "*", action: "EXIT" },
    ],
};

/** The Scheduler's placeholder for the time it invokes a target (EventBridge Scheduler context attributes). */
export const scheduledTimeAttribute = "<aws.scheduler.scheduled-time>";

/**
 * The `SubmitJob` request (field names as the Scheduler's universal target expects them) of the
 * nightly compaction of one dataset: the day before the scheduled time, every hour of it.
 */
export function compactionJobRequest(dataset: string, jobQueueArn: string, jobDefinitionArn: string): Record<string, unknown> {
    return {
        JobName: `compact-${dataset}`,
        JobQueue: jobQueueArn,
        JobDefinition: jobDefinitionArn,
        ContainerOverrides: { Command: [...batchJobCommand, "compact", "--dataset", dataset, "--day-before", scheduledTimeAttribute] },
    };
}

/** The batch alarm: a failed job, counted by the EventBridge rule that matches failed-job events (Batch publishes no failure metric). */
export function batchAlarms(name: string, failedJobsRuleName: pulumi.Input<string>): AlarmSpec[] {
    return [
        {
            name: `${name}-failed-jobs`,
            stage: "batch",
            description: "A replay or compaction job failed. Its log stream is in the job's log group; nothing was deleted before its outputs were verified, so rerunning it is safe.",
            namespace: "AWS/Events",
            metricName: "TriggeredRules",
            dimensions: { RuleName: failedJobsRuleName },
            statistic: "Sum",
            ...anyOccurrence,
        },
    ];
}
