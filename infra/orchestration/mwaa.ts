import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import type { AirflowConfig } from "../config/orchestration";
import { contextPrefix, PlatformContext, RegisteredAlarm } from "../shared/context";
import { serviceRole } from "../shared/role";
import {
    airflowAlarms,
    airflowDagKey,
    airflowDagsPath,
    airflowPipelineSpec,
    airflowRequirements,
    airflowRequirementsKey,
    airflowSpecKey,
    airflowVersion,
    mwaaTopology,
} from "./airflow";
import { PipelineContext } from "./decisions";
import { mwaaExecutionPolicy, StateMachineAccess } from "./iam";

/** The generic DAG file that reads the spec (runtime/airflow). */
export const airflowDagPath = path.join(__dirname, "..", "..", "runtime", "airflow", "platform_pipeline.py");

/** What either rendering of the pipeline leaves for the component's outputs. */
export interface Orchestrated {
    readonly stateMachineArn?: pulumi.Output<string>;
    readonly airflowEnvironmentName?: pulumi.Output<string>;
    readonly airflowWebserverUrl?: pulumi.Output<string>;
    readonly alarms: readonly RegisteredAlarm[];
}

export interface AirflowEnvironmentArgs {
    readonly context: PlatformContext;
    readonly schedule: string;
    readonly sweep: { readonly schedule: string; readonly days: number };
    readonly airflow?: AirflowConfig;
    readonly network?: { readonly vpcId: pulumi.Input<string>; readonly privateSubnetIds: pulumi.Output<string[]> };
    readonly artifactsBucket: aws.s3.Bucket;
    /** The pipeline, as the state machine would run it. */
    readonly pipeline: pulumi.Output<PipelineContext>;
    readonly sparkAccess: pulumi.Output<StateMachineAccess["spark"]>;
    readonly functionArns: readonly pulumi.Output<string>[];
    /** Every dataset the pipeline loads (quality alarms). */
    readonly datasets: readonly string[];
}

/**
 * The Airflow rendering: the DAG file, its spec and the requirements in the artifacts bucket
 * (versioned), a security group, the least-privilege execution role, and a private MWAA
 * environment in two of the platform's private subnets, encrypted with the observability key,
 * logging every component to CloudWatch; plus its alarms. The DAGs carry the schedules, so no
 * EventBridge schedule starts anything.
 */
export function airflowEnvironment(name: string, parent: pulumi.Resource, args: AirflowEnvironmentArgs): Orchestrated {
    if (!args.airflow || !args.network) {
        throw new pulumi.ResourceError("Orchestration: orchestrator airflow needs airflow (class and workers) and network (the VPC and its private subnets); pass config.orchestration.airflow and the Network component", parent);
    }
    const context = args.context;
    const prefix = contextPrefix(context);
    const environmentName = `${prefix}-airflow`;
    const settings = args.airflow;
    const child = { parent };

    const spec = args.pipeline.apply((ctx) => JSON.stringify(airflowPipelineSpec(ctx, { dagId: `${prefix}-pipeline`, schedule: args.schedule, sweep: args.sweep }), null, 2));
    new aws.s3.BucketObjectv2(`${name}-airflow-dag`, { bucket: args.artifactsBucket.id, key: airflowDagKey, source: new pulumi.asset.FileAsset(airflowDagPath), contentType: "text/x-python" }, child);
    new aws.s3.BucketObjectv2(`${name}-airflow-spec`, { bucket: args.artifactsBucket.id, key: airflowSpecKey, content: spec, contentType: "application/json" }, child);
    const requirements = new aws.s3.BucketObjectv2(`${name}-airflow-requirements`, { bucket: args.artifactsBucket.id, key: airflowRequirementsKey, content: airflowRequirements(), contentType: "text/plain" }, child);

    // MWAA's containers and its managed endpoints talk to each other inside the group; out, only HTTPS to AWS APIs.
    const securityGroup = new aws.ec2.SecurityGroup(
        `${name}-airflow-sg`,
        {
            vpcId: args.network.vpcId,
            description: "MWAA environment: its own containers and endpoints among themselves, HTTPS out to AWS APIs",
            ingress: [{ description: "MWAA components among themselves", protocol: "-1", fromPort: 0, toPort: 0, self: true }],
            egress: [
                { description: "MWAA components among themselves", protocol: "-1", fromPort: 0, toPort: 0, self: true },
                { description: "HTTPS to AWS APIs through endpoints or NAT", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
            ],
            tags: { Name: `${prefix}-airflow` },
        },
        child,
    );

    const { role, policy } = serviceRole(
        `${name}-airflow`,
        {
            service: ["airflow.amazonaws.com", "airflow-env.amazonaws.com"],
            description: "MWAA execution role: runs the pipeline DAG's tasks",
            accountId: context.accountId,
            policy: pulumi
                .all([context.partition, context.accountId, args.artifactsBucket.arn, context.keys.lake, context.keys.observability, args.sparkAccess, pulumi.all([...args.functionArns]), context.alarms.alarmTopicArn])
                .apply(([partition, accountId, artifactsBucketArn, lakeKey, observabilityKey, spark, functionArns, topicArn]) =>
                    mwaaExecutionPolicy({
                        partition,
                        accountId,
                        region: context.region,
                        environmentName,
                        artifactsBucketArn,
                        artifactsKeyArn: lakeKey,
                        environmentKeyArn: observabilityKey,
                        spark,
                        functionArns,
                        alarmTopicArn: topicArn,
                        observabilityKeyArn: observabilityKey,
                    }),
                ),
        },
        parent,
    );

    const topology = mwaaTopology(settings.environmentClass);
    const logging = (level: "INFO" | "WARNING") => ({ enabled: true, logLevel: level });
    const environment = new aws.mwaa.Environment(
        `${name}-airflow`,
        {
            name: environmentName,
            airflowVersion,
            environmentClass: settings.environmentClass,
            minWorkers: settings.minWorkers,
            maxWorkers: settings.maxWorkers,
            minWebservers: topology.webservers,
            maxWebservers: topology.webservers,
            schedulers: topology.schedulers,
            executionRoleArn: role.arn,
            kmsKey: context.keys.observability,
            webserverAccessMode: "PRIVATE_ONLY",
            networkConfiguration: { securityGroupIds: [securityGroup.id], subnetIds: args.network.privateSubnetIds.apply((ids) => ids.slice(0, 2)) },
            sourceBucketArn: args.artifactsBucket.arn,
            dagS3Path: airflowDagsPath,
            requirementsS3Path: requirements.key,
            requirementsS3ObjectVersion: requirements.versionId,
            loggingConfiguration: {
                dagProcessingLogs: logging("WARNING"),
                schedulerLogs: logging("WARNING"),
                taskLogs: logging("INFO"),
                webserverLogs: logging("WARNING"),
                workerLogs: logging("WARNING"),
            },
            // Schedules are UTC like EventBridge's; the UI does not show the configuration.
            airflowConfigurationOptions: { "core.default_timezone": "utc", "webserver.expose_config": "False" },
            weeklyMaintenanceWindowStart: "SUN:03:00",
        },
        { parent, dependsOn: [policy] },
    );

    return {
        airflowEnvironmentName: environment.name,
        airflowWebserverUrl: environment.webserverUrl,
        alarms: context.alarms.registerAlarms(parent, airflowAlarms(name, environmentName, context.environment, args.datasets)),
    };
}
