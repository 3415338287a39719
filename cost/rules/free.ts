/**
 * Resource types that cost nothing by themselves, each with the reason (what is billed instead,
 * or why there is no charge). Like Infracost's FreeResources list.
 */

const logicalGrouping = "logical grouping";

export const freeTypes: Readonly<Record<string, string>> = {
    // Pulumi
    "pulumi:pulumi:Stack": logicalGrouping,

    // DMS: endpoints and subnet groups cost nothing; the serverless replication's DCU-hours are billed
    "aws:dms/endpoint:Endpoint": "DMS endpoints have no charge; the replication's DCU-hours are billed",
    "aws:dms/s3Endpoint:S3Endpoint": "DMS endpoints have no charge; the replication's DCU-hours are billed (S3 storage under the raw bucket)",
    "aws:dms/replicationSubnetGroup:ReplicationSubnetGroup": logicalGrouping,

    // IAM and account settings
    "aws:iam/role:Role": "IAM has no charge",
    "aws:iam/rolePolicy:RolePolicy": "IAM has no charge",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "IAM has no charge",
    "aws:iam/policy:Policy": "IAM has no charge",
    "aws:iam/instanceProfile:InstanceProfile": "IAM has no charge",
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": "IAM has no charge",

    // Network
    "aws:ec2/securityGroup:SecurityGroup": "security groups have no charge",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "security groups have no charge",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "security group rules have no charge",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "security group rules have no charge",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "security group rules have no charge",
    "aws:ec2/flowLog:FlowLog": "flow logs are billed as log ingestion on their destination log group",
    "aws:ec2/vpc:Vpc": "VPCs have no charge",
    "aws:ec2/subnet:Subnet": "subnets have no charge",
    "aws:ec2/routeTable:RouteTable": "route tables have no charge",
    "aws:ec2/route:Route": "routes have no charge",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "route table associations have no charge",
    "aws:ec2/internetGateway:InternetGateway": "internet gateways have no charge (data transfer out is not modelled)",
    "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation": "gateway endpoint associations have no charge",

    // Keys and secrets
    "aws:kms/alias:Alias": "KMS aliases have no charge",
    "aws:secretsmanager/secretVersion:SecretVersion": "billed per secret, not per version",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "secret policies have no charge",

    // S3 bucket configuration (Infracost lists aws_s3_bucket_* configuration as free)
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "bucket configuration has no charge; storage classes are priced on the bucket",
    "aws:s3/bucketLogging:BucketLogging": "bucket configuration has no charge; the log objects are priced on the log bucket",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "bucket configuration has no charge",
    "aws:s3/bucketPolicy:BucketPolicy": "bucket configuration has no charge",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "bucket configuration has no charge",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "bucket configuration has no charge; KMS requests are priced on the key",
    "aws:s3/bucketVersioning:BucketVersioning": "bucket configuration has no charge; noncurrent versions are storage on the bucket",
    "aws:s3/bucketNotification:BucketNotification": "bucket configuration has no charge",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": "bucket configuration has no charge; locked objects are storage on the bucket",
    "aws:s3/bucketObject:BucketObject": "an object is storage on its bucket (priced with the bucket's usage)",
    "aws:s3/bucketObjectv2:BucketObjectv2": "an object is storage on its bucket (priced with the bucket's usage)",

    // Catalog and governance
    "aws:athena/namedQuery:NamedQuery": "saved query text has no charge; running it is priced as data scanned on its workgroup",
    "aws:glue/catalogDatabase:CatalogDatabase": "Glue Data Catalog: the first million objects and requests a month are free",
    "aws:glue/catalogTable:CatalogTable": "Glue Data Catalog: the first million objects and requests a month are free",
    "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings": "Catalog encryption settings have no charge (the KMS requests they cause are counted with the lake key)",
    "aws:glue/securityConfiguration:SecurityConfiguration": "Glue security configurations have no charge (the KMS requests they cause are counted with the keys)",
    "aws:lakeformation/lfTag:LfTag": "Lake Formation permissions and tags have no charge",
    "aws:lakeformation/permissions:Permissions": "Lake Formation permissions and tags have no charge",
    "aws:lakeformation/resource:Resource": "Lake Formation permissions and tags have no charge",
    "aws:lakeformation/resourceLfTags:ResourceLfTags": "Lake Formation permissions and tags have no charge",
    "aws:lakeformation/dataLakeSettings:DataLakeSettings": "Lake Formation permissions and tags have no charge",

    // Streaming
    "aws:msk/configuration:Configuration": "MSK configurations have no charge",
    "aws:msk/topic:Topic": "topics live on the brokers, priced with the cluster",
    "aws:msk/clusterPolicy:ClusterPolicy": "MSK cluster policies have no charge",
    "aws:msk/scramSecretAssociation:ScramSecretAssociation": "associating SCRAM secrets has no charge; the AmazonMSK_ secrets themselves are created outside the stack and billed there",
    "aws:appautoscaling/target:Target": "Application Auto Scaling has no charge; grown MSK storage is priced on the cluster (storageGbPerBroker)",
    "aws:appautoscaling/policy:Policy": "Application Auto Scaling has no charge",

    // Ingest
    "aws:lambda/permission:Permission": "Lambda permissions have no charge",
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": "invoke configuration has no charge",
    "aws:sqs/queuePolicy:QueuePolicy": "queue policies have no charge",
    "aws:sqs/redrivePolicy:RedrivePolicy": "redrive policies have no charge",

    // Spark and batch
    "aws:emr/securityConfiguration:SecurityConfiguration": "EMR security configurations have no charge",
    "aws:emr/blockPublicAccessConfiguration:BlockPublicAccessConfiguration": "an account-level EMR setting; no charge",
    "tls:index/privateKey:PrivateKey": "generated locally by the TLS provider; no cloud resource",
    "tls:index/selfSignedCert:SelfSignedCert": "generated locally by the TLS provider; no cloud resource",
    "tls:index/locallySignedCert:LocallySignedCert": "generated locally by the TLS provider; no cloud resource",
    "random:index/randomPassword:RandomPassword": "generated locally by the random provider; no cloud resource",
    "random:index/randomId:RandomId": "generated locally by the random provider; no cloud resource",
    "aws:emr/managedScalingPolicy:ManagedScalingPolicy": "managed scaling has no charge; the task nodes it adds are priced on the task fleet",
    "aws:batch/jobQueue:JobQueue": "AWS Batch has no charge; Fargate capacity is priced on the compute environment",
    "aws:batch/jobDefinition:JobDefinition": "AWS Batch has no charge; Fargate capacity is priced on the compute environment",
    "aws:batch/schedulingPolicy:SchedulingPolicy": "AWS Batch has no charge",
    "awsx:ecr:Image": "an image build and push; its storage is priced on the ECR repository",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": "repository configuration has no charge",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "repository configuration has no charge",

    // Warehouse
    "aws:redshift/logging:Logging": "audit logging has no charge by itself (logs land in CloudWatch or S3)",
    "aws:redshift/parameterGroup:ParameterGroup": "parameter groups have no charge",
    "aws:redshift/subnetGroup:SubnetGroup": "subnet groups have no charge",
    "aws:redshift/resourcePolicy:ResourcePolicy": "resource policies have no charge",
    "aws:rds/integration:Integration":
        "a zero-ETL integration has no charge of its own: the Aurora source's change processing and I/O are billed on the cluster (outside the stack), and the replicated data's compute and storage on the warehouse (priced here)",

    // Orchestration and observability
    "aws:cloudwatch/eventRule:EventRule": "EventBridge scheduled rules and AWS service events on the default bus have no charge",
    "aws:cloudwatch/eventTarget:EventTarget": "EventBridge targets have no charge (the invoked service is priced)",
    "aws:cloudwatch/logStream:LogStream": "log streams have no charge (ingestion and storage are priced on the log group)",
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": "metric filters have no charge (custom metrics beyond the free tier not modelled)",
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": "subscription filters have no charge",
    "aws:scheduler/scheduleGroup:ScheduleGroup": "schedule groups have no charge",
    "aws:sns/topicPolicy:TopicPolicy": "topic policies have no charge",
    "aws:sns/topicSubscription:TopicSubscription": "a subscription has no charge; alarm and budget notifications are a few a month",
    "aws:budgets/budget:Budget": "AWS Budgets without budget actions have no charge",
};

/** Type-token patterns that are free: component resources and providers. */
export const freePatterns: readonly { readonly pattern: RegExp; readonly reason: string }[] = [
    { pattern: /^platform:/, reason: logicalGrouping },
    { pattern: /^pulumi:providers:/, reason: logicalGrouping },
];

export function freeReason(type: string): string | undefined {
    return freeTypes[type] ?? freePatterns.find((p) => p.pattern.test(type))?.reason;
}
