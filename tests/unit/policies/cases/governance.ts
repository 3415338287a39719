import * as aws from "@pulumi/aws";
import * as cost from "../../../../policies/cost";
import { stackMonthlyBudget } from "../../../../policies/budget";
import * as protection from "../../../../policies/protection";
import * as tagging from "../../../../policies/tagging";
import { awsProvider, devProvider, fixture, registerProvider } from "../helpers";
import { fails, notApplicable, passes, PolicyCase } from "./types";

const untaggedProvider = registerProvider(awsProvider("untagged", null));

const bucket = (protect: boolean, provider = undefined as undefined | typeof devProvider) => fixture(aws.s3.Bucket, "lake-raw", {}, { protect, ...(provider ? { provider } : {}) });
const mskCluster = (instanceType: string, numberOfBrokerNodes = 3, provider = devProvider) =>
    fixture(
        aws.msk.Cluster,
        "streaming-cluster",
        { kafkaVersion: "3.9.x", numberOfBrokerNodes, brokerNodeGroupInfo: { instanceType, clientSubnets: ["subnet-private-1", "subnet-private-2", "subnet-private-3"], securityGroups: ["sg-b"] } },
        { provider },
    );
const computeEnvironment = (maxVcpus: number) => fixture(aws.batch.ComputeEnvironment, "batch-compute", { type: "MANAGED", computeResources: { type: "FARGATE_SPOT", maxVcpus, subnets: ["subnet-private-1"] } }, { provider: devProvider });
const budget = (limitAmount: string) =>
    fixture(aws.budgets.Budget, "observability-monthly", { budgetType: "COST", limitAmount, limitUnit: "USD", timeUnit: "MONTHLY" }, { provider: devProvider });

export const governanceCases: PolicyCase[] = [
    passes(protection.protectionDataStoreProtected, "a protected prod bucket", bucket(true)),
    notApplicable(protection.protectionDataStoreProtected, "an unprotected dev bucket", bucket(false, devProvider)),
    notApplicable(protection.protectionDataStoreProtected, "a prod log group (not a data store)", fixture(aws.cloudwatch.LogGroup, "logs", { retentionInDays: 90 })),
    fails(protection.protectionDataStoreProtected, "an unprotected prod bucket", bucket(false), /must be protected in prod/),

    passes(tagging.taggingResourceCostTags, "tags from the provider's defaultTags", fixture(aws.sqs.Queue, "q", {})),
    passes(tagging.taggingResourceCostTags, "tags on the resource itself", fixture(aws.sqs.Queue, "q", { tags: { owner: "o", "cost-center": "c", environment: "dev", project: "p", stack: "dev" } }, { provider: untaggedProvider })),
    notApplicable(tagging.taggingResourceCostTags, "an untaggable bucket policy", fixture(aws.s3.BucketPolicy, "p", { bucket: "b", policy: "{}" })),
    fails(tagging.taggingResourceCostTags, "a queue on a provider without default tags", fixture(aws.sqs.Queue, "q", { tags: { owner: "o" } }, { provider: untaggedProvider }), /must carry the cost tags cost-center, environment, project, stack/),

    passes(cost.costStackAllowedInstanceTypes, "kafka.t3.small in dev", [mskCluster("kafka.t3.small")]),
    fails(cost.costStackAllowedInstanceTypes, "kafka.m7g.4xlarge in dev", [mskCluster("kafka.m7g.4xlarge")], /uses kafka.m7g.4xlarge, not allowed in dev/),

    passes(cost.costStackCapacityLimits, "16 Batch vCPUs in dev", [computeEnvironment(16)]),
    fails(cost.costStackCapacityLimits, "64 Batch vCPUs in dev (limit 32)", [computeEnvironment(64)], /computeResources.maxVcpus must be at most 32 in dev \(batchMaxVcpus\); found 64/),
    fails(cost.costStackCapacityLimits, "6 brokers in dev (limit 3)", [mskCluster("kafka.t3.small", 6)], /numberOfBrokerNodes must be at most 3 in dev/),

    passes(stackMonthlyBudget, "a small stack within a large budget", [budget("100000.00"), mskCluster("kafka.m7g.large")], { usageFile: "none" }),
    fails(stackMonthlyBudget, "three brokers over a $10 budget", [budget("10.00"), mskCluster("kafka.m7g.large")], /must not exceed the budget \$10\.00/, { usageFile: "none" }),
];
