import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy } from "@pulumi/policy";
import { Resource } from "@pulumi/pulumi";
import { policyConfig } from "./lib/config";
import { typeToken } from "./lib/stack";
import { effectiveTags } from "./lib/tags";
import { isKnown } from "./lib/values";

type ResourceClass = new (name: string, args: any, ...rest: any[]) => Resource;
type ArgsOf<C> = C extends new (name: string, args: infer A, ...rest: any[]) => Resource ? NonNullable<A> : never;
/** `C` when its args accept `tags`, else `never` (so listing an untaggable class fails to compile). */
type WithTags<C> = "tags" extends keyof ArgsOf<C> ? C : never;
/** `C` when its args have no `tags`, else `never`. */
type WithoutTags<C> = "tags" extends keyof ArgsOf<C> ? never : C;

function tagged<C extends ResourceClass>(cls: C & WithTags<C>): string {
    return typeToken(cls);
}

function untagged<C extends ResourceClass>(cls: C & WithoutTags<C>): string {
    return typeToken(cls);
}

/**
 * AWS resource types the platform creates (or may create under some stack config) whose args
 * accept `tags`. The compiler checks each entry against the SDK's args; a test checks that every
 * AWS type in the offline plans is listed here or in `untaggableTypes`.
 */
export const taggableTypes: readonly string[] = [
    tagged(aws.dms.Endpoint),
    tagged(aws.dms.S3Endpoint),
    tagged(aws.dms.ReplicationConfig),
    tagged(aws.dms.ReplicationSubnetGroup),
    tagged(aws.appautoscaling.Target),
    tagged(aws.athena.Workgroup),
    tagged(aws.batch.ComputeEnvironment),
    tagged(aws.batch.JobDefinition),
    tagged(aws.batch.JobQueue),
    tagged(aws.budgets.Budget),
    tagged(aws.cloudtrail.Trail),
    tagged(aws.cloudwatch.EventRule),
    tagged(aws.cloudwatch.LogGroup),
    tagged(aws.cloudwatch.MetricAlarm),
    tagged(aws.ec2.DefaultSecurityGroup),
    tagged(aws.ec2.Eip),
    tagged(aws.ec2.FlowLog),
    tagged(aws.ec2.InternetGateway),
    tagged(aws.ec2.NatGateway),
    tagged(aws.ec2.RouteTable),
    tagged(aws.ec2.SecurityGroup),
    tagged(aws.ec2.Subnet),
    tagged(aws.ec2.Vpc),
    tagged(aws.ec2.VpcEndpoint),
    tagged(aws.ecr.Repository),
    tagged(aws.emr.Cluster),
    tagged(aws.emrserverless.Application),
    tagged(aws.glue.CatalogDatabase),
    tagged(aws.glue.Crawler),
    tagged(aws.glue.Job),
    tagged(aws.iam.InstanceProfile),
    tagged(aws.iam.Policy),
    tagged(aws.iam.Role),
    tagged(aws.kinesis.FirehoseDeliveryStream),
    tagged(aws.kinesis.Stream),
    tagged(aws.kms.Key),
    tagged(aws.lambda.EventSourceMapping),
    tagged(aws.lambda.Function),
    tagged(aws.msk.Cluster),
    tagged(aws.redshift.Cluster),
    tagged(aws.redshift.ParameterGroup),
    tagged(aws.redshift.SubnetGroup),
    tagged(aws.redshiftserverless.Namespace),
    tagged(aws.redshiftserverless.Workgroup),
    tagged(aws.rds.Integration),
    tagged(aws.s3.Bucket),
    tagged(aws.s3.BucketObjectv2),
    tagged(aws.secretsmanager.Secret),
    tagged(aws.sfn.StateMachine),
    tagged(aws.sns.Topic),
    tagged(aws.sqs.Queue),
    tagged(aws.vpc.SecurityGroupEgressRule),
    tagged(aws.vpc.SecurityGroupIngressRule),
];

/** AWS resource types the platform creates that cannot carry tags (checked against the SDK's args the same way). */
export const untaggableTypes: readonly string[] = [
    untagged(aws.appautoscaling.Policy),
    untagged(aws.msk.ScramSecretAssociation),
    untagged(aws.athena.NamedQuery),
    untagged(aws.cloudwatch.Dashboard),
    untagged(aws.cloudwatch.EventTarget),
    untagged(aws.cloudwatch.LogMetricFilter),
    untagged(aws.cloudwatch.LogStream),
    untagged(aws.ec2.Route),
    untagged(aws.ec2.RouteTableAssociation),
    untagged(aws.ecr.LifecyclePolicy),
    untagged(aws.emr.BlockPublicAccessConfiguration),
    untagged(aws.emr.InstanceFleet),
    untagged(aws.emr.ManagedScalingPolicy),
    untagged(aws.emr.SecurityConfiguration),
    untagged(aws.glue.CatalogTable),
    untagged(aws.glue.SecurityConfiguration),
    untagged(aws.iam.RolePolicy),
    untagged(aws.iam.RolePolicyAttachment),
    untagged(aws.kms.Alias),
    untagged(aws.lakeformation.DataLakeSettings),
    untagged(aws.glue.DataCatalogEncryptionSettings),
    untagged(aws.lakeformation.LfTag),
    untagged(aws.lakeformation.Permissions),
    untagged(aws.lakeformation.Resource),
    untagged(aws.lakeformation.ResourceLfTags),
    untagged(aws.msk.Configuration),
    untagged(aws.msk.Topic),
    untagged(aws.redshift.Logging),
    untagged(aws.redshift.ResourcePolicy),
    untagged(aws.redshiftserverless.UsageLimit),
    untagged(aws.s3.BucketLifecycleConfiguration),
    untagged(aws.s3.BucketLogging),
    untagged(aws.s3.BucketObjectLockConfiguration),
    untagged(aws.s3.BucketOwnershipControls),
    untagged(aws.s3.BucketPolicy),
    untagged(aws.s3.BucketPublicAccessBlock),
    untagged(aws.s3.BucketServerSideEncryptionConfiguration),
    untagged(aws.s3.BucketVersioning),
    untagged(aws.scheduler.Schedule),
    untagged(aws.sns.TopicPolicy),
    untagged(aws.sns.TopicSubscription),
    untagged(aws.sqs.QueuePolicy),
    untagged(aws.lambda.Permission),
    untagged(aws.lambda.FunctionEventInvokeConfig),
    untagged(aws.s3.BucketNotification),
];

const schema = {
    properties: {
        requiredTags: {
            type: "array" as const,
            items: { type: "string" as const, minLength: 1 },
            minItems: 1,
            default: ["owner", "cost-center", "environment", "project", "stack"],
            description: "Tags every taggable resource must carry with a non-empty value (own tags or the AWS provider's defaultTags). The budget filters on `stack`. Defaults to owner, cost-center, environment, project, stack.",
        },
    },
};

/** @severity low */
export const taggingResourceCostTags: ResourceValidationPolicy = {
    name: "tagging-resource-cost-tags",
    description: "Checks whether every taggable AWS resource carries the cost allocation tags, set on the resource or inherited from its AWS provider's defaultTags.",
    enforcementLevel: "advisory",
    severity: "low",
    tags: ["cost", "governance"],
    remediationSteps: "Declare resources with the stack's AWS provider (opts.providers.aws), whose defaultTags carry owner, cost-center, environment, project and stack from the stack config.",
    configSchema: schema,
    validateResource: (args, reportViolation) => {
        if (!taggableTypes.includes(args.type)) {
            return args.notApplicable(`${args.type} is not a taggable type the pack knows`);
        }
        const { requiredTags } = policyConfig<{ requiredTags: string[] }>(args, schema);
        const tags = effectiveTags(args.props, args.provider);
        if (!isKnown(tags)) {
            return;
        }
        const missing = requiredTags.filter((key) => !tags[key]);
        if (missing.length > 0) {
            reportViolation(`The resource must carry the cost tags ${missing.join(", ")} (own tags or the provider's defaultTags); they are missing${args.provider ? ` (provider ${args.provider.name})` : " (no provider)"}.`);
        }
    },
};

export const taggingPolicies = [taggingResourceCostTags];
