import * as assert from "assert";
import { planDocument } from "../../../tools/offline/plan-format";
import { OfflineRun, RecordedResource } from "../../../tools/offline/program";
import { input, json, ofType, one, stackRun, variantRun } from "../../helpers/stacks";

const T = {
    bucket: "aws:s3/bucket:Bucket",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    logging: "aws:s3/bucketLogging:BucketLogging",
    key: "aws:kms/key:Key",
    vpc: "awsx:ec2:Vpc",
    endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    stream: "aws:kinesis/stream:Stream",
    msk: "aws:msk/cluster:Cluster",
    mskConfig: "aws:msk/configuration:Configuration",
    topic: "aws:msk/topic:Topic",
    namespace: "aws:redshiftserverless/namespace:Namespace",
    workgroup: "aws:redshiftserverless/workgroup:Workgroup",
    usageLimit: "aws:redshiftserverless/usageLimit:UsageLimit",
    redshift: "aws:redshift/cluster:Cluster",
    paramGroup: "aws:redshift/parameterGroup:ParameterGroup",
    glueDb: "aws:glue/catalogDatabase:CatalogDatabase",
    lfPermissions: "aws:lakeformation/permissions:Permissions",
    lfResource: "aws:lakeformation/resource:Resource",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    budget: "aws:budgets/budget:Budget",
    provider: "pulumi:providers:aws",
};

function keyArn(run: OfflineRun, domain: string): string {
    return one(run, T.key, `keys-${domain}`).state.arn as string;
}

function bucketOf(run: OfflineRun, zone: string): RecordedResource {
    return one(run, T.bucket, `lake-${zone}`);
}

function childOf(run: OfflineRun, type: string, parent: RecordedResource): RecordedResource {
    const found = ofType(run, type).filter((r) => r.parent === parent.urn);
    assert.strictEqual(found.length, 1, `${type} under ${parent.name}`);
    return found[0];
}

for (const stack of ["dev", "prod"] as const) {
    describe(`${stack} stack under mocks`, () => {
        let run: OfflineRun;
        before(async () => {
            run = await stackRun(stack);
        });

        it("declares one component per area, typed platform:<area>:<Name>", () => {
            const components = run.resources.filter((r) => r.type.startsWith("platform:")).map((r) => r.type).sort();
            assert.deepStrictEqual(components.filter((t) => ["network", "keys", "lake", "catalog", "streaming", "warehouse", "observability"].includes(t.split(":")[1])), [
                "platform:catalog:Catalog",
                "platform:keys:Keys",
                "platform:lake:Lake",
                "platform:network:Network",
                "platform:observability:Observability",
                "platform:streaming:Streaming",
                "platform:warehouse:Warehouse",
            ]);
        });

        it("manages every AWS resource through the one provider, whose default tags carry the cost tags", () => {
            const provider = one(run, T.provider);
            assert.deepStrictEqual(JSON.parse(provider.inputs.defaultTags as string).tags, { environment: stack, owner: "data-platform", "cost-center": "analytics", project: "platform", stack });
            const custom = run.resources.filter((r) => r.custom && r.type.startsWith("aws:"));
            assert.ok(custom.length > 50);
            for (const r of custom) {
                assert.ok(r.provider?.startsWith(provider.urn), `${r.type} ${r.name} uses ${r.provider}`);
            }
        });

        it("creates four customer-managed keys with rotation", () => {
            const keys = ofType(run, T.key);
            assert.deepStrictEqual(keys.map((k) => k.name).sort(), ["keys-lake", "keys-observability", "keys-streaming", "keys-warehouse"]);
            for (const key of keys) {
                assert.strictEqual(key.inputs.enableKeyRotation, true);
                assert.strictEqual(key.inputs.deletionWindowInDays, 30);
            }
        });

        it("encrypts data buckets with the lake key and bucket keys, the access-log bucket with SSE-S3", () => {
            for (const zone of ["raw", "curated", "rejects", "artifacts"]) {
                const rule = (childOf(run, T.sse, bucketOf(run, zone)).inputs.rules as any[])[0];
                assert.deepStrictEqual(rule, { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn(run, "lake") }, bucketKeyEnabled: true }, zone);
            }
            const logs = (childOf(run, T.sse, bucketOf(run, "access-logs")).inputs.rules as any[])[0];
            assert.strictEqual(logs.applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
        });

        it("blocks public access, disables ACLs, versions, and lifecycles every bucket, and logs access of the data buckets", () => {
            for (const zone of ["raw", "curated", "rejects", "artifacts", "access-logs"]) {
                const bucket = bucketOf(run, zone);
                const pab = childOf(run, T.pab, bucket).inputs;
                assert.deepStrictEqual([pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets], [true, true, true, true]);
                assert.strictEqual(input(childOf(run, T.ownership, bucket), "rule.objectOwnership"), "BucketOwnerEnforced");
                assert.strictEqual(input(childOf(run, T.versioning, bucket), "versioningConfiguration.status"), "Enabled");
                assert.strictEqual(input(childOf(run, T.lifecycle, bucket), "rules.0.abortIncompleteMultipartUpload.daysAfterInitiation"), 1);
            }
            const logged = ofType(run, T.logging).map((l) => l.name).sort();
            assert.deepStrictEqual(logged, ["audit-trail", "files-landing", "lake-artifacts", "lake-curated", "lake-raw", "lake-rejects", "query-results"]);
        });

        it("encrypts the Glue Data Catalog's metadata and connection passwords with the lake key", () => {
            const settings = ofType(run, "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings");
            assert.strictEqual(settings.length, 1);
            const lakeKeyArn = one(run, "aws:kms/key:Key", "keys-lake").state.arn;
            assert.deepStrictEqual(settings[0].inputs.dataCatalogEncryptionSettings, {
                encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: lakeKeyArn },
                connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: lakeKeyArn },
            });
            // Declared before the databases, so no metadata is ever written unencrypted.
            for (const db of ofType(run, T.glueDb)) {
                assert.ok(db.dependencies.includes(settings[0].urn), `${db.name} depends on the encryption settings`);
            }
        });

        it("denies non-TLS requests on every bucket", () => {
            const policies = ofType(run, T.bucketPolicy);
            // One policy per bucket: the lake's five, the file-drop landing, Athena results and the audit trail.
            assert.strictEqual(policies.length, ofType(run, T.bucket).length);
            assert.ok(policies.length >= 8, `${policies.length} bucket policies`);
            for (const policy of policies) {
                const deny = json(policy, "policy").Statement.find((s: any) => s.Sid === "DenyInsecureTransport");
                assert.deepStrictEqual(deny.Condition, { Bool: { "aws:SecureTransport": "false" } }, policy.name);
            }
        });

        it("locks the default security group and opens no security group to the internet", () => {
            const defaultSg = one(run, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
            assert.deepStrictEqual([defaultSg.inputs.ingress, defaultSg.inputs.egress], [[], []]);
            for (const sg of ofType(run, T.sg)) {
                for (const rule of (sg.inputs.ingress as any[]) ?? []) {
                    assert.ok(!(rule.cidrBlocks ?? []).includes("0.0.0.0/0"), `${sg.name} admits the internet`);
                    assert.ok(rule.description, `${sg.name} has an undescribed rule`);
                }
            }
        });

        it("sends VPC flow logs to a log group encrypted with the observability key", () => {
            const flowLog = one(run, "aws:ec2/flowLog:FlowLog");
            assert.strictEqual(flowLog.inputs.trafficType, "ALL");
            const group = one(run, T.logGroup, "network-flow-logs");
            assert.strictEqual(group.inputs.kmsKeyId, keyArn(run, "observability"));
            assert.strictEqual(group.inputs.retentionInDays, stack === "prod" ? 90 : 14);
        });

        it("routes S3 through a gateway endpoint on the private route tables", () => {
            const s3 = one(run, T.endpoint, "network-s3");
            assert.deepStrictEqual([s3.inputs.vpcEndpointType, s3.inputs.serviceName], ["Gateway", "com.amazonaws.us-east-1.s3"]);
            assert.deepStrictEqual(s3.inputs.routeTableIds, ["rtb-private-1", "rtb-private-2", "rtb-private-3"]);
        });

        it("never grants ALL through Lake Formation, and registers both catalogued lake locations", () => {
            const grants = ofType(run, T.lfPermissions);
            assert.ok(grants.length >= 2);
            for (const grant of grants) {
                assert.ok(!(grant.inputs.permissions as string[]).includes("ALL"), grant.name);
            }
            assert.deepStrictEqual(ofType(run, T.lfResource).map((r) => r.name).sort(), ["audit-trail-location", "catalog-curated-location", "catalog-raw-location", "query-rejects-location"]);
            for (const db of ofType(run, T.glueDb)) {
                assert.deepStrictEqual(db.inputs.createTableDefaultPermissions, [], `${db.name} keeps IAMAllowedPrincipals`);
            }
        });

        it("wires every alarm to the alarm topic and tags it with its pipeline stage", () => {
            const topicArn = run.outputs.alarmTopicArn;
            const alarms = ofType(run, T.alarm);
            assert.ok(alarms.length > 0);
            for (const alarm of alarms) {
                assert.deepStrictEqual(alarm.inputs.alarmActions, [topicArn], alarm.name);
                assert.ok(typeof (alarm.inputs.tags as Record<string, string>)["pipeline-stage"] === "string", alarm.name);
            }
        });

        it("shows every alarm of the stack on the dashboard, under its stage", () => {
            const body = json(one(run, "aws:cloudwatch/dashboard:Dashboard"), "dashboardBody");
            const shown = new Map<string, string>();
            for (const widget of body.widgets.filter((w: any) => w.type === "alarm")) {
                for (const arn of widget.properties.alarms) {
                    shown.set(arn, widget.properties.title);
                }
            }
            const alarms = ofType(run, T.alarm);
            assert.deepStrictEqual(
                alarms.filter((a) => shown.get(a.state.arn as string) !== `${(a.inputs.tags as Record<string, string>)["pipeline-stage"]} alarms`).map((a) => a.name),
                [],
            );
            assert.strictEqual(shown.size, alarms.length);
        });

        it("gives AWS Budgets the stack's budget number", () => {
            assert.strictEqual(one(run, T.budget).inputs.limitAmount, stack === "prod" ? "2000.00" : "400.00");
        });

        it(`${stack === "prod" ? "protects" : "does not protect"} data stores`, () => {
            const stores = [...ofType(run, T.bucket), ...ofType(run, T.key), ...ofType(run, T.glueDb), ...ofType(run, T.stream), ...ofType(run, T.msk), ...ofType(run, T.topic), ...ofType(run, T.namespace), ...ofType(run, T.workgroup), ...ofType(run, T.redshift)];
            assert.ok(stores.length >= 12);
            for (const store of stores) {
                assert.strictEqual(store.protect, stack === "prod", `${store.type} ${store.name} protect`);
                assert.strictEqual(store.retainOnDelete, stack === "prod", `${store.type} ${store.name} retainOnDelete`);
            }
        });

        it("exports what a user needs", () => {
            for (const key of ["rawBucket", "curatedBucket", "rejectsBucket", "artifactsBucket", "warehouseEndpoint", "dashboardName", "alarmTopicArn"]) {
                assert.ok(typeof run.outputs[key] === "string" && (run.outputs[key] as string).length > 0, key);
            }
        });
    });
}

describe("dev stack specifics", () => {
    let run: OfflineRun;
    before(async () => {
        run = await stackRun("dev");
    });

    it("is small: three AZs, a single NAT gateway and no interface endpoints", () => {
        const vpc = one(run, T.vpc);
        assert.deepStrictEqual([vpc.inputs.numberOfAvailabilityZones, input(vpc, "natGateways.strategy")], [3, "Single"]);
        assert.deepStrictEqual(vpc.inputs.subnetSpecs, [
            { type: "Private", cidrMask: 18, name: "private" },
            { type: "Public", cidrMask: 20, name: "public" },
        ]);
        assert.deepStrictEqual(ofType(run, T.endpoint).map((e) => e.name), ["network-s3"]);
    });

    it("streams through an on-demand Kinesis stream encrypted with the streaming key, with a throttling alarm", () => {
        const stream = one(run, T.stream);
        assert.deepStrictEqual([input(stream, "streamModeDetails.streamMode"), stream.inputs.shardCount, stream.inputs.retentionPeriod], ["ON_DEMAND", undefined, 24]);
        assert.deepStrictEqual([stream.inputs.encryptionType, stream.inputs.kmsKeyId], ["KMS", keyArn(run, "streaming")]);
        assert.deepStrictEqual(ofType(run, T.msk), []);
        assert.strictEqual(one(run, T.alarm, "streaming-orders-write-throttled").inputs.metricName, "WriteProvisionedThroughputExceeded");
    });

    it("runs a private serverless warehouse with SSL required, enhanced VPC routing, a managed password and a usage limit", () => {
        const namespace = one(run, T.namespace);
        assert.deepStrictEqual([namespace.inputs.manageAdminPassword, namespace.inputs.adminUsername, namespace.inputs.dbName, namespace.inputs.kmsKeyId], [true, "platform_admin", "analytics", keyArn(run, "warehouse")]);
        const workgroup = one(run, T.workgroup);
        assert.deepStrictEqual([workgroup.inputs.publiclyAccessible, workgroup.inputs.enhancedVpcRouting, workgroup.inputs.baseCapacity, workgroup.inputs.maxCapacity], [false, true, 8, 32]);
        assert.deepStrictEqual(workgroup.inputs.configParameters, [
            { parameterKey: "require_ssl", parameterValue: "true" },
            { parameterKey: "enable_user_activity_logging", parameterValue: "true" },
        ]);
        assert.deepStrictEqual([one(run, T.usageLimit).inputs.amount, one(run, T.usageLimit).inputs.breachAction], [16, "deactivate"]);
    });
});

describe("prod stack specifics", () => {
    let run: OfflineRun;
    before(async () => {
        run = await stackRun("prod");
    });

    it("spreads over three AZs with a NAT gateway in each and interface endpoints behind an HTTPS-only group", () => {
        const vpc = one(run, T.vpc);
        assert.deepStrictEqual([vpc.inputs.numberOfAvailabilityZones, input(vpc, "natGateways.strategy")], [3, "OnePerAz"]);
        const interfaces = ofType(run, T.endpoint).filter((e) => e.inputs.vpcEndpointType === "Interface");
        // Only the services the in-VPC callers use (ingest function, Batch on Fargate, EMR Serverless, the warehouse).
        assert.deepStrictEqual(interfaces.map((e) => e.name).sort(), ["network-ecr", "network-ecr-dkr", "network-glue", "network-logs", "network-secretsmanager", "network-sts"]);
        for (const endpoint of interfaces) {
            assert.strictEqual(endpoint.inputs.privateDnsEnabled, true);
            assert.deepStrictEqual(endpoint.inputs.subnetIds, ["subnet-private-1", "subnet-private-2", "subnet-private-3"]);
        }
        const sg = one(run, T.sg, "network-endpoints");
        assert.deepStrictEqual(sg.inputs.ingress, [{ description: "HTTPS from the VPC", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.30.0.0/16"] }]);
    });

    it("runs MSK with IAM auth over TLS only, encryption with the streaming key, broker logs and a durable configuration", () => {
        const cluster = one(run, T.msk);
        assert.deepStrictEqual(cluster.inputs.clientAuthentication, { sasl: { iam: true, scram: false }, unauthenticated: false });
        assert.deepStrictEqual(cluster.inputs.encryptionInfo, { encryptionAtRestKmsKeyArn: keyArn(run, "streaming"), encryptionInTransit: { clientBroker: "TLS", inCluster: true } });
        assert.deepStrictEqual([cluster.inputs.numberOfBrokerNodes, input(cluster, "brokerNodeGroupInfo.instanceType"), input(cluster, "brokerNodeGroupInfo.connectivityInfo.publicAccess.type")], [3, "kafka.m7g.large", "DISABLED"]);
        assert.strictEqual(input(cluster, "loggingInfo.brokerLogs.cloudwatchLogs.enabled"), true);
        assert.deepStrictEqual(cluster.ignoreChanges, ["brokerNodeGroupInfo.storageInfo.ebsStorageInfo.volumeSize"]);
        const properties = (one(run, T.mskConfig).inputs.serverProperties as string).split("\n");
        for (const line of ["auto.create.topics.enable=false", "default.replication.factor=3", "min.insync.replicas=2", "unclean.leader.election.enable=false"]) {
            assert.ok(properties.includes(line), line);
        }
        const topic = one(run, T.topic);
        assert.deepStrictEqual([topic.inputs.name, topic.inputs.partitionCount, topic.inputs.replicationFactor], ["orders.v1", 12, 3]);
    });

    it("admits Kafka clients to the brokers on the IAM port only, from the client security group", () => {
        const ingress = one(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        assert.deepStrictEqual([ingress.inputs.fromPort, ingress.inputs.toPort, ingress.inputs.ipProtocol], [9098, 9098, "tcp"]);
        assert.match(ingress.inputs.referencedSecurityGroupId as string, /^streaming-clients-[0-9a-f]{7}-id$/);
        assert.strictEqual(ingress.inputs.securityGroupId, (ingress.inputs.securityGroupId as string).replace("clients", "brokers"));
    });

    it("alarms on the MSK controller, offline partitions and each broker's disk and replication", () => {
        const names = ofType(run, T.alarm).map((a) => a.name).filter((n) => n.startsWith("streaming-")).sort();
        assert.deepStrictEqual(names, [
            "streaming-active-controller",
            "streaming-broker-1-disk",
            "streaming-broker-1-under-replicated",
            "streaming-broker-2-disk",
            "streaming-broker-2-under-replicated",
            "streaming-broker-3-disk",
            "streaming-broker-3-under-replicated",
            "streaming-offline-partitions",
        ]);
    });

    it("runs a serverless warehouse at a 4 RPU base: private, encrypted, SSL required, protected, with nightly snapshots kept 35 days", () => {
        const namespace = one(run, T.namespace);
        assert.deepStrictEqual([namespace.inputs.kmsKeyId, namespace.inputs.manageAdminPassword, namespace.inputs.logExports, namespace.protect], [keyArn(run, "warehouse"), true, ["connectionlog", "userlog", "useractivitylog"], true]);
        const workgroup = one(run, T.workgroup);
        assert.deepStrictEqual(
            [workgroup.inputs.baseCapacity, workgroup.inputs.maxCapacity, workgroup.inputs.publiclyAccessible, workgroup.inputs.enhancedVpcRouting, workgroup.protect],
            [4, 64, false, true, true],
        );
        assert.deepStrictEqual(workgroup.inputs.configParameters, [
            { parameterKey: "require_ssl", parameterValue: "true" },
            { parameterKey: "enable_user_activity_logging", parameterValue: "true" },
        ]);
        assert.strictEqual(one(run, T.usageLimit).inputs.amount, 96);
        const snapshot = one(run, "aws:scheduler/schedule:Schedule", "warehouse-nightly-snapshot");
        assert.deepStrictEqual(JSON.parse(input(snapshot, "target.input") as string), { namespaceName: "platform-prod", snapshotName: "platform-prod-nightly-<aws.scheduler.execution-id>", retentionPeriod: 35 });
        assert.deepStrictEqual(ofType(run, T.redshift), []);
    });

    it("runs every function on arm64 and MSK at the free DEFAULT monitoring level", () => {
        const functions = ofType(run, "aws:lambda/function:Function");
        assert.ok(functions.length >= 6);
        assert.deepStrictEqual([...new Set(functions.map((f) => JSON.stringify(f.inputs.architectures)))], ['["arm64"]']);
        assert.strictEqual(one(run, T.msk).inputs.enhancedMonitoring, "DEFAULT");
    });

    it("with warehouseMode provisioned: a private, encrypted RA3 cluster, SSL required, audited, with a final snapshot", async () => {
        const provisioned = await variantRun({ stack: "prod", overrides: { "platform:warehouseMode": "provisioned", "platform:warehouseNodeType": "ra3.xlplus", "platform:warehouseNodeCount": "2" } });
        const cluster = one(provisioned, T.redshift);
        assert.deepStrictEqual(
            [cluster.inputs.nodeType, cluster.inputs.numberOfNodes, cluster.inputs.publiclyAccessible, cluster.inputs.enhancedVpcRouting, cluster.inputs.encrypted, cluster.inputs.kmsKeyId],
            ["ra3.xlplus", 2, false, true, "true", keyArn(provisioned, "warehouse")],
        );
        assert.deepStrictEqual([cluster.inputs.manageMasterPassword, cluster.inputs.masterUsername, cluster.inputs.skipFinalSnapshot, cluster.inputs.finalSnapshotIdentifier, cluster.inputs.automatedSnapshotRetentionPeriod], [true, "platform_admin", false, "platform-prod-final", 35]);
        assert.deepStrictEqual(one(provisioned, T.paramGroup).inputs.parameters, [
            { name: "require_ssl", value: "true" },
            { name: "enable_user_activity_logging", value: "true" },
        ]);
        assert.deepStrictEqual(one(provisioned, "aws:redshift/logging:Logging").inputs.logExports, ["connectionlog", "userlog", "useractivitylog"]);
        assert.deepStrictEqual(ofType(provisioned, "aws:scheduler/schedule:Schedule").filter((schedule) => schedule.name.startsWith("warehouse-")), []);
    });

    it("subscribes the on-call address to alarms and budget notifications", () => {
        assert.strictEqual(one(run, "aws:sns/topicSubscription:TopicSubscription").inputs.endpoint, "data-oncall@example.com");
        const budget = one(run, T.budget);
        assert.deepStrictEqual((budget.inputs.notifications as any[]).map((n) => n.subscriberEmailAddresses), [["data-oncall@example.com"], ["data-oncall@example.com"]]);
    });
});

describe("stack variants", () => {
    it("declares a provisioned Kinesis stream with its shard count", async () => {
        const run = await variantRun({ stack: "dev", overrides: { "platform:kinesisMode": "PROVISIONED", "platform:kinesisShardCount": "2" } });
        assert.deepStrictEqual([input(one(run, T.stream), "streamModeDetails.streamMode"), one(run, T.stream).inputs.shardCount], ["PROVISIONED", 2]);
    });

    it("drops public subnets when the stack has no NAT gateway", async () => {
        const run = await variantRun({ stack: "dev", overrides: { "platform:natGateways": "None", "platform:interfaceEndpoints": '["kms","logs"]' } });
        assert.deepStrictEqual(one(run, T.vpc).inputs.subnetSpecs, [{ type: "Private", cidrMask: 18, name: "private" }]);
        assert.deepStrictEqual(ofType(run, T.endpoint).map((e) => e.name).sort(), ["network-kms", "network-logs", "network-s3"]);
    });

    it("subscribes a PagerDuty endpoint set as a secret", async () => {
        const run = await variantRun({ stack: "dev", overrides: { "platform:pagerDutyEndpoint": "https://events.example.com/integration/k/enqueue" }, secretKeys: ["platform:pagerDutyEndpoint"] });
        const subscription = one(run, "aws:sns/topicSubscription:TopicSubscription", "observability-pagerduty");
        assert.deepStrictEqual([subscription.inputs.protocol, subscription.inputs.endpoint], ["https", "https://events.example.com/integration/k/enqueue"]);
        assert.deepStrictEqual(subscription.secretPaths, ["endpoint"]);
        assert.strictEqual(planDocument(run).resources.find((r) => r.name === "observability-pagerduty")?.inputs.endpoint, "[secret]");
    });

    it("fails before declaring anything when the config is invalid", async () => {
        await assert.rejects(variantRun({ stack: "dev", overrides: { "platform:environment": "qa" } }), /platform:environment: expected one of dev, prod; found "qa"/);
    });

    it("declares Lake Formation settings only on the stack that owns them", async () => {
        const owner = await variantRun({ stack: "dev", overrides: { "platform:manageLakeFormationSettings": "true", "platform:lakeFormationAdmins": '["arn:aws:iam::123456789012:role/Admin"]' } });
        assert.deepStrictEqual(one(owner, "aws:lakeformation/dataLakeSettings:DataLakeSettings").inputs.admins, ["arn:aws:iam::123456789012:role/Admin"]);
        assert.deepStrictEqual(ofType(await stackRun("dev"), "aws:lakeformation/dataLakeSettings:DataLakeSettings"), []);
    });
});
