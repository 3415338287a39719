import * as assert from "assert";
import { ingestRolePolicy, IngestRoleContext } from "../../../infra/ingest/iam";
import { interfaceEndpointActions, interfaceEndpointPolicy } from "../../../infra/network/decisions";
import { interfaceEndpointServices } from "../../../infra/config/catalog";
import { loadRolePolicy, qualityRolePolicy, WarehouseAccess } from "../../../infra/orchestration/iam";
import { PolicyDocument, s3ReadStatements, Statement } from "../../../infra/shared/iam";
import { actionCarriesKey, actionFacts, resourceTypesNamed } from "../../helpers/iam/reference";
import { firehoseDeliveryVariant, json, ofType, stackRun, variantRun } from "../../helpers/stacks";

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Every identity-policy statement both stacks (and the Firehose delivery variant of dev) declare, named by the role policy that holds it. */
async function planStatements(): Promise<{ where: string; statement: Statement }[]> {
    const out: { where: string; statement: Statement }[] = [];
    for (const stack of ["dev", "prod", "dev-firehose"] as const) {
        const run = stack === "dev-firehose" ? await variantRun(firehoseDeliveryVariant) : await stackRun(stack);
        for (const policy of ofType(run, "aws:iam/rolePolicy:RolePolicy")) {
            const document = json(policy, "policy") as PolicyDocument;
            document.Statement.forEach((statement, i) => out.push({ where: `${stack} ${policy.name} statement ${statement.Sid ?? i}`, statement }));
        }
    }
    return out;
}

/**
 * Statements on "*" whose actions take resources, with the reason "*" is still right. Anything
 * else on "*" must be wildcard-only in the service authorization reference.
 */
const wildcardExceptions: Readonly<Record<string, string>> = {};

describe("IAM documents against the service authorization reference", function () {
    this.timeout(300_000);

    it("every condition key in an Allow statement is one every action of that statement carries (else the grant is dead)", async () => {
        const dead: string[] = [];
        for (const { where, statement } of await planStatements()) {
            if (statement.Effect !== "Allow") continue;
            for (const block of Object.values(statement.Condition ?? {})) {
                for (const key of Object.keys(block)) {
                    for (const action of list(statement.Action)) {
                        if (action.includes("*")) continue;
                        if (!(await actionCarriesKey(action, key))) dead.push(`${where}: ${action} never carries ${key}`);
                    }
                }
            }
        }
        assert.deepStrictEqual(dead, []);
    });

    it("an Allow statement grants on \"*\" only actions that have no resource type (or a listed reason)", async () => {
        const wrong: string[] = [];
        for (const { where, statement } of await planStatements()) {
            if (statement.Effect !== "Allow" || !list(statement.Resource).includes("*")) continue;
            for (const action of list(statement.Action)) {
                if (action.includes("*")) continue;
                const facts = await actionFacts(action);
                if (!facts.wildcardOnly && !wildcardExceptions[action]) wrong.push(`${where}: ${action} takes ${facts.resourcePatterns.map((r) => r.type).join("/")} ARNs, granted on "*"`);
            }
        }
        assert.deepStrictEqual(wrong, []);
    });

    it("a resource type check that would have caught SubscribeToShard on a stream ARN", async () => {
        assert.deepStrictEqual(await resourceTypesNamed("kinesis:SubscribeToShard", "arn:aws:kinesis:us-east-1:111122223333:stream/orders"), []);
        assert.deepStrictEqual(await resourceTypesNamed("kinesis:GetRecords", "arn:aws:kinesis:us-east-1:111122223333:stream/orders"), ["stream"]);
    });

    it("s3:GetBucketLocation is never under an s3:prefix condition, and is granted only to readers that locate buckets", () => {
        const plain = s3ReadStatements("arn:aws:s3:::b", ["orders/"]);
        assert.ok(!plain.some((s) => list(s.Action).includes("s3:GetBucketLocation")));
        assert.deepStrictEqual(
            plain.find((s) => list(s.Action).includes("s3:ListBucket"))?.Condition,
            { StringLike: { "s3:prefix": ["orders/*"] } },
        );
        const locating = s3ReadStatements("arn:aws:s3:::b", ["orders/"], { locateBucket: true });
        const location = locating.filter((s) => list(s.Action).includes("s3:GetBucketLocation"));
        assert.deepStrictEqual(location, [{ Effect: "Allow", Action: "s3:GetBucketLocation", Resource: "arn:aws:s3:::b" }]);
    });

    const kinesisCtx: IngestRoleContext = {
        engine: "kinesis",
        dataset: "orders",
        rawBucketArn: "arn:aws:s3:::raw",
        rejectsBucketArn: "arn:aws:s3:::rejects",
        lakeKeyArn: "arn:aws:kms:us-east-1:111122223333:key/lake",
        streamingKeyArn: "arn:aws:kms:us-east-1:111122223333:key/stream",
        logGroupArn: "arn:aws:logs:us-east-1:111122223333:log-group:/ingest",
        failureQueueArn: "arn:aws:sqs:us-east-1:111122223333:failed",
        sourceArn: "arn:aws:kinesis:us-east-1:111122223333:stream/orders",
    };

    it("the Kinesis ingest role has no SubscribeToShard (the mapping reads without an enhanced fan-out consumer)", () => {
        const actions = ingestRolePolicy(kinesisCtx).Statement.flatMap((s) => list(s.Action));
        assert.ok(actions.includes("kinesis:GetRecords"));
        assert.ok(!actions.includes("kinesis:SubscribeToShard"));
    });

    const mskCtx: IngestRoleContext = {
        ...kinesisCtx,
        engine: "msk",
        sourceArn: "arn:aws:kafka:us-east-1:111122223333:cluster/platform/abc-1",
        vpc: { subnetIds: ["subnet-1", "subnet-2"], securityGroupIds: ["sg-9"] },
    };

    it("the MSK ingest role creates network interfaces only in its subnets and security group, and deletes only interfaces", () => {
        const statements = ingestRolePolicy(mskCtx).Statement;
        const create = statements.filter((s) => list(s.Action).includes("ec2:CreateNetworkInterface"));
        assert.deepStrictEqual(create.map((s) => list(s.Resource)), [
            [
                "arn:aws:ec2:us-east-1:111122223333:network-interface/*",
                "arn:aws:ec2:us-east-1:111122223333:subnet/subnet-1",
                "arn:aws:ec2:us-east-1:111122223333:subnet/subnet-2",
                "arn:aws:ec2:us-east-1:111122223333:security-group/sg-9",
            ],
        ]);
        const del = statements.filter((s) => list(s.Action).includes("ec2:DeleteNetworkInterface"));
        assert.deepStrictEqual(del.map((s) => s.Resource), ["arn:aws:ec2:us-east-1:111122223333:network-interface/*"]);
        const onStar = statements.filter((s) => s.Resource === "*").flatMap((s) => list(s.Action)).filter((a) => a.startsWith("ec2:"));
        assert.deepStrictEqual(onStar.sort(), ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"]);
    });

    it("the MSK ingest role with SASL/SCRAM reads only its secret, and decrypts only through Secrets Manager with the secret's key; with IAM it has neither", () => {
        const secretArn = "arn:aws:secretsmanager:us-east-1:111122223333:secret:AmazonMSK_platform-ingest-AbCdEf";
        const keyArn = "arn:aws:kms:us-east-1:111122223333:key/secrets";
        const statements = ingestRolePolicy({ ...mskCtx, clientSecret: { secretArn, kmsKeyArn: keyArn } }).Statement;
        assert.deepStrictEqual(
            statements.filter((s) => list(s.Action).some((a) => a.startsWith("secretsmanager:")) || list(s.Resource).includes(keyArn)),
            [
                { Sid: "ReadKafkaClientSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArn },
                { Sid: "DecryptKafkaClientSecret", Effect: "Allow", Action: "kms:Decrypt", Resource: keyArn, Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } } },
            ],
        );
        assert.ok(!ingestRolePolicy(mskCtx).Statement.some((s) => list(s.Action).some((a) => a.startsWith("secretsmanager:"))));
        assert.throws(() => ingestRolePolicy({ ...mskCtx, clientSecret: { secretArn: "AmazonMSK_x", kmsKeyArn: keyArn } }), /clientSecret\.secretArn must be a Secrets Manager secret ARN/);
    });

    it("the MSK ingest role names the field when the VPC placement is empty or the cluster ARN malformed", () => {
        assert.throws(() => ingestRolePolicy({ ...mskCtx, vpc: { subnetIds: [], securityGroupIds: ["sg-9"] } }), /vpc\.subnetIds/);
        assert.throws(() => ingestRolePolicy({ ...mskCtx, sourceArn: "cluster/platform" }), /sourceArn must be an ARN/);
    });

    const warehouse: WarehouseAccess = {
        partition: "aws",
        region: "us-east-1",
        accountId: "111122223333",
        warehouseArn: "arn:aws:redshift-serverless:us-east-1:111122223333:workgroup/w",
        secretArn: "arn:aws:secretsmanager:us-east-1:111122223333:secret:admin",
        warehouseKeyArn: "arn:aws:kms:us-east-1:111122223333:key/wh",
    };

    it("Redshift Data API statement actions on * are limited to the caller's own statements", () => {
        for (const document of [qualityRolePolicy(warehouse, "arn:aws:s3:::c", "arn:aws:kms:us-east-1:111122223333:key/l", "arn:aws:logs:us-east-1:111122223333:log-group:q"), loadRolePolicy(warehouse, "arn:aws:s3:::c", "arn:aws:kms:us-east-1:111122223333:key/l", ["orders"], "arn:aws:logs:us-east-1:111122223333:log-group:l", "curated")]) {
            const statementActions = document.Statement.filter((s) => list(s.Action).some((a) => /^redshift-data:(DescribeStatement|GetStatementResult|CancelStatement|ListStatements)$/.test(a)));
            assert.ok(statementActions.length > 0);
            for (const s of statementActions) {
                assert.deepStrictEqual(s.Condition, { StringEquals: { "redshift-data:statement-owner-iam-userid": "${aws:userid}" } });
            }
        }
    });

    it("every interface endpoint service the config accepts has an endpoint policy pinned to this account", async () => {
        assert.deepStrictEqual(Object.keys(interfaceEndpointActions).sort(), Object.keys(interfaceEndpointServices).sort());
        for (const [shortName, actions] of Object.entries(interfaceEndpointActions)) {
            for (const action of actions.onResources) assert.ok(!(await actionFacts(action)).wildcardOnly, `${shortName}: ${action} is wildcard-only, list it under wildcardOnly`);
            const document = interfaceEndpointPolicy(shortName, "111122223333");
            for (const s of document.Statement) {
                assert.strictEqual(s.Condition?.StringEquals?.["aws:PrincipalAccount"], "111122223333");
                assert.ok(!list(s.Action).some((a) => a.includes("*")), `${shortName}: no action wildcards`);
            }
        }
        assert.throws(() => interfaceEndpointPolicy("ec2", "111122223333"), /interfaceEndpoints: no endpoint policy for "ec2"/);
        assert.throws(() => interfaceEndpointPolicy("kms", "1234"), /accountId must be 12 digits/);
    });

    it("prod's interface endpoints each carry their endpoint policy", async () => {
        const run = await stackRun("prod");
        const interfaces = ofType(run, "aws:ec2/vpcEndpoint:VpcEndpoint").filter((e) => e.inputs.vpcEndpointType === "Interface");
        assert.ok(interfaces.length > 0);
        for (const endpoint of interfaces) {
            const document = json(endpoint, "policy") as PolicyDocument;
            assert.ok(document.Statement.length > 0, endpoint.name);
            assert.ok(document.Statement.every((s) => s.Condition?.StringEquals?.["aws:PrincipalAccount"]), endpoint.name);
        }
    });
});
