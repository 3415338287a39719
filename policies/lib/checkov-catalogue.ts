/**
 * The Checkov catalogue this pack answers for (Checkov's AWS Terraform checks for the services
 * the platform uses), with the coverage decision for each ID:
 *
 * - `applicable`: the program creates a resource of a matched type under some stack config;
 * - `notCreated`: it never does, with the reason; the pack may still map the ID to a policy
 *   (a guardrail for when the type appears);
 * - `declined`: applicable, but deliberately not enforced, with the reason.
 *
 * Which policy implements an ID is not listed here: it is read from the policies' `framework`
 * metadata, so the README table (generated from both) cannot drift from the code.
 */
export interface CatalogueEntry {
    readonly id: string;
    readonly service: string;
    readonly check: string;
    /** Pulumi types the program creates that the check matches (empty when none). */
    readonly createdTypes: readonly string[];
    readonly status: "applicable" | "notCreated" | "declined";
    readonly reason?: string;
}

const msk = "aws:msk/cluster:Cluster (platform:streamingEngine msk)";
const firehose = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream (platform:ingestDelivery firehose)";
const bucket = "aws:s3/bucket:Bucket";
const emrCluster = "aws:emr/cluster:Cluster (platform:sparkMode cluster)";
const emrSecurity = "aws:emr/securityConfiguration:SecurityConfiguration (platform:sparkMode cluster)";
const glueJob = "aws:glue/job:Job (platform:sparkMode glue)";
const glueCrawler = "aws:glue/crawler:Crawler (platform:fileDropDraftPrefix set)";
const glueSecurity = "aws:glue/securityConfiguration:SecurityConfiguration (platform:sparkMode glue, or platform:fileDropDraftPrefix set)";
const redshiftCluster = "aws:redshift/cluster:Cluster (platform:warehouseMode provisioned)";
const fn = "aws:lambda/function:Function";
const role = "aws:iam/role:Role";
const rolePolicy = "aws:iam/rolePolicy:RolePolicy";
const securityGroups = ["aws:ec2/securityGroup:SecurityGroup", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"];
const logGroup = "aws:cloudwatch/logGroup:LogGroup";
const mwaa = "aws:mwaa/environment:Environment (platform:orchestrator airflow)";
const workgroup = "aws:athena/workgroup:Workgroup";
const trail = "aws:cloudtrail/trail:Trail (unless platform:organizationTrailArn is set)";

function applicable(id: string, service: string, check: string, createdTypes: readonly string[]): CatalogueEntry {
    return { id, service, check, createdTypes, status: "applicable" };
}

function notCreated(id: string, service: string, check: string, reason: string): CatalogueEntry {
    return { id, service, check, createdTypes: [], status: "notCreated", reason };
}

function declined(id: string, service: string, check: string, createdTypes: readonly string[], reason: string): CatalogueEntry {
    return { id, service, check, createdTypes, status: "declined", reason };
}

const noNacl = "The program creates no network ACLs (awsx leaves the VPC's default NACL alone); security groups carry the filtering.";
const passwordPolicy = "Account-level IAM password policy: not a stack resource; people sign in through SSO (iam-user-not-used refuses IAM users).";

export const checkovCatalogue: readonly CatalogueEntry[] = [
    // MSK
    applicable("CKV_AWS_80", "MSK", "Ensure MSK Cluster logging is enabled", [msk]),
    applicable("CKV_AWS_81", "MSK", "Ensure MSK Cluster encryption in rest and transit is enabled", [msk]),
    applicable("CKV_AWS_291", "MSK", "Ensure MSK nodes are private", [msk]),
    // Kinesis
    applicable("CKV_AWS_43", "Kinesis", "Ensure Kinesis Stream is securely encrypted", ["aws:kinesis/stream:Stream (platform:streamingEngine kinesis)"]),
    notCreated("CKV_AWS_177", "Kinesis", "Ensure Kinesis Video Stream is encrypted by KMS using a CMK", "The platform has no Kinesis Video Streams."),
    applicable("CKV_AWS_185", "Kinesis", "Ensure Kinesis Stream is encrypted by KMS using a CMK", ["aws:kinesis/stream:Stream (platform:streamingEngine kinesis)"]),
    applicable("CKV_AWS_240", "Kinesis", "Ensure Kinesis Firehose delivery stream is encrypted", [firehose]),
    applicable("CKV_AWS_241", "Kinesis", "Ensure that Kinesis Firehose Delivery Streams are encrypted with CMK", [firehose]),
    // S3
    applicable("CKV_AWS_18", "S3", "Ensure the S3 bucket has access logging enabled", [bucket, "aws:s3/bucketLogging:BucketLogging"]),
    applicable("CKV_AWS_19", "S3", "Ensure all data stored in the S3 bucket is securely encrypted at rest", [bucket, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"]),
    applicable("CKV_AWS_20", "S3", "S3 Bucket has an ACL defined which allows public READ access", [bucket]),
    applicable("CKV_AWS_21", "S3", "Ensure all data stored in the S3 bucket have versioning enabled", [bucket, "aws:s3/bucketVersioning:BucketVersioning"]),
    applicable("CKV_AWS_53", "S3", "Ensure S3 bucket has block public ACLS enabled", ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"]),
    applicable("CKV_AWS_54", "S3", "Ensure S3 bucket has block public policy enabled", ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"]),
    applicable("CKV_AWS_55", "S3", "Ensure S3 bucket has ignore public ACLs enabled", ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"]),
    applicable("CKV_AWS_56", "S3", "Ensure S3 bucket has 'restrict_public_buckets' enabled", ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"]),
    applicable("CKV_AWS_57", "S3", "S3 Bucket has an ACL defined which allows public WRITE access", [bucket]),
    applicable("CKV_AWS_70", "S3", "Ensure S3 bucket does not allow an action with any Principal", [bucket, "aws:s3/bucketPolicy:BucketPolicy"]),
    applicable("CKV_AWS_93", "S3", "Ensure S3 bucket policy does not lockout all but root user", [bucket, "aws:s3/bucketPolicy:BucketPolicy"]),
    declined(
        "CKV_AWS_143",
        "S3",
        "Ensure that S3 bucket has lock configuration enabled by default",
        [bucket],
        "Object Lock (WORM) contradicts the lake's design: the Spark job replaces curated partitions, rejects and access logs expire by lifecycle, and dev buckets must be deletable. Recovery comes from versioning with noncurrent-version retention (s3-bucket-versioning) and protect/retainOnDelete in prod (protection-data-store-protected). The audit trail's bucket is the exception: its log files are locked in governance mode for platform:auditRetentionDays in stacks that protect data.",
    ),
    declined(
        "CKV_AWS_144",
        "S3",
        "Ensure that S3 bucket has cross-region replication enabled",
        [bucket],
        "The platform is single-region by design (one stack per environment in one region); cross-region disaster recovery is out of its scope and would double storage cost. Raw data stays replayable from versioned, protected buckets.",
    ),
    applicable("CKV_AWS_145", "S3", "Ensure that S3 buckets are encrypted with KMS by default", [bucket, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"]),
    notCreated("CKV_AWS_181", "S3", "Ensure S3 Object Copy is encrypted by KMS using a CMK", "The program never copies objects with aws_s3_object_copy."),
    notCreated("CKV_AWS_186", "S3", "Ensure S3 bucket Object is encrypted by KMS using a CMK", "Checkov matches the deprecated aws_s3_bucket_object; the program's objects are aws_s3_object (BucketObjectv2), which it does not check. The mapped policy judges them (objects encrypted with the bucket key count)."),
    applicable("CKV_AWS_300", "S3", "Ensure S3 lifecycle configuration sets period for aborting failed uploads", ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"]),
    notCreated("CKV_AWS_375", "S3", "Ensure AWS S3 bucket does not have global view ACL permissions enabled", "The program creates no bucket ACLs (ACLs are disabled by BucketOwnerEnforced); the mapped policy also checks aws.s3.BucketAcl should one appear."),
    notCreated("CKV_AWS_379", "S3", "Ensure AWS S3 bucket is configured with secure data transport policy", "Matched on aws_s3_bucket_acl, which the program never creates; its intent (TLS-only access) is enforced on every bucket's policy by the mapped policy."),
    notCreated("CKV_AWS_392", "S3", "Ensure AWS S3 access point block public access setting is enabled", "The program creates no S3 access points."),
    applicable("CKV2_AWS_6", "S3", "Ensure that S3 bucket has a Public Access block", [bucket, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"]),
    notCreated("CKV2_AWS_43", "S3", "Ensure S3 Bucket does not allow access to all Authenticated users", "The program creates no bucket ACLs; the mapped policy also checks aws.s3.BucketAcl and bucket grants should one appear."),
    applicable("CKV2_AWS_61", "S3", "Ensure that an S3 bucket has a lifecycle configuration", [bucket]),
    declined(
        "CKV2_AWS_62",
        "S3",
        "Ensure S3 buckets should have event notifications enabled",
        [bucket],
        "The lake's buckets are read on a schedule (EventBridge Scheduler, Step Functions), not by object events; notifications without a consumer add cost and no safety. The file drops' landing bucket, whose files are processed on arrival, sends its events to EventBridge.",
    ),
    applicable("CKV2_AWS_65", "S3", "Ensure access control lists for S3 buckets are disabled", ["aws:s3/bucketOwnershipControls:BucketOwnershipControls"]),
    // EMR
    applicable("CKV_AWS_114", "EMR", "Ensure that EMR clusters with Kerberos have Kerberos Realm set", [emrCluster]),
    applicable("CKV_AWS_171", "EMR", "Ensure EMR Cluster security configuration encryption is using SSE-KMS", [emrSecurity]),
    applicable("CKV_AWS_349", "EMR", "Ensure EMR Cluster security configuration encrypts local disks", [emrSecurity]),
    applicable("CKV_AWS_350", "EMR", "Ensure EMR Cluster security configuration encrypts EBS disks", [emrSecurity]),
    applicable("CKV_AWS_351", "EMR", "Ensure EMR Cluster security configuration encrypts InTransit", [emrSecurity]),
    applicable("CKV_AWS_390", "EMR", "Ensure AWS EMR block public access setting is enabled", ["aws:emr/blockPublicAccessConfiguration:BlockPublicAccessConfiguration (platform:sparkMode cluster)"]),
    applicable("CKV2_AWS_7", "EMR", "Ensure that Amazon EMR clusters' security groups are not open to the world", [emrCluster, "aws:ec2/securityGroup:SecurityGroup"]),
    applicable("CKV2_AWS_55", "EMR", "Ensure AWS EMR cluster is configured with security configuration", [emrCluster]),
    // Batch
    applicable("CKV_AWS_210", "Batch", "Batch job does not define a privileged container", ["aws:batch/jobDefinition:JobDefinition"]),
    // Redshift
    applicable("CKV_AWS_23", "VPC / Redshift", "Ensure every security group and rule has a description", securityGroups),
    applicable("CKV_AWS_64", "Redshift", "Ensure all data stored in the Redshift cluster is securely encrypted at rest", [redshiftCluster]),
    applicable("CKV_AWS_71", "Redshift", "Ensure Redshift Cluster logging is enabled", [redshiftCluster, "aws:redshift/logging:Logging"]),
    applicable("CKV_AWS_87", "Redshift", "Redshift cluster should not be publicly accessible", [redshiftCluster]),
    applicable("CKV_AWS_105", "Redshift", "Ensure Redshift uses SSL", ["aws:redshift/parameterGroup:ParameterGroup (platform:warehouseMode provisioned)"]),
    applicable("CKV_AWS_141", "Redshift", "Ensured that Redshift cluster allowing version upgrade by default", [redshiftCluster]),
    applicable("CKV_AWS_142", "Redshift", "Ensure that Redshift cluster is encrypted by KMS", [redshiftCluster]),
    applicable("CKV_AWS_154", "Redshift", "Ensure Redshift is not deployed outside of a VPC", [redshiftCluster]),
    notCreated("CKV_AWS_281", "Redshift", "Ensure RedShift snapshot copy is encrypted by KMS using a CMK", "The program creates no snapshot copy grants: snapshots stay in the stack's region."),
    applicable("CKV_AWS_282", "Redshift", "Ensure that Redshift Serverless namespace is encrypted by KMS using a CMK", ["aws:redshiftserverless/namespace:Namespace (platform:warehouseMode serverless)"]),
    applicable("CKV_AWS_320", "Redshift", "Ensure Redshift clusters do not use the default database name", [redshiftCluster]),
    applicable("CKV_AWS_321", "Redshift", "Ensure Redshift clusters use enhanced VPC routing", [redshiftCluster]),
    applicable("CKV_AWS_343", "Redshift", "Ensure Amazon Redshift clusters should have automatic snapshots enabled", [redshiftCluster]),
    applicable("CKV_AWS_391", "Redshift", "Avoid AWS Redshift cluster with commonly used master username and public access setting enabled", [redshiftCluster]),
    // Lambda
    applicable("CKV_AWS_45", "Lambda", "Ensure no hard-coded secrets exist in lambda environment", [fn]),
    applicable("CKV_AWS_50", "Lambda", "X-Ray tracing is enabled for Lambda", [fn]),
    applicable("CKV_AWS_115", "Lambda", "Ensure that AWS Lambda function is configured for function-level concurrent execution limit", [fn]),
    applicable("CKV_AWS_116", "Lambda", "Ensure that AWS Lambda function is configured for a Dead Letter Queue(DLQ)", [fn]),
    applicable("CKV_AWS_117", "Lambda", "Ensure that AWS Lambda function is configured inside a VPC", [fn]),
    applicable("CKV_AWS_173", "Lambda", "Check encryption settings for Lambda environmental variable", [fn]),
    notCreated("CKV_AWS_258", "Lambda", "Ensure that Lambda function URLs AuthType is not None", "The program creates no function URLs; the mapped policy guards against one appearing."),
    declined(
        "CKV_AWS_272",
        "Lambda",
        "Ensure AWS Lambda function is configured to validate code-signing",
        [fn],
        "The design deploys handlers as inline aws.lambda.CallbackFunction closures, which Pulumi serializes and uploads itself; code signing needs a signed artifact from an AWS Signer job in S3. Integrity comes from the reviewed source and the deploying role instead.",
    ),
    applicable("CKV_AWS_301", "Lambda", "Ensure that AWS Lambda function is not publicly accessible", ["aws:lambda/permission:Permission"]),
    applicable("CKV_AWS_363", "Lambda", "Ensure Lambda Runtime is not deprecated", [fn]),
    applicable("CKV_AWS_364", "Lambda", "Ensure that AWS Lambda function permissions delegated to AWS services are limited by SourceArn or SourceAccount", ["aws:lambda/permission:Permission"]),
    applicable("CKV2_AWS_75", "Lambda", "Ensure no open CORS policy", [fn]),
    // SQS
    applicable("CKV_AWS_27", "SQS", "Ensure all data stored in the SQS queue is encrypted", ["aws:sqs/queue:Queue"]),
    applicable("CKV_AWS_72", "SQS", "Ensure SQS policy does not allow ALL (*) actions", ["aws:sqs/queuePolicy:QueuePolicy"]),
    applicable("CKV_AWS_168", "SQS", "Ensure SQS queue policy is not public by only allowing specific services or principals to access it", ["aws:sqs/queue:Queue", "aws:sqs/queuePolicy:QueuePolicy"]),
    applicable("CKV_AWS_387", "SQS", "Ensure SQS policy does not allow public access through wildcards", ["aws:sqs/queuePolicy:QueuePolicy"]),
    applicable("CKV2_AWS_73", "SQS", "Ensure AWS SQS uses CMK not AWS default keys for encryption", ["aws:sqs/queue:Queue"]),
    // KMS
    applicable("CKV_AWS_7", "KMS", "Ensure rotation for customer created CMKs is enabled", ["aws:kms/key:Key"]),
    applicable("CKV_AWS_33", "KMS", "Ensure KMS key policy does not contain wildcard (*) principal", ["aws:kms/key:Key"]),
    applicable("CKV_AWS_227", "KMS", "Ensure KMS key is enabled", ["aws:kms/key:Key"]),
    applicable("CKV2_AWS_64", "KMS", "Ensure KMS key Policy is defined", ["aws:kms/key:Key"]),
    // Glue
    applicable("CKV_AWS_94", "Glue", "Ensure Glue Data Catalog Encryption is enabled", ["aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings"]),
    applicable("CKV_AWS_99", "Glue", "Ensure Glue Security Configuration Encryption is enabled", [glueSecurity]),
    applicable("CKV_AWS_195", "Glue", "Ensure Glue component has a security configuration associated", [glueJob, glueCrawler]),
    // SNS
    applicable("CKV_AWS_26", "SNS", "Ensure all data stored in the SNS topic is encrypted", ["aws:sns/topic:Topic"]),
    applicable("CKV_AWS_169", "SNS", "Ensure SNS topic policy is not public by only allowing specific services or principals to access it", ["aws:sns/topicPolicy:TopicPolicy"]),
    applicable("CKV_AWS_385", "SNS", "Ensure AWS SNS topic policies do not allow cross-account access", ["aws:sns/topicPolicy:TopicPolicy"]),
    // ECR
    applicable("CKV_AWS_51", "ECR", "Ensure ECR Image Tags are immutable", ["aws:ecr/repository:Repository"]),
    applicable("CKV_AWS_136", "ECR", "Ensure that ECR repositories are encrypted using KMS", ["aws:ecr/repository:Repository"]),
    applicable("CKV_AWS_163", "ECR", "Ensure ECR image scanning on push is enabled", ["aws:ecr/repository:Repository"]),
    // EventBridge Scheduler
    applicable("CKV_AWS_297", "Scheduler", "Ensure EventBridge Scheduler Schedule uses Customer Managed Key (CMK)", ["aws:scheduler/schedule:Schedule"]),
    // MWAA (platform:orchestrator airflow)
    applicable("CKV_AWS_242", "MWAA", "Ensure MWAA environment has scheduler logs enabled", [mwaa]),
    applicable("CKV_AWS_243", "MWAA", "Ensure MWAA environment has worker logs enabled", [mwaa]),
    applicable("CKV_AWS_244", "MWAA", "Ensure MWAA environment has webserver logs enabled", [mwaa]),
    applicable("CKV2_AWS_66", "MWAA", "Ensure MWAA environment is not publicly accessible", [mwaa]),
    // Step Functions
    applicable("CKV_AWS_284", "Step Functions", "Ensure State Machine has X-Ray tracing enabled", ["aws:sfn/stateMachine:StateMachine"]),
    applicable("CKV_AWS_285", "Step Functions", "Ensure State Machine has execution history logging enabled", ["aws:sfn/stateMachine:StateMachine"]),
    // Secrets Manager
    notCreated("CKV_AWS_149", "Secrets Manager", "Ensure that Secrets Manager secret is encrypted using KMS CMK", "The program declares no secrets: Redshift creates and rotates its admin secret (manageMasterPassword, encrypted with the warehouse key); the mapped policy guards future secrets."),
    notCreated("CKV_AWS_304", "Secrets Manager", "Ensure Secrets Manager secrets should be rotated within 90 days", "The program declares no secret rotations; the mapped policy guards future secrets."),
    notCreated("CKV2_AWS_57", "Secrets Manager", "Ensure Secrets Manager secrets should have automatic rotation enabled", "The program declares no secrets; the mapped policy guards future secrets."),
    // DMS (database sources)
    applicable("CKV2_AWS_49", "DMS", "Ensure AWS Database Migration Service endpoints have SSL configured", ["aws:dms/endpoint:Endpoint"]),
    applicable("CKV_AWS_296", "DMS", "Ensure DMS endpoint uses Customer Managed Key (CMK)", ["aws:dms/endpoint:Endpoint"]),
    applicable("CKV_AWS_298", "DMS", "Ensure DMS S3 uses Customer Managed Key (CMK)", ["aws:dms/s3Endpoint:S3Endpoint"]),
    // CloudWatch
    applicable("CKV_AWS_66", "CloudWatch", "Ensure that CloudWatch Log Group specifies retention days", [logGroup]),
    applicable("CKV_AWS_158", "CloudWatch", "Ensure that CloudWatch Log Group is encrypted by KMS", [logGroup]),
    applicable("CKV_AWS_319", "CloudWatch", "Ensure that CloudWatch alarm actions are enabled", ["aws:cloudwatch/metricAlarm:MetricAlarm"]),
    applicable("CKV_AWS_338", "CloudWatch", "Ensure CloudWatch log groups retains logs for at least 1 year", [logGroup]),
    // VPC
    applicable("CKV_AWS_24", "VPC", "Ensure no security groups allow ingress from 0.0.0.0:0 to port 22", securityGroups),
    applicable("CKV_AWS_25", "VPC", "Ensure no security groups allow ingress from 0.0.0.0:0 to port 3389", securityGroups),
    notCreated("CKV_AWS_123", "VPC", "Ensure that VPC Endpoint Service is configured for Manual Acceptance", "The platform consumes VPC endpoints but offers no endpoint service."),
    applicable("CKV_AWS_130", "VPC", "Ensure VPC subnets do not assign public IP by default", ["aws:ec2/subnet:Subnet (children of awsx:ec2:Vpc in a deployment)"]),
    notCreated("CKV_AWS_148", "VPC", "Ensure no default VPC is planned to be provisioned", "The program never declares aws.ec2.DefaultVpc."),
    notCreated("CKV_AWS_229", "VPC", "Ensure no NACL allow ingress from 0.0.0.0:0 to port 21", noNacl),
    notCreated("CKV_AWS_230", "VPC", "Ensure no NACL allow ingress from 0.0.0.0:0 to port 20", noNacl),
    notCreated("CKV_AWS_231", "VPC", "Ensure no NACL allow ingress from 0.0.0.0:0 to port 3389", noNacl),
    notCreated("CKV_AWS_232", "VPC", "Ensure no NACL allow ingress from 0.0.0.0:0 to port 22", noNacl),
    applicable("CKV_AWS_260", "VPC", "Ensure no security groups allow ingress from 0.0.0.0:0 to port 80", securityGroups),
    applicable("CKV_AWS_277", "VPC", "Ensure no security groups allow ingress from 0.0.0.0:0 to port -1 (all ports)", securityGroups),
    notCreated("CKV_AWS_352", "VPC", "Ensure NACL ingress does not allow all Ports", noNacl),
    applicable("CKV_AWS_382", "VPC", "Ensure no security groups allow egress from 0.0.0.0:0 to port -1 (all ports)", securityGroups),
    declined("CKV2_AWS_1", "VPC", "Ensure that all NACL are attached to subnets", ["aws:ec2/subnet:Subnet (children of awsx:ec2:Vpc in a deployment)"], noNacl),
    applicable("CKV2_AWS_5", "VPC", "Ensure that Security Groups are attached to another resource", ["aws:ec2/securityGroup:SecurityGroup"]),
    applicable("CKV2_AWS_11", "VPC", "Ensure VPC flow logging is enabled in all VPCs", ["awsx:ec2:Vpc (aws:ec2/vpc:Vpc in a deployment)", "aws:ec2/flowLog:FlowLog"]),
    applicable("CKV2_AWS_12", "VPC", "Ensure the default security group of every VPC restricts all traffic", ["aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "awsx:ec2:Vpc"]),
    // IAM
    notCreated("CKV_AWS_9", "IAM", "Ensure IAM password policy expires passwords within 90 days or less", passwordPolicy),
    notCreated("CKV_AWS_10", "IAM", "Ensure IAM password policy requires minimum length of 14 or greater", passwordPolicy),
    notCreated("CKV_AWS_11", "IAM", "Ensure IAM password policy requires at least one lowercase letter", passwordPolicy),
    notCreated("CKV_AWS_12", "IAM", "Ensure IAM password policy requires at least one number", passwordPolicy),
    notCreated("CKV_AWS_13", "IAM", "Ensure IAM password policy prevents password reuse", passwordPolicy),
    notCreated("CKV_AWS_14", "IAM", "Ensure IAM password policy requires at least one symbol", passwordPolicy),
    notCreated("CKV_AWS_15", "IAM", "Ensure IAM password policy requires at least one uppercase letter", passwordPolicy),
    notCreated("CKV_AWS_40", "IAM", "Ensure IAM policies are attached only to groups or roles", "The program attaches policies to roles only; the mapped policy refuses user policies should one appear."),
    applicable("CKV_AWS_60", "IAM", "Ensure IAM role allows only specific services or principals to assume it", [role]),
    applicable("CKV_AWS_61", "IAM", "Ensure AWS IAM policy does not allow assume role permission across all services", [role]),
    applicable("CKV_AWS_62", "IAM", 'Ensure IAM policies that allow full "*-*" administrative privileges are not created', [rolePolicy]),
    applicable("CKV_AWS_63", "IAM", 'Ensure no IAM policies documents allow "*" as a statement\'s actions', [rolePolicy]),
    notCreated("CKV_AWS_273", "IAM", "Ensure access is controlled through SSO and not AWS IAM defined users", "The program creates no IAM users; the mapped policy refuses them."),
    applicable("CKV_AWS_274", "IAM", "Disallow IAM roles, users, and groups from using the AWS AdministratorAccess policy", [role, "aws:iam/rolePolicyAttachment:RolePolicyAttachment (platform:sparkMode cluster)"]),
    applicable("CKV_AWS_286", "IAM", "Ensure IAM policies does not allow privilege escalation", [rolePolicy]),
    applicable("CKV_AWS_287", "IAM", "Ensure IAM policies does not allow credentials exposure", [rolePolicy]),
    applicable("CKV_AWS_288", "IAM", "Ensure IAM policies does not allow data exfiltration", [rolePolicy]),
    applicable("CKV_AWS_289", "IAM", "Ensure IAM policies does not allow permissions management / resource exposure without constraints", [rolePolicy]),
    applicable("CKV_AWS_290", "IAM", "Ensure IAM policies does not allow write access without constraints", [rolePolicy]),
    notCreated("CKV_AWS_348", "IAM", "Ensure IAM root user does not have Access keys", "The program creates no access keys; the mapped policy refuses them."),
    applicable("CKV_AWS_355", "IAM", 'Ensure no IAM policies documents allow "*" as a statement\'s resource for restrictable actions', [rolePolicy]),
    applicable("CKV_AWS_393", "IAM", "Ensure AWS GitHub Actions OIDC authorization policies only allow safe claims and claim order on IAM role", [role]),
    notCreated("CKV2_AWS_14", "IAM", "Ensure that IAM groups includes at least one IAM user", "The program creates no IAM groups or users (people use SSO)."),
    notCreated("CKV2_AWS_21", "IAM", "Ensure that all IAM users are members of at least one IAM group", "The program creates no IAM users or group memberships (people use SSO)."),
    notCreated("CKV2_AWS_22", "IAM", "Ensure an IAM User does not have access to the console", "The program creates no IAM users or login profiles; the mapped policy refuses them."),
    applicable("CKV2_AWS_40", "IAM", "Ensure AWS IAM policy does not allow full IAM privileges", [rolePolicy]),
    applicable("CKV2_AWS_56", "IAM", "Ensure AWS Managed IAMFullAccess IAM policy is not used", [role, "aws:iam/rolePolicyAttachment:RolePolicyAttachment (platform:sparkMode cluster)"]),
    declined("CKV2_AWS_68", "IAM", "Ensure SageMaker notebook instance IAM policy is not overly permissive", [role], "Checkov reports it on every aws_iam_role, but it judges only roles of SageMaker notebook instances; the platform has none, and its roles' policies are judged by the iam-policy-* policies."),
    declined("CKV2_AWS_37", "CodeCommit", "Ensure CodeCommit associates an approval rule", [role], "Checkov's graph check lists every resource type, but it judges CodeCommit repositories; the platform has none (its source lives outside the stack)."),
    // Application Auto Scaling, and the VPC that awsx creates
    declined("CKV2_AWS_16", "DynamoDB", "Ensure that Auto Scaling is enabled on your DynamoDB tables", ["aws:appautoscaling/target:Target (platform:streamingEngine msk)"], "Reported on scaling targets, but it judges DynamoDB tables; the platform has none. Its only scaling target is the MSK broker storage, which scales by design."),
    declined("CKV2_AWS_19", "VPC", "Ensure that all EIP addresses allocated to a VPC are attached to EC2 instances", ["aws:ec2/eip:Eip (children of awsx:ec2:Vpc in a deployment)"], "The only Elastic IPs are the NAT gateways' that awsx allocates; they are attached to the gateways, not to instances, and the platform runs no EC2 instances of its own."),
    declined("CKV2_AWS_35", "VPC", "AWS NAT Gateways should be utilized for the default route", ["aws:ec2/routeTable:RouteTable (children of awsx:ec2:Vpc in a deployment)"], "awsx routes each private subnet's default route through a NAT gateway (or none in the endpoints-only layout) by construction; the route tables are inside the component, which the pack does not see as separate resources offline."),
    declined("CKV2_AWS_44", "VPC", "Ensure AWS route table with VPC peering does not contain routes overly permissive to all traffic", ["aws:ec2/routeTable:RouteTable (children of awsx:ec2:Vpc in a deployment)"], "The platform creates no VPC peering connections, so no route table routes to a peer."),
    // Athena
    applicable("CKV_AWS_82", "Athena", "Ensure Athena Workgroup should enforce configuration to prevent client disabling encryption", [workgroup]),
    applicable("CKV_AWS_159", "Athena", "Ensure that Athena Workgroup is encrypted", [workgroup]),
    // CloudTrail
    applicable("CKV_AWS_35", "CloudTrail", "Ensure CloudTrail logs are encrypted at rest using KMS CMKs", [trail]),
    applicable("CKV_AWS_36", "CloudTrail", "Ensure CloudTrail log file validation is enabled", [trail]),
    applicable("CKV_AWS_67", "CloudTrail", "Ensure CloudTrail is enabled in all Regions", [trail]),
    applicable("CKV_AWS_251", "CloudTrail", "Ensure CloudTrail logging is enabled", [trail]),
    declined(
        "CKV_AWS_252",
        "CloudTrail",
        "Ensure CloudTrail defines an SNS Topic",
        [trail],
        "A notification per delivered log file says nothing a person can act on. The changes that matter (MSK configuration, lake bucket access, KMS keys, Lake Formation grants, the trail itself) reach the alarm topic through metric filters and alarms on the trail's CloudWatch log group instead (cloudtrail-trail-cloudwatch-logs, cloudwatch-alarm-pipeline-stage-coverage).",
    ),
    applicable("CKV2_AWS_10", "CloudTrail", "Ensure CloudTrail trails are integrated with CloudWatch Logs", [trail]),
];
