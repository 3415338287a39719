import * as aws from "@pulumi/aws";
import * as emr from "../../../../policies/emr";
import { devProvider, fixture, prodProvider, PropsOf } from "../helpers";
import { fails, notApplicable, passes, PolicyCase } from "./types";

const keyArn = "arn:aws:kms:us-east-1:123456789012:key/mrk-lake";

function securityConfiguration(mutate: (c: any) => void = () => undefined) {
    const config = {
        EncryptionConfiguration: {
            EnableAtRestEncryption: true,
            EnableInTransitEncryption: true,
            AtRestEncryptionConfiguration: {
                S3EncryptionConfiguration: { EncryptionMode: "SSE-KMS", AwsKmsKey: keyArn },
                LocalDiskEncryptionConfiguration: { EncryptionKeyProviderType: "AwsKms", AwsKmsKey: keyArn, EnableEbsEncryption: true },
            },
            InTransitEncryptionConfiguration: { TLSCertificateConfiguration: { CertificateProviderType: "PEM", S3Object: "s3://artifacts/emr/tls/certificates.zip" } },
        },
    };
    mutate(config.EncryptionConfiguration);
    return fixture(aws.emr.SecurityConfiguration, "transform-security", { name: "platform-transform", configuration: JSON.stringify(config) });
}

type ClusterProps = PropsOf<aws.emr.ClusterArgs>;
const cluster = (props: Partial<ClusterProps> = {}) =>
    fixture(aws.emr.Cluster, "transform-cluster", {
        name: "platform-transform",
        releaseLabel: "emr-7.5.0",
        serviceRole: "arn:aws:iam::123456789012:role/emr",
        securityConfiguration: "platform-transform",
        ec2Attributes: { instanceProfile: "arn:aws:iam::123456789012:instance-profile/n", subnetIds: ["subnet-private-1"], additionalMasterSecurityGroups: "sg-spark", additionalSlaveSecurityGroups: "sg-spark" },
        masterInstanceFleet: { targetOnDemandCapacity: 1, instanceTypeConfigs: [{ instanceType: "m6g.xlarge" }] },
        coreInstanceFleet: { targetOnDemandCapacity: 2, instanceTypeConfigs: [{ instanceType: "m6g.xlarge" }] },
        autoTerminationPolicy: { idleTimeout: 1800 },
        ...props,
    });

const application = (props: Partial<PropsOf<aws.emrserverless.ApplicationArgs>> = {}) =>
    fixture(aws.emrserverless.Application, "transform-app", { name: "t", releaseLabel: "emr-7.5.0", type: "spark", autoStopConfiguration: { enabled: true, idleTimeoutMinutes: 15 }, ...props });

const sparkSg = (ingress: PropsOf<aws.ec2.SecurityGroupArgs>["ingress"] = []) =>
    fixture(aws.ec2.SecurityGroup, "transform-sg", { description: "Spark workers", ingress, egress: [] }, { outputs: { id: "sg-spark" } });

const fleet = (onDemand: number, provider = devProvider) =>
    fixture(aws.emr.InstanceFleet, "transform-task", { clusterId: "j-1", targetOnDemandCapacity: onDemand, targetSpotCapacity: 4, instanceTypeConfigs: [{ instanceType: "m6g.xlarge" }] }, { provider });
const scaling = (maximumOndemandCapacityUnits: number) =>
    fixture(
        aws.emr.ManagedScalingPolicy,
        "transform-scaling",
        { clusterId: "j-1", computeLimits: [{ unitType: "InstanceFleetUnits", minimumCapacityUnits: 3, maximumCapacityUnits: 7, maximumCoreCapacityUnits: 2, maximumOndemandCapacityUnits }] },
        { provider: devProvider },
    );

export const emrCases: PolicyCase[] = [
    passes(emr.emrServerlessApplicationNetworkConfiguration, "private subnets and a security group", application({ networkConfiguration: { subnetIds: ["subnet-a", "subnet-b"], securityGroupIds: ["sg-spark"] } })),
    fails(emr.emrServerlessApplicationNetworkConfiguration, "no network configuration (runs outside the VPC)", application(), /networkConfiguration must name the private subnets and a security group; none is set/),
    fails(emr.emrServerlessApplicationNetworkConfiguration, "subnets without a security group", application({ networkConfiguration: { subnetIds: ["subnet-a"], securityGroupIds: [] } }), /networkConfiguration.securityGroupIds must list at least one security group; found none/),

    passes(emr.emrClusterSecurityConfiguration, "a security configuration", cluster()),
    fails(emr.emrClusterSecurityConfiguration, "none", cluster({ securityConfiguration: undefined }), /must name an EMR security configuration/),

    passes(emr.emrSecurityConfigurationS3Encryption, "SSE-KMS with the lake key", securityConfiguration()),
    fails(emr.emrSecurityConfigurationS3Encryption, "SSE-S3", securityConfiguration((e) => (e.AtRestEncryptionConfiguration.S3EncryptionConfiguration = { EncryptionMode: "SSE-S3" })), /EncryptionMode must be SSE-KMS.*found "SSE-S3"/),
    fails(emr.emrSecurityConfigurationS3Encryption, "at-rest encryption off", securityConfiguration((e) => (e.EnableAtRestEncryption = false)), /EnableAtRestEncryption must be true/),

    passes(emr.emrSecurityConfigurationLocalDiskEncryption, "local disks and EBS with KMS", securityConfiguration()),
    fails(emr.emrSecurityConfigurationLocalDiskEncryption, "EBS left out", securityConfiguration((e) => (e.AtRestEncryptionConfiguration.LocalDiskEncryptionConfiguration.EnableEbsEncryption = false)), /EnableEbsEncryption must be true/),
    fails(emr.emrSecurityConfigurationLocalDiskEncryption, "no local disk encryption", securityConfiguration((e) => delete e.AtRestEncryptionConfiguration.LocalDiskEncryptionConfiguration), /local disks are unencrypted/),

    passes(emr.emrSecurityConfigurationInTransitEncryption, "TLS between nodes", securityConfiguration()),
    fails(emr.emrSecurityConfigurationInTransitEncryption, "plaintext between nodes", securityConfiguration((e) => (e.EnableInTransitEncryption = false)), /EnableInTransitEncryption must be true/),

    passes(emr.emrBlockPublicAccess, "blocked, no exceptions", fixture(aws.emr.BlockPublicAccessConfiguration, "bpa", { blockPublicSecurityGroupRules: true })),
    fails(emr.emrBlockPublicAccess, "off", fixture(aws.emr.BlockPublicAccessConfiguration, "bpa", { blockPublicSecurityGroupRules: false }), /blockPublicSecurityGroupRules must be true/),
    fails(emr.emrBlockPublicAccess, "SSH allowed", fixture(aws.emr.BlockPublicAccessConfiguration, "bpa", { blockPublicSecurityGroupRules: true, permittedPublicSecurityGroupRuleRanges: [{ minRange: 22, maxRange: 22 }] }), /allows public inbound on 22-22/),

    passes(emr.emrClusterSecurityGroupsNotPublic, "no inbound rules", [cluster(), sparkSg()]),
    fails(emr.emrClusterSecurityGroupsNotPublic, "SSH from anywhere", [cluster(), sparkSg([{ description: "ssh", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }])], /attached to EMR Cluster "transform-cluster" and admits inbound traffic from the internet/),

    passes(emr.emrClusterKerberosRealm, "Kerberos with a realm", cluster({ kerberosAttributes: { realm: "EC2.INTERNAL", kdcAdminPassword: "x" } })),
    notApplicable(emr.emrClusterKerberosRealm, "a cluster without Kerberos", cluster()),
    fails(emr.emrClusterKerberosRealm, "Kerberos without a realm", cluster({ kerberosAttributes: { realm: "", kdcAdminPassword: "x" } }), /realm must be set/),

    passes(emr.emrClusterAutoTermination, "a cluster idle for 30 minutes terminates", cluster()),
    passes(emr.emrClusterAutoTermination, "a serverless application stops after 15 idle minutes", application()),
    fails(emr.emrClusterAutoTermination, "a cluster that never terminates", cluster({ autoTerminationPolicy: undefined }), /idleTimeout must be set/),
    fails(emr.emrClusterAutoTermination, "an application that never stops", application({ autoStopConfiguration: { enabled: false } }), /enabled must be true/),

    passes(emr.emrTaskCapacitySpot, "a Spot task fleet in dev", fleet(0)),
    passes(emr.emrTaskCapacitySpot, "scaling keeps on-demand to primary plus core", scaling(3)),
    notApplicable(emr.emrTaskCapacitySpot, "an on-demand task fleet in prod", fleet(2, prodProvider)),
    fails(emr.emrTaskCapacitySpot, "an on-demand task fleet in dev", fleet(2), /must buy Spot capacity only in dev/),
    fails(emr.emrTaskCapacitySpot, "scaling that adds on-demand task nodes", scaling(7), /maximumOndemandCapacityUnits must stop at the primary and core capacity/),

    passes(emr.emrReleaseLabelSupported, "emr-7.5.0", cluster()),
    fails(emr.emrReleaseLabelSupported, "emr-6.15.0", application({ releaseLabel: "emr-6.15.0" }), /must match/),
    fails(emr.emrReleaseLabelSupported, "emr-7.0.0, older than the minimum", cluster({ releaseLabel: "emr-7.0.0" }), /emr-7.1.0 or newer/),
];
