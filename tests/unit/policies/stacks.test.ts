import * as assert from "assert";
import { EngineResource } from "../../../policies/runner/engine";
import { checkEngineResources, checkOfflineRun, engineResources, policySummary, PolicyRunResult, Violation } from "../../../policies/runner/offline";
import { OfflineRun } from "../../../tools/offline/program";
import { provisionedWarehouseOverrides, stackRun, variantRun, zeroEtlVariants } from "../../helpers/stacks";
import { knownDefects } from "./known-defects";

/**
 * The pack against the real stacks: what the offline plan declares for dev and prod (and config
 * variants), unchanged and then broken one property at a time. Each break must make exactly the
 * expected policies fire, at the stack's configured enforcement level.
 */

type Stack = "dev" | "prod";

function resourceName(v: Violation): string {
    return v.urn ? v.urn.split("::").pop()! : "(stack)";
}

function key(v: Violation): string {
    return `${v.level}|${v.policy}|${v.urn ?? ""}|${v.message}`;
}

/** Applies `change` to a deep copy of the named resource's inputs and outputs. */
function alter(resources: readonly EngineResource[], type: string, name: string, change: (props: any) => void): EngineResource[] {
    let found = 0;
    const out = resources.map((r) => {
        if (r.type !== type || r.name !== name) {
            return r;
        }
        found++;
        const inputs = structuredClone(r.inputs);
        const outputs = structuredClone(r.outputs);
        change(inputs);
        change(outputs);
        return { ...r, inputs, outputs };
    });
    assert.strictEqual(found, 1, `expected one ${type} named ${name}`);
    return out;
}

function setOption(resources: readonly EngineResource[], type: string, name: string, options: Partial<EngineResource>): EngineResource[] {
    assert.ok(resources.some((r) => r.type === type && r.name === name), `expected a ${type} named ${name}`);
    return resources.map((r) => (r.type === type && r.name === name ? { ...r, ...options } : r));
}

const baselines = new Map<string, Promise<{ run: OfflineRun; resources: EngineResource[]; result: PolicyRunResult }>>();

function baseline(stack: Stack, overrides?: Record<string, string>) {
    const id = JSON.stringify([stack, overrides ?? {}]);
    let found = baselines.get(id);
    if (!found) {
        found = (overrides ? variantRun({ stack, overrides }) : stackRun(stack)).then(async (run) => {
            const resources = engineResources(run);
            return { run, resources, result: await checkEngineResources(stack, resources) };
        });
        baselines.set(id, found);
    }
    return found;
}

/** The violations a change adds to the stack's baseline: the policies that fire, at their levels. */
async function newViolations(stack: Stack, change: (resources: EngineResource[]) => EngineResource[], overrides?: Record<string, string>): Promise<Violation[]> {
    const base = await baseline(stack, overrides);
    const after = await checkEngineResources(stack, change(base.resources));
    const before = new Set(base.result.violations.map(key));
    return after.violations.filter((v) => !before.has(key(v)));
}

function policiesOf(violations: readonly Violation[]): string[] {
    return [...new Set(violations.map((v) => v.policy))].sort();
}

interface Break {
    readonly stack: Stack;
    readonly what: string;
    readonly change: (resources: EngineResource[]) => EngineResource[];
    readonly expect: readonly string[];
    readonly overrides?: Record<string, string>;
}

/** prod runs Redshift Serverless; the cluster's breaks run on prod switched to its provisioned alternative. */
const provisionedWarehouse: Record<string, string> = { ...provisionedWarehouseOverrides };

const fnArn = (stack: Stack, name: string) => `arn:aws:lambda:us-east-1:123456789012:function:platform-${stack}-${name}`;

const breaks: Break[] = [
    {
        stack: "prod",
        what: "an analysts workgroup without a scan limit",
        change: (rs) => alter(rs, "aws:athena/workgroup:Workgroup", "query-analysts", (p) => delete p.configuration.bytesScannedCutoffPerQuery),
        expect: ["athena-workgroup-scan-limit"],
    },
    {
        stack: "dev",
        what: "an audit trail without log-file validation",
        change: (rs) => alter(rs, "aws:cloudtrail/trail:Trail", "audit-trail", (p) => (p.enableLogFileValidation = false)),
        expect: ["cloudtrail-trail-log-file-validation"],
    },
    {
        stack: "prod",
        what: "a publicly accessible Redshift cluster",
        change: (rs) => alter(rs, "aws:redshift/cluster:Cluster", "warehouse-cluster", (p) => (p.publiclyAccessible = true)),
        expect: ["redshift-warehouse-not-public"],
        overrides: provisionedWarehouse,
    },
    {
        stack: "prod",
        what: "a publicly accessible Redshift Serverless workgroup",
        change: (rs) => alter(rs, "aws:redshiftserverless/workgroup:Workgroup", "warehouse-workgroup", (p) => (p.publiclyAccessible = true)),
        expect: ["redshift-warehouse-not-public"],
    },
    {
        stack: "prod",
        what: "an MSK cluster with a plaintext listener",
        change: (rs) => alter(rs, "aws:msk/cluster:Cluster", "streaming-cluster", (p) => (p.encryptionInfo.encryptionInTransit.clientBroker = "TLS_PLAINTEXT")),
        expect: ["msk-cluster-encryption-in-transit"],
    },
    {
        stack: "prod",
        what: "an MSK cluster accepting unauthenticated clients",
        change: (rs) => alter(rs, "aws:msk/cluster:Cluster", "streaming-cluster", (p) => (p.clientAuthentication.unauthenticated = true)),
        expect: ["msk-cluster-client-authentication"],
    },
    {
        stack: "prod",
        what: "an MSK broker subnet swapped for a public one",
        change: (rs) => alter(rs, "aws:msk/cluster:Cluster", "streaming-cluster", (p) => (p.brokerNodeGroupInfo.clientSubnets[2] = "subnet-public-3")),
        expect: ["ec2-subnet-no-public-data-stores"],
    },
    {
        stack: "prod",
        what: "the raw bucket without protect",
        change: (rs) => setOption(rs, "aws:s3/bucket:Bucket", "lake-raw", { protect: false }),
        expect: ["protection-data-store-protected"],
    },
    {
        stack: "prod",
        what: "a warehouse cluster deleted without a final snapshot",
        change: (rs) =>
            alter(rs, "aws:redshift/cluster:Cluster", "warehouse-cluster", (p) => {
                p.skipFinalSnapshot = true;
                delete p.finalSnapshotIdentifier;
            }),
        expect: ["redshift-cluster-final-snapshot"],
        overrides: provisionedWarehouse,
    },
    {
        stack: "prod",
        what: "an over-budget node type (ra3.16xlarge, not allowed in prod)",
        change: (rs) => alter(rs, "aws:redshift/cluster:Cluster", "warehouse-cluster", (p) => (p.nodeType = "ra3.16xlarge")),
        expect: ["cost-stack-allowed-instance-types", "cost-stack-monthly-budget"],
        overrides: provisionedWarehouse,
    },
    {
        stack: "prod",
        what: "a Kafka event source mapping without an on-failure destination",
        change: (rs) => alter(rs, "aws:lambda/eventSourceMapping:EventSourceMapping", "ingest-orders-source", (p) => delete p.destinationConfig),
        expect: ["lambda-event-source-mapping-on-failure", "lambda-function-failure-destination"],
    },
    {
        stack: "dev",
        what: "the raw bucket without default encryption",
        change: (rs) => rs.filter((r) => !(r.type === "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration" && r.name === "lake-raw")),
        expect: ["s3-bucket-default-encryption"],
    },
    {
        stack: "dev",
        what: 'an ingest role granted "*" on "*"',
        change: (rs) =>
            alter(rs, "aws:iam/rolePolicy:RolePolicy", "ingest-orders-role", (p) => {
                const document = JSON.parse(p.policy);
                document.Statement.push({ Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" });
                p.policy = JSON.stringify(document);
            }),
        expect: [
            "iam-policy-no-admin-access",
            "iam-policy-no-credentials-exposure",
            "iam-policy-no-data-exfiltration",
            "iam-policy-no-permissions-management",
            "iam-policy-no-privilege-escalation",
            "iam-policy-no-unconstrained-write",
            "iam-policy-no-wildcard-action",
            "iam-policy-no-wildcard-resource",
        ],
    },
    {
        stack: "dev",
        what: 'an ingest role granted "s3:*" on its own prefix',
        change: (rs) =>
            alter(rs, "aws:iam/rolePolicy:RolePolicy", "ingest-orders-role", (p) => {
                const document = JSON.parse(p.policy);
                document.Statement[0].Action = "s3:*";
                p.policy = JSON.stringify(document);
            }),
        expect: ["iam-policy-no-wildcard-action"],
    },
    {
        stack: "dev",
        what: "the ingest stage's alarms removed",
        change: (rs) => rs.filter((r) => !(r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && (r.outputs.tags as Record<string, string> | undefined)?.["pipeline-stage"] === "ingest")),
        expect: ["cloudwatch-alarm-pipeline-stage-coverage"],
    },
    {
        stack: "dev",
        what: "the ingest function on CallbackFunction's default full-access role",
        change: (rs) => {
            const role = rs.find((r) => r.type === "aws:iam/role:Role" && r.name === "ingest-orders-role")!;
            const attachment: EngineResource = {
                ...role,
                urn: role.urn.replace("aws:iam/role:Role::ingest-orders-role", "aws:iam/rolePolicyAttachment:RolePolicyAttachment::ingest-orders-32be53a2"),
                type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                name: "ingest-orders-32be53a2",
                inputs: { role: role.outputs.name, policyArn: "arn:aws:iam::aws:policy/AWSLambda_FullAccess" },
                outputs: { role: role.outputs.name, policyArn: "arn:aws:iam::aws:policy/AWSLambda_FullAccess", id: "ingest-orders-32be53a2" },
                dependencies: [role.urn],
            };
            return [...rs, attachment];
        },
        expect: ["iam-role-no-managed-full-access", "lambda-function-least-privilege-role"],
    },
    {
        stack: "dev",
        what: "a Batch compute environment over dev's vCPU limit",
        change: (rs) => alter(rs, "aws:batch/computeEnvironment:ComputeEnvironment", "batch-compute", (p) => (p.computeResources.maxVcpus = 64)),
        expect: ["cost-stack-capacity-limits"],
    },
    {
        stack: "dev",
        what: "on-demand Fargate for Batch in dev",
        change: (rs) => alter(rs, "aws:batch/computeEnvironment:ComputeEnvironment", "batch-compute", (p) => (p.computeResources.type = "FARGATE")),
        expect: ["batch-compute-environment-spot"],
    },
    {
        stack: "dev",
        what: "an ingest function on a deprecated runtime",
        change: (rs) => alter(rs, "aws:lambda/function:Function", "ingest-orders", (p) => (p.runtime = "nodejs18.x")),
        expect: ["lambda-function-runtime-supported"],
    },
    {
        stack: "dev",
        what: "a Kinesis event source mapping without bisect or partial batch responses",
        change: (rs) =>
            alter(rs, "aws:lambda/eventSourceMapping:EventSourceMapping", "ingest-orders-source", (p) => {
                p.bisectBatchOnFunctionError = false;
                delete p.functionResponseTypes;
            }),
        expect: ["lambda-event-source-mapping-stream-error-handling"],
    },
    {
        stack: "dev",
        what: "SSH from the internet on the warehouse security group",
        change: (rs) => alter(rs, "aws:ec2/securityGroup:SecurityGroup", "warehouse-sg", (p) => p.ingress.push({ description: "ssh", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] })),
        expect: ["ec2-security-group-no-public-ingress"],
    },
    {
        stack: "dev",
        what: "the AWS provider without default tags",
        change: (rs) =>
            alter(rs, "pulumi:providers:aws", "aws", (p) => {
                delete p.defaultTags;
            }),
        expect: ["tagging-resource-cost-tags"],
    },
    {
        // prod only: in dev the budget policy is advisory on purpose (tests/unit/policies/budget-enforcement.test.ts).
        stack: "prod",
        what: "a $10 budget",
        change: (rs) => alter(rs, "aws:budgets/budget:Budget", "observability-monthly", (p) => (p.limitAmount = "10.00")),
        expect: ["cost-stack-monthly-budget"],
    },
    {
        stack: "dev",
        overrides: { "platform:sparkMode": "cluster" },
        what: "an EMR security configuration without in-transit encryption (cluster mode)",
        change: (rs) =>
            alter(rs, "aws:emr/securityConfiguration:SecurityConfiguration", "transform-security", (p) => {
                const config = JSON.parse(p.configuration);
                config.EncryptionConfiguration.EnableInTransitEncryption = false;
                p.configuration = JSON.stringify(config);
            }),
        expect: ["emr-security-configuration-in-transit-encryption"],
    },
    {
        stack: "dev",
        overrides: { "platform:sparkMode": "cluster" },
        what: "an on-demand EMR task fleet in dev (cluster mode)",
        change: (rs) =>
            alter(rs, "aws:emr/instanceFleet:InstanceFleet", "transform-task", (p) => {
                p.targetOnDemandCapacity = 2;
                delete p.targetSpotCapacity;
            }),
        expect: ["emr-task-capacity-spot"],
    },
    {
        stack: "prod",
        overrides: { ...zeroEtlVariants.provisioned.overrides },
        what: "a zero-ETL integration left on the AWS-owned key (zero-ETL)",
        change: (rs) =>
            alter(rs, "aws:rds/integration:Integration", "warehouse-zero-etl", (p) => {
                delete p.kmsKeyId;
                delete p.additionalEncryptionContext;
            }),
        expect: ["rds-integration-cmk"],
    },
    {
        stack: "prod",
        overrides: { ...zeroEtlVariants.provisioned.overrides },
        what: "a namespace resource policy that lets Redshift authorize any source (zero-ETL)",
        change: (rs) =>
            alter(rs, "aws:redshift/resourcePolicy:ResourcePolicy", "warehouse-zero-etl-policy", (p) => {
                const policy = JSON.parse(p.policy);
                delete policy.Statement[0].Condition;
                p.policy = JSON.stringify(policy);
            }),
        expect: ["redshift-resource-policy-source-scoped"],
    },
    {
        stack: "dev",
        overrides: { "platform:ingestDelivery": "firehose" },
        what: "a Firehose delivery stream writing the lake without the lake key (ingestDelivery firehose)",
        change: (rs) => alter(rs, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "firehose-orders", (p) => delete p.extendedS3Configuration.kmsKeyArn),
        expect: ["firehose-delivery-stream-s3-cmk"],
    },
    {
        stack: "dev",
        overrides: { "platform:ingestDelivery": "firehose" },
        what: "a Firehose delivery stream without error logging (ingestDelivery firehose)",
        change: (rs) => alter(rs, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "firehose-orders", (p) => (p.extendedS3Configuration.cloudwatchLoggingOptions.enabled = false)),
        expect: ["firehose-delivery-stream-error-logging"],
    },
    {
        stack: "dev",
        overrides: { "platform:ingestDelivery": "firehose" },
        what: "a transformation function no delivery stream invokes any more (ingestDelivery firehose)",
        change: (rs) => alter(rs, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "firehose-orders", (p) => delete p.extendedS3Configuration.processingConfiguration),
        expect: ["lambda-function-failure-destination"],
    },
];

describe("policy pack on the real stacks", function () {
    this.timeout(180_000);

    for (const stack of ["dev", "prod"] as const) {
        it(`${stack} has no mandatory violation other than the known infra defects`, async () => {
            const { result } = await baseline(stack);
            const unexpected = result.violations
                .filter((v) => v.level === "mandatory")
                .filter((v) => !knownDefects.some((d) => d.stack === stack && d.policy === v.policy && d.resource === resourceName(v) && d.message.test(v.message)));
            assert.deepStrictEqual(unexpected, []);
        });

        it(`${stack} still has each known infra defect (remove the entry once infra/ is fixed)`, async () => {
            const { result } = await baseline(stack);
            const fixed = knownDefects
                .filter((d) => d.stack === stack)
                .filter((d) => !result.violations.some((v) => v.level === "mandatory" && v.policy === d.policy && resourceName(v) === d.resource && d.message.test(v.message)));
            assert.deepStrictEqual(fixed, []);
        });

        it(`${stack}'s advisory violations come only from the policies its pack config makes advisory`, async () => {
            const { result } = await baseline(stack);
            const advisoryPolicies = policiesOf(result.violations.filter((v) => v.level === "advisory"));
            assert.deepStrictEqual(advisoryPolicies, ["cloudwatch-log-group-retention-one-year", "lambda-function-in-vpc"]);
        });

        it(`${stack}: policySummary reports the same counts as the full check`, async () => {
            const { run } = await baseline(stack);
            const [summary, full] = [await policySummary(run), await checkOfflineRun(run)];
            assert.deepStrictEqual(summary, { mandatory: full.mandatory, advisory: full.advisory, policies: full.policies });
            assert.strictEqual(summary.policies, 156);
        });
    }

    for (const b of breaks) {
        it(`${b.stack}${b.overrides ? ` (${Object.entries(b.overrides).map(([k, v]) => `${k}=${v}`).join(", ")})` : ""}: ${b.what} makes exactly ${b.expect.join(", ")} fire, as mandatory`, async () => {
            const added = await newViolations(b.stack, b.change, b.overrides);
            assert.deepStrictEqual(policiesOf(added), [...b.expect].sort(), `new violations:\n  ${added.map((v) => `${v.policy}: ${v.message}`).join("\n  ")}`);
            assert.deepStrictEqual(added.filter((v) => v.level !== "mandatory"), []);
        });
    }

    it("the dev cluster-mode variant has no mandatory violation other than the known defects", async () => {
        const { result } = await baseline("dev", { "platform:sparkMode": "cluster" });
        const unexpected = result.violations.filter((v) => v.level === "mandatory" && !knownDefects.some((d) => d.stack === "dev" && d.policy === v.policy && d.message.test(v.message)));
        assert.deepStrictEqual(unexpected, []);
    });

    it("the function ARNs the breaks rely on are the ones the mocks answer", async () => {
        const { resources } = await baseline("dev");
        const fn = resources.find((r) => r.type === "aws:lambda/function:Function" && r.name === "ingest-orders")!;
        assert.strictEqual(fn.outputs.arn, fnArn("dev", "ingest-orders"));
    });
});
