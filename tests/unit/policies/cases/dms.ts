import * as aws from "@pulumi/aws";
import * as dms from "../../../../policies/dms";
import { fixture, PropsOf } from "../helpers";
import { fails, passes, PolicyCase } from "./types";

const lakeKey = "arn:aws:kms:us-east-1:123456789012:key/lake";
const endpoint = (props: Partial<PropsOf<aws.dms.EndpointArgs>> = {}) =>
    fixture(aws.dms.Endpoint, "source", {
        endpointId: "source",
        endpointType: "source",
        engineName: "postgres",
        sslMode: "verify-full",
        certificateArn: "arn:aws:dms:us-east-1:123456789012:cert:RDSCA",
        secretsManagerArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
        secretsManagerAccessRoleArn: "arn:aws:iam::123456789012:role/dms",
        kmsKeyArn: lakeKey,
        ...props,
    });
const target = (props: Partial<PropsOf<aws.dms.S3EndpointArgs>> = {}) =>
    fixture(aws.dms.S3Endpoint, "target", { endpointId: "lake", endpointType: "target", bucketName: "raw", serviceAccessRoleArn: "arn:aws:iam::123456789012:role/dms", encryptionMode: "SSE_KMS", serverSideEncryptionKmsKeyId: lakeKey, ...props });
const replication = (compute: Record<string, unknown> = {}) =>
    fixture(aws.dms.ReplicationConfig, "replication", {
        replicationConfigIdentifier: "r",
        replicationType: "full-load-and-cdc",
        sourceEndpointArn: "arn:s",
        targetEndpointArn: "arn:t",
        tableMappings: "{}",
        computeConfig: { replicationSubnetGroupId: "private", vpcSecurityGroupIds: ["sg-dms"], kmsKeyId: lakeKey, ...compute },
    });

export const dmsCases: PolicyCase[] = [
    passes(dms.dmsEndpointTls, "verify-full with a CA certificate", endpoint()),
    fails(dms.dmsEndpointTls, "TLS without verification", endpoint({ sslMode: "require" }), /sslMode must be verify-full or verify-ca; found "require"/),
    fails(dms.dmsEndpointTls, "verify-full without a certificate", endpoint({ certificateArn: undefined }), /needs certificateArn/),

    passes(dms.dmsEndpointSecretsManager, "credentials from Secrets Manager", endpoint()),
    fails(dms.dmsEndpointSecretsManager, "a password in the endpoint", endpoint({ password: "hunter2" }), /password must not be set/),
    fails(dms.dmsEndpointSecretsManager, "no key for the connection settings", endpoint({ kmsKeyArn: undefined }), /kmsKeyArn must name a customer-managed key/),
    fails(dms.dmsEndpointSecretsManager, "no secret", endpoint({ secretsManagerArn: undefined }), /secretsManagerArn must name/),

    passes(dms.dmsS3EndpointCmk, "SSE-KMS with the lake key", target()),
    fails(dms.dmsS3EndpointCmk, "SSE-S3", target({ encryptionMode: "SSE_S3" }), /encryptionMode must be SSE_KMS/),
    fails(dms.dmsS3EndpointCmk, "the AWS-managed key", target({ serverSideEncryptionKmsKeyId: "alias/aws/s3" }), /customer-managed key/),

    passes(dms.dmsReplicationConfigPrivateEncrypted, "private subnets, a security group and the lake key", replication()),
    fails(dms.dmsReplicationConfigPrivateEncrypted, "no security group", replication({ vpcSecurityGroupIds: [] }), /vpcSecurityGroupIds must list/),
    fails(dms.dmsReplicationConfigPrivateEncrypted, "the AWS-managed key", replication({ kmsKeyId: "alias/aws/dms" }), /computeConfig.kmsKeyId must name a customer-managed key/),
];
