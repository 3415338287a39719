import * as aws from "@pulumi/aws";
import * as batch from "../../../../policies/batch";
import { devProvider, fixture, prodProvider, PropsOf } from "../helpers";
import { fails, notApplicable, passes, PolicyCase } from "./types";

const container = { image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/batch:1", privileged: false, readonlyRootFilesystem: true, user: "1000" };
const definition = (props: Partial<PropsOf<aws.batch.JobDefinitionArgs>> = {}) =>
    fixture(aws.batch.JobDefinition, "definition", {
        type: "container",
        platformCapabilities: ["FARGATE"],
        retryStrategy: { attempts: 3 },
        timeout: { attemptDurationSeconds: 3600 },
        containerProperties: JSON.stringify(container),
        ...props,
    });
const computeEnvironment = (type: string, provider = devProvider) =>
    fixture(aws.batch.ComputeEnvironment, "compute", { type: "MANAGED", computeResources: { type, maxVcpus: 16, subnets: ["subnet-private-1"], securityGroupIds: ["sg-batch"] } }, { provider });

export const batchCases: PolicyCase[] = [
    passes(batch.batchJobDefinitionNotPrivileged, "an unprivileged container", definition()),
    fails(batch.batchJobDefinitionNotPrivileged, "a privileged container", definition({ containerProperties: JSON.stringify({ ...container, privileged: true }) }), /Container 1 must not be privileged/),
    fails(
        batch.batchJobDefinitionNotPrivileged,
        "a privileged ECS task container",
        definition({ containerProperties: undefined, ecsProperties: JSON.stringify({ taskProperties: [{ containers: [{ name: "main", image: "x", privileged: true }] }] }) }),
        /Container 1 \(main\) must not be privileged/,
    ),

    passes(batch.batchJobDefinitionTimeoutRetry, "a one-hour timeout and three attempts", definition()),
    fails(batch.batchJobDefinitionTimeoutRetry, "no timeout", definition({ timeout: undefined }), /attemptDurationSeconds must be set/),
    fails(batch.batchJobDefinitionTimeoutRetry, "a single attempt", definition({ retryStrategy: { attempts: 1 } }), /attempts must be at least 2/),

    passes(batch.batchComputeEnvironmentSpot, "Fargate Spot in dev", computeEnvironment("FARGATE_SPOT")),
    notApplicable(batch.batchComputeEnvironmentSpot, "on-demand Fargate in prod", computeEnvironment("FARGATE", prodProvider)),
    fails(batch.batchComputeEnvironmentSpot, "on-demand Fargate in dev", computeEnvironment("FARGATE"), /must be FARGATE_SPOT or SPOT in dev; found "FARGATE"/),
];
