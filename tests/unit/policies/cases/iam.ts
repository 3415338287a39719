import * as aws from "@pulumi/aws";
import * as iam from "../../../../policies/iam";
import { doc, fixture } from "../helpers";
import { fails, notApplicable, passes, PolicyCase } from "./types";

const lambdaTrust = doc({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } });
const role = (assumeRolePolicy = lambdaTrust, extra: { managedPolicyArns?: string[]; inlinePolicies?: { name?: string; policy?: string }[] } = {}) =>
    fixture(aws.iam.Role, "role", { assumeRolePolicy, description: "ingest", ...extra });
const rolePolicy = (...statements: object[]) => fixture(aws.iam.RolePolicy, "role", { role: "role", policy: doc(...statements) });

const scoped = { Sid: "Land", Effect: "Allow", Action: ["s3:PutObject"], Resource: "arn:aws:s3:::raw/orders/*" };
const xray = { Sid: "XRay", Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" };

export const iamCases: PolicyCase[] = [
    passes(iam.iamRoleTrustNoPublicPrincipal, "a service trust", role()),
    fails(
        iam.iamRoleTrustNoPublicPrincipal,
        "finding 1: any AWS principal pinned by aws:PrincipalArn \"*\"",
        role(doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole", Condition: { StringLike: { "aws:PrincipalArn": "*" } } })),
        /lets any principal assume the role/,
    ),
    passes(
        iam.iamRoleTrustNoPublicPrincipal,
        "any AWS principal of one organization",
        role(doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } } })),
    ),
    fails(iam.iamRoleTrustNoPublicPrincipal, "anyone may assume", role(doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" })), /lets any principal assume the role/),

    passes(iam.iamRoleTrustNoAccountRoot, "a service trust", role()),
    passes(
        iam.iamRoleTrustNoAccountRoot,
        "the account root pinned to one role by aws:PrincipalArn",
        role(doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "sts:AssumeRole", Condition: { ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::123456789012:role/ci" } } })),
    ),
    fails(
        iam.iamRoleTrustNoAccountRoot,
        "the account root pinned only to \"any role of any account\"",
        role(doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "sts:AssumeRole", Condition: { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/*" } } })),
        /every principal of account/,
    ),
    fails(iam.iamRoleTrustNoAccountRoot, "the whole account", role(doc({ Effect: "Allow", Principal: { AWS: "123456789012" }, Action: "sts:AssumeRole" })), /every principal of account 123456789012/),

    passes(
        iam.iamRoleGithubOidcTrustScoped,
        "one repository's main branch",
        role(
            doc({
                Effect: "Allow",
                Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": "repo:acme/platform:ref:refs/heads/main" } },
            }),
        ),
    ),
    fails(
        iam.iamRoleGithubOidcTrustScoped,
        "every repository of every owner",
        role(
            doc({
                Effect: "Allow",
                Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: { StringLike: { "token.actions.githubusercontent.com:sub": "repo:*" }, StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } },
            }),
        ),
        /too loosely \(repo:\*\)/,
    ),
    fails(
        iam.iamRoleGithubOidcTrustScoped,
        "no subject condition",
        role(doc({ Effect: "Allow", Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }, Action: "sts:AssumeRoleWithWebIdentity" })),
        /lets every GitHub repository assume the role/,
    ),

    passes(iam.iamPolicyNoAdminAccess, "scoped statements", rolePolicy(scoped, xray)),
    fails(iam.iamPolicyNoAdminAccess, '"*" on "*"', rolePolicy({ Effect: "Allow", Action: "*", Resource: "*" }), /administrator access/),
    fails(iam.iamPolicyNoAdminAccess, "iam:* on *, inline on a role", role(lambdaTrust, { inlinePolicies: [{ name: "ops", policy: doc({ Effect: "Allow", Action: "iam:*", Resource: "*" }) }] }), /Inline policy "ops".*every IAM action/),
    fails(
        iam.iamPolicyNoAdminAccess,
        "finding 2: iam:* on every IAM resource of the account",
        rolePolicy({ Sid: "Iam", Effect: "Allow", Action: "iam:*", Resource: "arn:aws:iam::123456789012:*" }),
        /statement "Iam" grants every IAM action on every resource/,
    ),
    passes(iam.iamPolicyNoAdminAccess, "iam:* on one role", rolePolicy({ Effect: "Allow", Action: "iam:*", Resource: "arn:aws:iam::123456789012:role/etl-job" })),
    fails(iam.iamPolicyNoAdminAccess, "a managed policy with NotAction on *", fixture(aws.iam.Policy, "p", { policy: doc({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }) }), /administrator access/),

    passes(iam.iamPolicyNoWildcardAction, "named actions", rolePolicy(scoped)),
    passes(iam.iamPolicyNoWildcardAction, "a documented service wildcard", rolePolicy({ Effect: "Allow", Action: "kafka-cluster:*", Resource: "arn:aws:kafka:us-east-1:123456789012:cluster/c/u" }), {
        documentedActions: [{ action: "kafka-cluster:*", reason: "Temporary during the topic migration (ticket 42)." }],
    }),
    fails(iam.iamPolicyNoWildcardAction, '"*"', rolePolicy({ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::raw" }), /allows every action \("\*"\)/),
    fails(iam.iamPolicyNoWildcardAction, '"s3:*" on a data service', rolePolicy({ Sid: "AllS3", Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::raw/*" }), /statement "AllS3" allows every s3 action/),

    passes(iam.iamPolicyNoWildcardResource, "scoped statements plus documented X-Ray", rolePolicy(scoped, xray)),
    passes(iam.iamPolicyNoWildcardResource, "a wildcard resource under a resource-tag condition", rolePolicy({ Effect: "Allow", Action: "cloudwatch:PutDashboard", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/team": "data" } } })),
    fails(
        iam.iamPolicyNoWildcardResource,
        "a wildcard resource under a region condition (narrows no resource)",
        rolePolicy({ Effect: "Allow", Action: "cloudwatch:PutDashboard", Resource: "*", Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } } }),
        /allows cloudwatch:PutDashboard on every resource/,
    ),
    // Finding 9: the resource-less actions come from the Service Authorization Reference, not a hand list.
    passes(iam.iamPolicyNoWildcardResource, "finding 9: EC2 Describe actions (no resource type) on *", rolePolicy({ Effect: "Allow", Action: ["ec2:DescribeSubnets", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs"], Resource: "*" })),
    fails(
        iam.iamPolicyNoWildcardResource,
        "an action wildcard judged by what it expands to: ec2:Describe* includes actions that take ARNs",
        rolePolicy({ Effect: "Allow", Action: "ec2:Describe*", Resource: "*" }),
        /allows ec2:Describe\* \(ec2:DescribeCapacityBlockExtensionOfferings, .*\) on every resource/,
    ),
    fails(
        iam.iamPolicyNoWildcardResource,
        "finding 9: network-interface actions take ARNs",
        rolePolicy({ Sid: "Eni", Effect: "Allow", Action: ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"], Resource: "*" }),
        /statement "Eni" allows ec2:CreateNetworkInterface, ec2:DeleteNetworkInterface, ec2:AssignPrivateIpAddresses, ec2:UnassignPrivateIpAddresses on every resource/,
    ),
    passes(
        iam.iamPolicyNoWildcardResource,
        "finding 9: CreateNetworkInterface pinned to a subnet",
        rolePolicy({ Effect: "Allow", Action: "ec2:CreateNetworkInterface", Resource: ["arn:aws:ec2:us-east-1:123456789012:network-interface/*", "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-1", "arn:aws:ec2:us-east-1:123456789012:security-group/sg-1"] }),
    ),
    fails(
        iam.iamPolicyNoWildcardResource,
        "finding 2: every IAM resource of the account",
        rolePolicy({ Effect: "Allow", Action: "iam:GetRole", Resource: "arn:aws:iam::123456789012:*" }),
        /allows iam:GetRole on every resource \(arn:aws:iam::123456789012:\*\)/,
    ),
    fails(iam.iamPolicyNoWildcardResource, "finding 2: every S3 bucket", rolePolicy({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::*" }), /allows s3:GetObject on every resource/),
    passes(iam.iamPolicyNoWildcardResource, "a bucket's objects", rolePolicy({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::raw/*" })),
    fails(iam.iamPolicyNoWildcardResource, "s3:GetObject on *", rolePolicy({ Sid: "Read", Effect: "Allow", Action: ["s3:GetObject", "xray:PutTraceSegments"], Resource: "*" }), /allows s3:GetObject on every resource/),

    passes(iam.iamPolicyNoPrivilegeEscalation, "PassRole on one role", rolePolicy({ Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/job" })),
    fails(iam.iamPolicyNoPrivilegeEscalation, "PassRole on *", rolePolicy({ Effect: "Allow", Action: "iam:PassRole", Resource: "*" }), /privilege-escalation actions.*iam:PassRole/),
    fails(
        iam.iamPolicyNoPrivilegeEscalation,
        "finding 3: PassRole on * under aws:SecureTransport",
        rolePolicy({ Effect: "Allow", Action: "iam:PassRole", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "true" } } }),
        /privilege-escalation actions.*iam:PassRole/,
    ),
    fails(iam.iamPolicyNoPrivilegeEscalation, "finding 3: PassRole on role/*", rolePolicy({ Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/*" }), /privilege-escalation actions.*iam:PassRole/),
    passes(
        iam.iamPolicyNoPrivilegeEscalation,
        "PassRole on role/* only to Lambda (iam:PassedToService)",
        rolePolicy({ Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/*", Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } } }),
    ),
    fails(
        iam.iamPolicyNoPrivilegeEscalation,
        "PassRole to any service (iam:PassedToService *)",
        rolePolicy({ Effect: "Allow", Action: "iam:PassRole", Resource: "*", Condition: { StringLike: { "iam:PassedToService": "*" } } }),
        /iam:PassRole/,
    ),
    passes(iam.iamPolicyNoPrivilegeEscalation, "PassRole on a name prefix", rolePolicy({ Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/etl-*" })),
    fails(iam.iamPolicyNoPrivilegeEscalation, "iam:Put* on *", rolePolicy({ Effect: "Allow", Action: "iam:Put*", Resource: "*" }), /iam:PutRolePolicy/),

    passes(iam.iamPolicyNoCredentialsExposure, "ECR login (documented)", rolePolicy({ Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" })),
    fails(iam.iamPolicyNoCredentialsExposure, "Redshift credentials on *", rolePolicy({ Effect: "Allow", Action: "redshift:GetClusterCredentials", Resource: "*" }), /credential-returning actions.*redshift:GetClusterCredentials/),

    passes(iam.iamPolicyNoDataExfiltration, "reads scoped to one prefix", rolePolicy({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::raw/orders/*" })),
    fails(iam.iamPolicyNoDataExfiltration, "secrets on *", rolePolicy({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }), /data-reading actions.*secretsmanager:GetSecretValue/),

    passes(iam.iamPolicyNoPermissionsManagement, "vended log delivery (documented)", rolePolicy({ Effect: "Allow", Action: ["logs:PutResourcePolicy", "logs:CreateLogDelivery"], Resource: "*" })),
    fails(iam.iamPolicyNoPermissionsManagement, "bucket policies on *", rolePolicy({ Effect: "Allow", Action: "s3:PutBucketPolicy", Resource: "*" }), /permissions-management actions.*s3:PutBucketPolicy/),

    passes(
        iam.iamPolicyNoUnconstrainedWrite,
        "writes scoped to a prefix, metric writes pinned to a namespace",
        rolePolicy(scoped, { Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": "Platform/Ingest" } } }),
    ),
    passes(iam.iamPolicyNoUnconstrainedWrite, "writes AWS authorizes only on * (X-Ray)", rolePolicy(xray)),
    fails(
        iam.iamPolicyNoUnconstrainedWrite,
        "finding 3: PassRole on * under aws:SecureTransport",
        rolePolicy({ Effect: "Allow", Action: "iam:PassRole", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "true" } } }),
        /write actions on every resource without a condition that narrows them: iam:PassRole/,
    ),
    passes(iam.iamPolicyNoUnconstrainedWrite, "reads on * (not writes)", rolePolicy({ Effect: "Allow", Action: ["ec2:DescribeSubnets"], Resource: "*" })),
    fails(iam.iamPolicyNoUnconstrainedWrite, "sqs:SendMessage on *", rolePolicy({ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }), /write actions on every resource without a condition that narrows them: sqs:SendMessage/),

    passes(iam.iamRoleNoManagedFullAccess, "a role with a non-admin service policy", role(lambdaTrust, { managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2"] })),
    passes(iam.iamRoleNoManagedFullAccess, "a service policy attachment", fixture(aws.iam.RolePolicyAttachment, "a", { role: "r", policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" })),
    fails(iam.iamRoleNoManagedFullAccess, "AdministratorAccess on a role", role(lambdaTrust, { managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] }), /must not carry the AWS-managed policy AdministratorAccess/),
    fails(
        iam.iamRoleNoManagedFullAccess,
        "CallbackFunction's default AWSLambda_FullAccess attachment",
        fixture(aws.iam.RolePolicyAttachment, "fn-32be53a2", { role: "fn", policyArn: "arn:aws:iam::aws:policy/AWSLambda_FullAccess" }),
        /AWS-managed policy AWSLambda_FullAccess must not be attached/,
    ),

    passes(iam.iamUserNotUsed, "a policy attachment to roles only", fixture(aws.iam.PolicyAttachment, "a", { policyArn: "arn:aws:iam::123456789012:policy/p", roles: ["r"] })),
    notApplicable(iam.iamUserNotUsed, "a role", role()),
    fails(iam.iamUserNotUsed, "an IAM user", fixture(aws.iam.User, "u", {}), /must not create IAM users/),
    fails(iam.iamUserNotUsed, "an access key", fixture(aws.iam.AccessKey, "k", { user: "u" }), /long-lived access keys/),
];
