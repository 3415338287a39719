import * as assert from "assert";
import { coverage, estimateRun } from "../../../cost";
import { checkOfflineRun, loadPackConfig } from "../../../policies/runner/offline";
import { runOffline } from "../../../tools/offline/program";
import { input, json, mskClientAuthVariant, ofType, one, stackRun, variantRun } from "../../helpers/stacks";

const T = {
    cluster: "aws:msk/cluster:Cluster",
    association: "aws:msk/scramSecretAssociation:ScramSecretAssociation",
    mapping: "aws:lambda/eventSourceMapping:EventSourceMapping",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
};
const { overrides } = mskClientAuthVariant;
const secretArn = JSON.parse(overrides["platform:mskScramSecretArns"])[0] as string;
const keyArn = overrides["platform:mskClientSecretsKmsKeyArn"];

/** The pack config of the variant: prod's, with the modes the variant configures allowed. */
function variantPackConfig() {
    return { ...loadPackConfig("prod"), "msk-cluster-client-authentication": { allowedMechanisms: ["scram", "iam", "tls"] } };
}

describe("mskClientAuth: SASL/SCRAM and mutual TLS beside IAM (test-only stack config on prod)", function () {
    this.timeout(300_000);

    it("enables exactly the configured modes on the cluster, unauthenticated access off, and associates the AmazonMSK_ secret", async () => {
        const run = await variantRun(mskClientAuthVariant);
        const cluster = one(run, T.cluster);
        assert.deepStrictEqual(input(cluster, "clientAuthentication"), {
            sasl: { iam: true, scram: true },
            tls: { certificateAuthorityArns: JSON.parse(overrides["platform:mskCertificateAuthorityArns"]) },
            unauthenticated: false,
        });
        const association = one(run, T.association);
        assert.deepStrictEqual(input(association, "secretArnLists"), [secretArn]);
        assert.strictEqual(input(association, "clusterArn"), cluster.state.arn);
    });

    it("keeps the shipped prod stack on IAM alone, with no SCRAM association", async () => {
        const run = await stackRun("prod");
        assert.deepStrictEqual(input(one(run, T.cluster), "clientAuthentication"), { sasl: { iam: true, scram: false }, unauthenticated: false });
        assert.deepStrictEqual(ofType(run, T.association), []);
        assert.ok(ofType(run, T.mapping).every((m) => input(m, "sourceAccessConfigurations") === undefined));
    });

    it("opens one broker port per mode, from the platform's clients only", async () => {
        const run = await variantRun(mskClientAuthVariant);
        const ports = (type: string) => ofType(run, type).filter((r) => r.name.startsWith("streaming-")).map((r) => input(r, "fromPort")).sort();
        assert.deepStrictEqual(ports(T.ingress), [9094, 9096, 9098]);
        assert.deepStrictEqual(ports(T.egress), [9094, 9096, 9098]);
        assert.ok(ofType(run, T.ingress).filter((r) => r.name.startsWith("streaming-")).every((r) => input(r, "referencedSecurityGroupId") !== undefined && input(r, "cidrIpv4") === undefined));
    });

    it("points every ingest event source mapping at the SCRAM secret, and lets its role read that secret and decrypt it through Secrets Manager only", async () => {
        const run = await variantRun(mskClientAuthVariant);
        const mappings = ofType(run, T.mapping);
        assert.ok(mappings.length > 0);
        for (const mapping of mappings) {
            assert.deepStrictEqual(input(mapping, "sourceAccessConfigurations"), [{ type: "SASL_SCRAM_512_AUTH", uri: secretArn }]);
        }
        const ingestPolicies = ofType(run, T.rolePolicy).filter((r) => r.name.startsWith("ingest-"));
        assert.ok(ingestPolicies.length > 0);
        for (const policy of ingestPolicies) {
            const statements = json(policy, "policy").Statement as { Sid: string; Action: unknown; Resource: unknown; Condition?: unknown }[];
            const read = statements.find((s) => s.Sid === "ReadKafkaClientSecret");
            const decrypt = statements.find((s) => s.Sid === "DecryptKafkaClientSecret");
            assert.deepStrictEqual([read?.Action, read?.Resource], ["secretsmanager:GetSecretValue", secretArn]);
            assert.deepStrictEqual([decrypt?.Action, decrypt?.Resource, decrypt?.Condition], ["kms:Decrypt", keyArn, { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } }]);
        }
    });

    it("exports the SASL/SCRAM bootstrap brokers, the ones the ingest functions and --scram-secret producers use", async () => {
        const run = await variantRun(mskClientAuthVariant);
        const cluster = one(run, T.cluster);
        assert.strictEqual(run.outputs.kafkaBootstrapBrokers, cluster.state.bootstrapBrokersSaslScram);
        assert.deepStrictEqual(run.outputs.mskScramSecretArns, [secretArn]);
    });

    it("passes the policy pack with 0 mandatory violations under a pack config allowing exactly its modes, and fails under prod's IAM-only one", async () => {
        const run = await variantRun(mskClientAuthVariant);
        const allowed = await checkOfflineRun(run, { config: variantPackConfig() });
        assert.deepStrictEqual(allowed.violations.filter((v) => v.level === "mandatory"), []);
        const base = await checkOfflineRun(await stackRun("prod"));
        assert.strictEqual(allowed.advisory, base.advisory);
        const iamOnly = await checkOfflineRun(run);
        assert.deepStrictEqual(
            iamOnly.violations.filter((v) => v.level === "mandatory").map((v) => `${v.policy}: ${v.message}`),
            ["msk-cluster-client-authentication: clientAuthentication must enable only the allowed modes (iam); found tls, scram enabled as well."],
        );
    });

    it("prices every resource, with the same alarms as prod (MSK alarms do not depend on the auth mode)", async () => {
        const run = await variantRun(mskClientAuthVariant);
        assert.deepStrictEqual([...new Set(run.resources.map((r) => r.type))].filter((t) => coverage(t).kind === "none"), []);
        const report = estimateRun(run);
        const base = estimateRun(await stackRun("prod"));
        assert.deepStrictEqual(report.notPriced, []);
        assert.strictEqual(report.monthly.total, base.monthly.total);
        assert.strictEqual(ofType(run, T.alarm).length, ofType(await stackRun("prod"), T.alarm).length);
    });

    it("each shipped MSK stack's pack config allows exactly the modes its stack config enables", async () => {
        for (const stack of ["dev", "prod"] as const) {
            const run = await stackRun(stack);
            if (run.config["platform:streamingEngine"] !== "msk") {
                continue;
            }
            const configured = JSON.parse(run.config["platform:mskClientAuth"] ?? '["iam"]') as string[];
            const pack = loadPackConfig(stack)?.["msk-cluster-client-authentication"] as { allowedMechanisms?: string[] } | undefined;
            assert.deepStrictEqual([...(pack?.allowedMechanisms ?? [])].sort(), [...configured].sort(), `policies/config/${stack}.json must allow exactly platform:mskClientAuth`);
        }
    });

    it("refuses SCRAM on a Kinesis stack, naming the key, what was expected and the fix", async () => {
        await assert.rejects(
            runOffline({ stack: "dev", overrides: { "platform:mskClientAuth": JSON.stringify(["scram"]) } }),
            /platform:mskClientAuth: expected no MSK client authentication settings on a Kinesis stack \(Kinesis authenticates with IAM only\); found \["scram"\]\. Fix: pulumi config rm platform:mskClientAuth, or pulumi config set platform:streamingEngine msk/,
        );
    });
});
