import * as aws from "@pulumi/aws";
import * as msk from "../../../../policies/msk";
import { fixture, PropsOf } from "../helpers";
import { fails, passes, PolicyCase } from "./types";

type ClusterProps = PropsOf<aws.msk.ClusterArgs>;

const keyArn = "arn:aws:kms:us-east-1:123456789012:key/mrk-streaming";

function clusterProps(): ClusterProps {
    return {
        clusterName: "platform-prod",
        kafkaVersion: "3.9.x",
        numberOfBrokerNodes: 3,
        brokerNodeGroupInfo: {
            instanceType: "kafka.m7g.large",
            clientSubnets: ["subnet-private-1", "subnet-private-2", "subnet-private-3"],
            securityGroups: ["sg-brokers"],
            connectivityInfo: { publicAccess: { type: "DISABLED" } },
        },
        clientAuthentication: { sasl: { iam: true, scram: false }, unauthenticated: false },
        encryptionInfo: { encryptionAtRestKmsKeyArn: keyArn, encryptionInTransit: { clientBroker: "TLS", inCluster: true } },
        configurationInfo: { arn: "arn:aws:kafka:us-east-1:123456789012:configuration/platform-prod/1", revision: 1 },
        loggingInfo: { brokerLogs: { cloudwatchLogs: { enabled: true, logGroup: "/platform/msk-brokers" } } },
    };
}

const cluster = (mutate: (p: ClusterProps) => void = () => undefined) => {
    const props = clusterProps();
    mutate(props);
    return fixture(aws.msk.Cluster, "streaming-cluster", props, { outputs: { arn: "arn:aws:kafka:us-east-1:123456789012:cluster/platform-prod/u" } });
};

const logGroup = (retentionInDays?: number) => fixture(aws.cloudwatch.LogGroup, "broker-logs", { name: "/platform/msk-brokers", ...(retentionInDays ? { retentionInDays } : {}) });

const pcaArn = "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/1f2e3d4c-5b6a-7980-1a2b-3c4d5e6f7a8b";
const clusterArn = "arn:aws:kafka:us-east-1:123456789012:cluster/platform-prod/u";
const scramSecretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_platform-prod-ingest-AbCdEf";
const declaredSecretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:declared-XyZ123";
const scramAssociation = (secretArnLists: string[]) => fixture(aws.msk.ScramSecretAssociation, "scram-secrets", { clusterArn, secretArnLists });
const scramSecret = (name: string, kmsKeyId: string) => fixture(aws.secretsmanager.Secret, "scram-secret", { name, kmsKeyId }, { outputs: { arn: declaredSecretArn } });

const durable = ["auto.create.topics.enable=false", "default.replication.factor=3", "min.insync.replicas=2", "unclean.leader.election.enable=false"].join("\n");
const configuration = (serverProperties: string) => fixture(aws.msk.Configuration, "config", { name: "c", kafkaVersions: ["3.9.x"], serverProperties });
const topic = (replicationFactor: number, configs?: Record<string, string>) =>
    fixture(aws.msk.Topic, "orders", { clusterArn: "arn:aws:kafka:us-east-1:123456789012:cluster/platform-prod/u", name: "orders.v1", partitionCount: 12, replicationFactor, ...(configs ? { configs: JSON.stringify(configs) } : {}) });

export const mskCases: PolicyCase[] = [
    passes(msk.mskClusterEncryptionInTransit, "TLS only, in-cluster encryption", cluster()),
    fails(msk.mskClusterEncryptionInTransit, "a plaintext listener", cluster((p) => (p.encryptionInfo!.encryptionInTransit!.clientBroker = "TLS_PLAINTEXT")), /clientBroker must be TLS.*found "TLS_PLAINTEXT"/),
    fails(msk.mskClusterEncryptionInTransit, "no in-cluster encryption", cluster((p) => (p.encryptionInfo!.encryptionInTransit!.inCluster = false)), /inCluster must be true/),

    passes(msk.mskClusterEncryptionAtRestCmk, "the streaming key", cluster()),
    fails(msk.mskClusterEncryptionAtRestCmk, "the AWS-owned key", cluster((p) => delete p.encryptionInfo!.encryptionAtRestKmsKeyArn), /must name a customer-managed key/),

    passes(msk.mskClusterClientAuthentication, "IAM auth, unauthenticated off", cluster()),
    passes(msk.mskClusterClientAuthentication, "mutual TLS with a private CA, where the stack allows tls", cluster((p) => (p.clientAuthentication = { tls: { certificateAuthorityArns: [pcaArn] }, unauthenticated: false })), { allowedMechanisms: ["tls"] }),
    passes(msk.mskClusterClientAuthentication, "IAM, SCRAM and mutual TLS, where the stack allows all three", cluster((p) => (p.clientAuthentication = { sasl: { iam: true, scram: true }, tls: { certificateAuthorityArns: [pcaArn] }, unauthenticated: false })), { allowedMechanisms: ["iam", "scram", "tls"] }),
    fails(msk.mskClusterClientAuthentication, "no client authentication", cluster((p) => delete p.clientAuthentication), /clientAuthentication must be set/),
    fails(msk.mskClusterClientAuthentication, "unauthenticated access on", cluster((p) => (p.clientAuthentication!.unauthenticated = true)), /unauthenticated must be false/),
    fails(msk.mskClusterClientAuthentication, "SCRAM only, where the stack allows IAM", cluster((p) => (p.clientAuthentication = { sasl: { scram: true }, unauthenticated: false })), /must enable iam; found scram/),
    fails(msk.mskClusterClientAuthentication, "SCRAM on top of IAM, where the stack allows IAM only", cluster((p) => (p.clientAuthentication = { sasl: { iam: true, scram: true }, unauthenticated: false })), /must enable only the allowed modes \(iam\); found scram enabled as well/),
    fails(msk.mskClusterClientAuthentication, "mutual TLS added where the stack allows IAM and SCRAM", cluster((p) => (p.clientAuthentication = { sasl: { iam: true, scram: true }, tls: { certificateAuthorityArns: [pcaArn] }, unauthenticated: false })), /found tls enabled as well/, { allowedMechanisms: ["iam", "scram"] }),

    passes(msk.mskScramSecretAssociation, "an AmazonMSK_ secret given by ARN", [scramAssociation([scramSecretArn])]),
    passes(msk.mskScramSecretAssociation, "a declared AmazonMSK_ secret under a customer-managed key", [scramSecret("AmazonMSK_platform-prod-ingest", keyArn), scramAssociation([declaredSecretArn])]),
    passes(msk.mskScramSecretAssociation, "one AmazonMSK_ secret associated on its own", [fixture(aws.msk.SingleScramSecretAssociation, "scram-one", { clusterArn: clusterArn, secretArn: scramSecretArn })]),
    fails(msk.mskScramSecretAssociation, "a secret outside the AmazonMSK_ prefix, by ARN", [scramAssociation([scramSecretArn, "arn:aws:secretsmanager:us-east-1:123456789012:secret:kafka-users-AbCdEf"])], /associates "arn:aws:secretsmanager:us-east-1:123456789012:secret:kafka-users-AbCdEf", which must be a Secrets Manager secret ARN whose name starts with AmazonMSK_/),
    fails(msk.mskScramSecretAssociation, "a declared secret outside the prefix", [scramSecret("kafka-users", keyArn), scramAssociation([declaredSecretArn])], /its name must start with AmazonMSK_; found "kafka-users"/),
    fails(msk.mskScramSecretAssociation, "a declared secret under the default aws/secretsmanager key", [scramSecret("AmazonMSK_platform-prod-ingest", "alias/aws/secretsmanager"), scramAssociation([declaredSecretArn])], /must be encrypted with a customer-managed KMS key; found "alias\/aws\/secretsmanager"/),

    passes(msk.mskClusterPrivateBrokers, "public access disabled", cluster()),
    fails(msk.mskClusterPrivateBrokers, "public endpoints", cluster((p) => (p.brokerNodeGroupInfo.connectivityInfo = { publicAccess: { type: "SERVICE_PROVIDED_EIPS" } })), /must be DISABLED; found "SERVICE_PROVIDED_EIPS"/),

    passes(msk.mskClusterBrokerLogging, "CloudWatch Logs", cluster()),
    fails(msk.mskClusterBrokerLogging, "no broker logs", cluster((p) => delete p.loggingInfo), /must enable a destination/),

    passes(msk.mskClusterBrokerLogRetention, "a stack log group with retention", [cluster(), logGroup(90)]),
    fails(msk.mskClusterBrokerLogRetention, "a log group without retention", [cluster(), logGroup()], /must have retentionInDays set/),
    fails(msk.mskClusterBrokerLogRetention, "a log group outside the stack", [cluster()], /not declared here/),

    passes(msk.mskClusterBrokerCount, "three brokers over three AZs", cluster()),
    fails(msk.mskClusterBrokerCount, "two brokers", cluster((p) => { p.numberOfBrokerNodes = 2; p.brokerNodeGroupInfo.clientSubnets = ["subnet-private-1", "subnet-private-2"]; }), /at least 3; found 2/),
    fails(msk.mskClusterBrokerCount, "four brokers over three AZs", cluster((p) => (p.numberOfBrokerNodes = 4)), /multiple of the 3 client subnets/),

    passes(msk.mskClusterCustomConfiguration, "an MSK configuration", cluster()),
    fails(msk.mskClusterCustomConfiguration, "service defaults", cluster((p) => delete p.configurationInfo), /must reference an aws.msk.Configuration/),

    passes(msk.mskConfigurationDurability, "RF 3, ISR 2, no unclean election, no auto-created topics", configuration(durable)),
    fails(msk.mskConfigurationDurability, "replication factor 1", configuration(durable.replace("default.replication.factor=3", "default.replication.factor=1")), /default.replication.factor must be at least 3; found "1"/),
    fails(msk.mskConfigurationDurability, "ISR equal to RF", configuration(durable.replace("min.insync.replicas=2", "min.insync.replicas=3")), /must be lower than default.replication.factor/),
    fails(msk.mskConfigurationDurability, "auto-created topics", configuration(durable.replace("auto.create.topics.enable=false", "auto.create.topics.enable=true")), /auto.create.topics.enable must be false/),

    passes(msk.mskTopicDurability, "RF 3 with ISR 2", topic(3, { "min.insync.replicas": "2" })),
    fails(msk.mskTopicDurability, "RF 2", topic(2), /replicationFactor must be at least 3; found 2/),
    fails(msk.mskTopicDurability, "ISR 1", topic(3, { "min.insync.replicas": "1" }), /min.insync.replicas must be at least 2/),
];
