import * as assert from "assert";
import { unknown } from "../../../cost/inputs";
import { assertComponents, assertMoney, outcomeOf, priceOne, resource } from "./helpers";

// Golden values are computed by hand from cost/prices/us-east-1.json (730 hours a month); the
// arithmetic is written next to each expectation.

describe("cost rules (us-east-1 golden values)", () => {
    describe("awsx:ec2:Vpc", () => {
        const type = "awsx:ec2:Vpc";
        it("prices a NAT gateway and its public IPv4 address per AZ for OnePerAz, plus data processed per gateway", () => {
            const r = priceOne(type, { numberOfAvailabilityZones: 3, natGateways: { strategy: "OnePerAz" } }, { natGatewayDataProcessedGb: 100 });
            // 3 × 730 × 0.045 = 98.55; 3 × 100 GB × 0.045 = 13.50; 3 × 730 × 0.005 = 10.95
            assertComponents(r, { "NAT gateways": 98.55, "NAT data processed": 13.5, "Public IPv4": 10.95 }, 123.0);
        });
        it("prices one gateway for Single", () => {
            // 730 × 0.045 = 32.85; 730 × 0.005 = 3.65
            assertComponents(priceOne(type, { numberOfAvailabilityZones: 3, natGateways: { strategy: "Single" } }), { "NAT gateways": 32.85, "NAT data processed": null }, 36.5);
        });
        it("follows awsx's default of one gateway per AZ when natGateways is not set", () => {
            // 2 × 32.85 + 2 × 3.65 = 73.00
            assertComponents(priceOne(type, { numberOfAvailabilityZones: 2 }), { "NAT gateways (2": 65.7 }, 73.0);
        });
        it("prices interface endpoints declared in vpcEndpointSpecs per AZ", () => {
            const r = priceOne(type, { numberOfAvailabilityZones: 3, natGateways: { strategy: "None" }, vpcEndpointSpecs: [{ vpcEndpointType: "Interface" }, { vpcEndpointType: "Interface" }, { vpcEndpointType: "Gateway" }] });
            // 2 endpoints × 3 AZs × 730 × 0.01 = 43.80
            assertComponents(r, { "Interface endpoints (2 × 3 AZs)": 43.8 }, 43.8);
        });
        it("is free with its reason when it has no NAT gateways and no interface endpoints", () => {
            assert.match(outcomeOf(type, { natGateways: { strategy: "None" } }).reason!, /no NAT gateways/);
        });
        it("is a logical grouping when a real preview lists its NAT gateways as children", () => {
            const vpc = resource(type, { natGateways: { strategy: "Single" } });
            const child = resource("aws:ec2/natGateway:NatGateway", {}, "network-1", vpc.urn);
            const outcome = outcomeOf(type, { natGateways: { strategy: "Single" } }, [child]);
            assert.deepStrictEqual(outcome.kind, "free");
            assert.match(outcome.reason!, /logical grouping/);
        });
    });

    describe("aws:ec2/vpcEndpoint:VpcEndpoint", () => {
        const type = "aws:ec2/vpcEndpoint:VpcEndpoint";
        it("prices an interface endpoint per subnet (AZ) plus data processed", () => {
            // 3 × 730 × 0.01 = 21.90; 100 GB × 0.01 = 1.00
            assertComponents(priceOne(type, { vpcEndpointType: "Interface", subnetIds: ["a", "b", "c"] }, { dataProcessedGb: 100 }), { "Endpoint (Interface, 3 AZs)": 21.9, "Data processed": 1 }, 22.9);
        });
        it("counts AZs from the stack's VPC when the subnets are not known before apply", () => {
            const vpc = resource("awsx:ec2:Vpc", { numberOfAvailabilityZones: 2, natGateways: { strategy: "None" } }, "network");
            // 2 × 730 × 0.01 = 14.60
            assertComponents(priceOne(type, { vpcEndpointType: "Interface", subnetIds: unknown }, {}, [vpc]), { "Endpoint (Interface, 2 AZs)": 14.6 }, 14.6);
        });
        it("is not priced when subnets are unknown and there is no VPC to count AZs from", () => {
            assert.strictEqual(outcomeOf(type, { vpcEndpointType: "Interface", subnetIds: unknown }).kind, "notPriced");
        });
        it("is free for a gateway endpoint (the default type)", () => {
            assert.deepStrictEqual(outcomeOf(type, { serviceName: "com.amazonaws.us-east-1.s3" }), { kind: "free", reason: "gateway endpoints (S3, DynamoDB) have no charge" });
        });
    });

    describe("NAT gateway and Elastic IP (real preview children)", () => {
        it("prices a NAT gateway's hours and data", () => {
            // 32.85 + 10 GB × 0.045 = 0.45
            assertComponents(priceOne("aws:ec2/natGateway:NatGateway", {}, { natGatewayDataProcessedGb: 10 }), { "NAT gateway": 32.85, "Data processed": 0.45 }, 33.3);
        });
        it("prices an Elastic IP as a public IPv4 address", () => {
            assertComponents(priceOne("aws:ec2/eip:Eip", { domain: "vpc" }), { "Public IPv4 address": 3.65 }, 3.65);
        });
    });

    describe("aws:kinesis/stream:Stream", () => {
        const type = "aws:kinesis/stream:Stream";
        it("prices an on-demand stream's hours, ingest and retrieval", () => {
            // 730 × 0.04 = 29.20; 100 GB × 0.08 = 8.00; 200 GB × 0.04 = 8.00
            const r = priceOne(type, { streamModeDetails: { streamMode: "ON_DEMAND" }, retentionPeriod: 24 }, { monthlyDataInGb: 100, monthlyDataOutGb: 200 });
            assertComponents(r, { "Stream (on-demand)": 29.2, "Data ingested": 8, "Data retrieval": 8 }, 45.2);
            assert.ok(!r.components.some((c) => c.name.startsWith("Extended")), "no extended retention at 24 h");
        });
        it("prices provisioned shard-hours, extended retention per shard-hour, and PUT units", () => {
            // 2 × 730 × 0.015 = 21.90; 2 × 730 × 0.02 = 29.20; 10 M units × 0.014 = 0.14
            const r = priceOne(type, { streamModeDetails: { streamMode: "PROVISIONED" }, shardCount: 2, retentionPeriod: 48 }, { monthlyPutUnitsMillions: 10 });
            assertComponents(r, { "Shards (2)": 21.9, "Extended retention": 29.2, "PUT payload units": 0.14 }, 51.24);
        });
        it("adds long-term retention as usage beyond 7 days", () => {
            const r = priceOne(type, { streamModeDetails: { streamMode: "ON_DEMAND" }, retentionPeriod: 720 }, { longTermRetentionGb: 100 });
            // 100 GB × 0.023 = 2.30
            assertComponents(r, { "Long term retention": 2.3, "Extended retention": null }, 31.5);
        });
    });

    describe("aws:msk/cluster:Cluster", () => {
        const type = "aws:msk/cluster:Cluster";
        const inputs = { numberOfBrokerNodes: 3, brokerNodeGroupInfo: { instanceType: "kafka.m5.large", storageInfo: { ebsStorageInfo: { volumeSize: 500 } } } };
        it("prices broker-hours by instance type and the declared storage", () => {
            // 3 × 730 × 0.21 = 459.90; 3 × 500 GB × 0.10 = 150.00
            const r = priceOne(type, inputs);
            assertComponents(r, { "Broker instances (3 × kafka.m5.large)": 459.9, "Storage (3 × 500 GB)": 150 }, 609.9);
            assert.ok(r.components.every((c) => !c.usageBased));
        });
        it("prices storage grown by autoscaling from usage", () => {
            // 3 × 800 GB × 0.10 = 240.00 (usage-based)
            const r = priceOne(type, inputs, { storageGbPerBroker: 800 });
            assertComponents(r, { "Storage (3 × 800 GB, autoscaled)": 240 }, 699.9);
            assert.strictEqual(r.components[1].usageBased, true);
        });
        it("prices enhanced monitoring above DEFAULT as CloudWatch metrics", () => {
            // PER_BROKER: 3 brokers × 40 = 120 metrics × 0.30 = 36.00
            assertComponents(priceOne(type, { ...inputs, enhancedMonitoring: "PER_BROKER" }), { "Enhanced monitoring (PER_BROKER: 120 CloudWatch metrics)": 36 }, 645.9);
            // PER_TOPIC_PER_BROKER with 2 topics: 3 × (40 + 2 × 5) = 150 metrics × 0.30 = 45.00
            assertComponents(priceOne(type, { ...inputs, enhancedMonitoring: "PER_TOPIC_PER_BROKER" }, { topics: 2 }), { "Enhanced monitoring (PER_TOPIC_PER_BROKER: 150": 45 }, 654.9);
            // PER_TOPIC_PER_PARTITION adds 2 lag metrics per consumer group partition: 150 + 12 × 2 = 174 × 0.30 = 52.20
            assertComponents(priceOne(type, { ...inputs, enhancedMonitoring: "PER_TOPIC_PER_PARTITION" }, { topics: 2, consumerGroupPartitions: 12 }), { "Enhanced monitoring (PER_TOPIC_PER_PARTITION: 174": 52.2 }, 662.1);
            // a count read from CloudWatch replaces the estimate: 90 × 0.30 = 27.00
            assertComponents(priceOne(type, { ...inputs, enhancedMonitoring: "PER_BROKER" }, { enhancedMonitoringMetrics: 90 }), { "Enhanced monitoring (PER_BROKER: 90": 27 }, 636.9);
        });
        it("counts the stack's declared topics for per-topic metrics when usage gives none", () => {
            const topics = [resource("aws:msk/topic:Topic", {}, "orders"), resource("aws:msk/topic:Topic", {}, "customers"), resource("aws:msk/topic:Topic", {}, "stores")];
            // 3 × (40 + 3 × 5) = 165 metrics × 0.30 = 49.50
            assertComponents(priceOne(type, { ...inputs, enhancedMonitoring: "PER_TOPIC_PER_BROKER" }, {}, topics), { "Enhanced monitoring (PER_TOPIC_PER_BROKER: 165": 49.5 }, 659.4);
        });
        it("adds nothing at the free DEFAULT level and names an unknown level", () => {
            assert.ok(!priceOne(type, { ...inputs, enhancedMonitoring: "DEFAULT" }).components.some((c) => c.name.startsWith("Enhanced")));
            const outcome = outcomeOf(type, { ...inputs, enhancedMonitoring: "PER_EVERYTHING" });
            assert.strictEqual(outcome.kind, "notPriced");
            assert.match(outcome.reason!, /enhancedMonitoring PER_EVERYTHING is none of DEFAULT, PER_BROKER/);
        });
        it("lists a broker type without a price as not priced, naming the missing price", () => {
            const outcome = outcomeOf(type, { ...inputs, brokerNodeGroupInfo: { ...inputs.brokerNodeGroupInfo, instanceType: "kafka.x9.large" } });
            assert.strictEqual(outcome.kind, "notPriced");
            assert.match(outcome.reason!, /msk\.broker\.kafka\.x9\.large/);
        });
    });

    it("prices an MSK Serverless cluster's hours and partition-hours", () => {
        // 730 × 0.75 = 547.50; 12 × 730 × 0.0015 = 13.14
        assertComponents(priceOne("aws:msk/serverlessCluster:ServerlessCluster", {}, { partitions: 12 }), { Cluster: 547.5, Partitions: 13.14 }, 560.64);
    });

    describe("Redshift", () => {
        it("prices provisioned RA3 node-hours, managed storage and Spectrum", () => {
            // 2 × 730 × 1.086 = 1585.56; 500 GB × 0.024 = 12.00; 1 TB × 5 = 5.00
            const r = priceOne("aws:redshift/cluster:Cluster", { nodeType: "ra3.xlplus", numberOfNodes: 2 }, { managedStorageGb: 500, spectrumScannedTb: 1 });
            assertComponents(r, { "Cluster nodes (2 × ra3.xlplus": 1585.56, "Managed storage": 12, Spectrum: 5 }, 1602.56);
        });
        it("prices DC2 nodes without managed storage", () => {
            // 2 × 730 × 0.25 = 365.00
            const r = priceOne("aws:redshift/cluster:Cluster", { nodeType: "dc2.large", numberOfNodes: 2 });
            assertComponents(r, { "Cluster nodes (2 × dc2.large": 365 }, 365);
            assert.ok(!r.components.some((c) => c.name.startsWith("Managed storage")));
        });
        it("bills a Multi-AZ cluster's nodes twice", () => {
            // 2 × 2 × 730 × 1.086 = 3,171.12
            assertComponents(priceOne("aws:redshift/cluster:Cluster", { nodeType: "ra3.xlplus", numberOfNodes: 2, multiAz: true }), { "Cluster nodes (2 × ra3.xlplus in 2 AZs (Multi-AZ)": 3171.12 }, 3171.12);
        });
        it("prices serverless compute from active hours at the base capacity", () => {
            // 2 h/day × 8 RPU × 730/24 days = 486.67 RPU-hours × 0.375 = 182.50
            assertComponents(priceOne("aws:redshiftserverless/workgroup:Workgroup", { baseCapacity: 8, maxCapacity: 32 }, { activeHoursPerDay: 2 }), { "Compute (base 8 RPU)": 182.5 }, 182.5);
        });
        it("prices serverless compute from RPU-hours given directly", () => {
            // 100 × 0.375 = 37.50
            assertComponents(priceOne("aws:redshiftserverless/workgroup:Workgroup", { baseCapacity: 8 }, { monthlyRpuHours: 100, activeHoursPerDay: 5 }), { Compute: 37.5 }, 37.5);
        });
        it("shows the serverless compute unit price without usage", () => {
            const r = priceOne("aws:redshiftserverless/workgroup:Workgroup", { baseCapacity: 8 });
            assert.strictEqual(r.components[0].quantity, null);
            assert.strictEqual(r.components[0].unitPrice, 0.375);
        });
        it("states the ceiling a usage limit puts on serverless compute", () => {
            // 16 RPU-h/day × 730/24 = 486.67 RPU-h × 0.375 = 182.50
            const outcome = outcomeOf("aws:redshiftserverless/usageLimit:UsageLimit", { usageType: "serverless-compute", amount: 16, period: "daily", breachAction: "deactivate" });
            assert.strictEqual(outcome.kind, "free");
            assert.match(outcome.reason!, /\$182\.50 a month/);
        });
        it("prices a serverless namespace's managed storage", () => {
            assertComponents(priceOne("aws:redshiftserverless/namespace:Namespace", {}, { managedStorageGb: 100 }), { "Managed storage": 2.4 }, 2.4);
        });
        it("prices snapshots beyond the free allowance and the managed admin secret", () => {
            // 2 × 730 × 0.25 = 365.00; 200 GB × 0.024 = 4.80; the managed secret 0.40
            const cluster = priceOne("aws:redshift/cluster:Cluster", { nodeType: "dc2.large", numberOfNodes: 2, manageMasterPassword: true }, { backupStorageGb: 200 });
            assertComponents(cluster, { "Snapshot storage beyond the free allowance": 4.8, "Managed admin password (Secrets Manager secret)": 0.4 }, 370.2);
            // 100 GB × 0.024 = 2.40; 50 GB of snapshots × 0.024 = 1.20; the managed secret 0.40
            const namespace = priceOne("aws:redshiftserverless/namespace:Namespace", { manageAdminPassword: true }, { managedStorageGb: 100, backupStorageGb: 50 });
            assertComponents(namespace, { "Managed storage": 2.4, "Snapshot storage": 1.2, "Managed admin password": 0.4 }, 4.0);
            // a password the stack manages itself adds no secret here
            assert.ok(!priceOne("aws:redshift/cluster:Cluster", { nodeType: "dc2.large", numberOfNodes: 2 }).components.some((c) => c.name.startsWith("Managed admin")));
        });
    });

    describe("aws:lambda/function:Function", () => {
        const type = "aws:lambda/function:Function";
        it("prices requests and x86 GB-seconds", () => {
            // 6 M × 0.20 = 1.20; 6e6 × 0.4 s × 1 GB = 2.4e6 GB-s × 0.0000166667 = 40.00
            assertComponents(priceOne(type, { memorySize: 1024 }, { monthlyRequests: 6e6, requestDurationMs: 400 }), { Requests: 1.2, "Duration (1024 MB, x86_64) (first 6B)": 40.0 }, 41.2);
        });
        it("prices arm64 GB-seconds at the arm rate", () => {
            // 2.4e6 GB-s × 0.0000133334 = 32.00
            assertComponents(priceOne(type, { memorySize: 1024, architectures: ["arm64"] }, { monthlyRequests: 6e6, requestDurationMs: 400 }), { "Duration (1024 MB, arm64) (first 7.5B)": 32.0 }, 33.2);
        });
        it("splits GB-seconds across the price tiers", () => {
            // 1e9 requests × 1 s × 10 GB = 1e10 GB-s: 6e9 × 0.0000166667 = 100,000.20; 4e9 × 0.000015 = 60,000; requests 1,000 M × 0.20 = 200
            const r = priceOne(type, { memorySize: 10240 }, { monthlyRequests: 1e9, requestDurationMs: 1000 });
            assertComponents(r, { "Duration (10240 MB, x86_64) (first 6B)": 100000.2, "Duration (10240 MB, x86_64) (next 9B)": 60000 }, 160200.2);
        });
        it("adds ephemeral storage above the free 512 MB", () => {
            // 2.4e6 s × 2 GB = 4.8e6 GB-s × 0.0000000309 = 0.14832
            const r = priceOne(type, { memorySize: 1024, ephemeralStorage: { size: 2560 } }, { monthlyRequests: 6e6, requestDurationMs: 400 });
            assertComponents(r, { "Ephemeral storage": 0.14832 }, 41.34832);
        });
        it("defaults to 128 MB and shows unit prices without usage", () => {
            const r = priceOne(type, {});
            assert.match(r.components[1].name, /128 MB/);
            assert.deepStrictEqual(r.components.map((c) => c.quantity), [null, null]);
        });
    });

    describe("aws:lambda/eventSourceMapping:EventSourceMapping", () => {
        it("is free in on-demand mode", () => {
            assert.strictEqual(outcomeOf("aws:lambda/eventSourceMapping:EventSourceMapping", { batchSize: 100 }).kind, "free");
        });
        it("prices provisioned mode's minimum pollers all month, at least one Event Poller Unit", () => {
            // 1 × 730 × 0.185 = 135.05; no usage: scaling above the minimum shows its unit price
            const r = priceOne("aws:lambda/eventSourceMapping:EventSourceMapping", { provisionedPollerConfig: { minimumPollers: 1, maximumPollers: 10 } });
            assertComponents(r, { "Event poller units (provisioned minimum 1)": 135.05, "Event poller units above the minimum (up to 10)": null }, 135.05);
            assert.strictEqual(r.components[0].usageBased, false);
        });
        it("adds the average EPUs above the minimum from usage, capped at the maximum", () => {
            // minimum 2: 2 × 730 × 0.185 = 270.10; average 3.5 → 1.5 above: 1.5 × 730 × 0.185 = 202.575
            const type = "aws:lambda/eventSourceMapping:EventSourceMapping";
            assertComponents(priceOne(type, { provisionedPollerConfig: { minimumPollers: 2, maximumPollers: 4 } }, { averageEventPollerUnits: 3.5 }), { "Event poller units (provisioned minimum 2)": 270.1, "Event poller units above": 202.575 }, 472.675);
            // an average above the maximum counts the maximum: (4 - 2) × 730 × 0.185 = 270.10
            assertComponents(priceOne(type, { provisionedPollerConfig: { minimumPollers: 2, maximumPollers: 4 } }, { averageEventPollerUnits: 9 }), { "Event poller units above": 270.1 }, 540.2);
        });
    });

    describe("EMR", () => {
        it("prices EMR Serverless vCPU and memory hours at the x86 rate", () => {
            // 1000 × 0.052624 = 52.624; 4000 × 0.0057785 = 23.114
            assertComponents(priceOne("aws:emrserverless/application:Application", { type: "spark" }, { monthlyVcpuHours: 1000, monthlyMemoryGbHours: 4000 }), { "Worker vCPU (x86_64)": 52.624, "Worker memory": 23.114 }, 75.738);
        });
        it("prices EMR Serverless on ARM64 at the Graviton rate", () => {
            // 1000 × 0.042094 = 42.094; 4000 × 0.004628 = 18.512
            assertComponents(priceOne("aws:emrserverless/application:Application", { architecture: "ARM64" }, { monthlyVcpuHours: 1000, monthlyMemoryGbHours: 4000 }), { "Worker vCPU (ARM64)": 42.094 }, 60.606);
        });
        it("prices an always-on cluster's instance groups: EC2, the EMR fee and EBS, all month", () => {
            const ebs = [{ size: 32, type: "gp2", volumesPerInstance: 2 }];
            const r = priceOne("aws:emr/cluster:Cluster", {
                masterInstanceGroup: { instanceType: "m5.xlarge", instanceCount: 1, ebsConfigs: ebs },
                coreInstanceGroup: { instanceType: "m5.xlarge", instanceCount: 2, ebsConfigs: ebs },
            });
            // primary: 730 × 0.192 = 140.16; 730 × 0.048 = 35.04; 64 GB × 0.10 = 6.40
            // core: 2 × 730 × 0.192 = 280.32; 2 × 730 × 0.048 = 70.08; 128 GB × 0.10 = 12.80
            assertComponents(r, { "Primary EC2": 140.16, "Primary EMR fee": 35.04, "Primary EBS": 6.4, "Core EC2": 280.32, "Core EMR fee": 70.08, "Core EBS": 12.8 }, 544.8);
            assert.ok(r.components.every((c) => !c.usageBased));
        });
        it("prices an auto-terminating cluster's instance fleets for the hours usage gives", () => {
            const fleet = (n: number) => ({ instanceTypeConfigs: [{ instanceType: "m5.xlarge" }], targetOnDemandCapacity: n });
            const r = priceOne("aws:emr/cluster:Cluster", { autoTerminationPolicy: { idleTimeout: 1800 }, masterInstanceFleet: fleet(1), coreInstanceFleet: fleet(2) }, { monthlyHours: 100 });
            // 3 instances × 100 h × (0.192 + 0.048) = 72.00
            assertComponents(r, { "Primary EC2": 19.2, "Core EC2 (2 × m5.xlarge, on-demand)": 38.4, "Core EMR fee": 9.6 }, 72);
            assert.ok(r.components.every((c) => c.usageBased));
        });
        it("prices Spot core capacity at the assumed Spot fraction of on-demand", () => {
            const r = priceOne("aws:emr/cluster:Cluster", { coreInstanceFleet: { instanceTypeConfigs: [{ instanceType: "m5.xlarge" }], targetSpotCapacity: 2 } });
            // 2 × 730 × 0.192 × 0.4 = 112.128; fee 2 × 730 × 0.048 = 70.08
            assertComponents(r, { "Core EC2 (2 × m5.xlarge, Spot)": 112.128, "Core EMR fee": 70.08 }, 182.208);
        });
        it("prices Spot task nodes from instance-hours usage", () => {
            // 500 h × 0.192 × 0.4 = 38.40; 500 × 0.048 = 24.00
            const r = priceOne("aws:emr/instanceFleet:InstanceFleet", { instanceTypeConfigs: [{ instanceType: "m5.xlarge" }], targetSpotCapacity: 0 }, { monthlyInstanceHours: 500 });
            assertComponents(r, { "Task EC2 (m5.xlarge, Spot)": 38.4, "Task EMR fee": 24 }, 62.4);
        });
        it("prices a declared task instance group all month without usage", () => {
            // 2 × 730 × (0.154 + 0.0385) = 281.05
            assertComponents(priceOne("aws:emr/instanceGroup:InstanceGroup", { instanceType: "m6g.xlarge", instanceCount: 2 }), { "Task EC2": 224.84, "Task EMR fee": 56.21 }, 281.05);
        });
    });

    describe("Glue", () => {
        const job = { workerType: "G.2X", numberOfWorkers: 5, glueVersion: "5.0" };
        it("prices a Spark job's DPU-hours: runs × minutes × workers × the worker type's DPUs", () => {
            // 300 runs × 6 min = 30 h; × 5 workers × 2 DPU = 300 DPU-hours × 0.44 = 132.00
            assertComponents(priceOne("aws:glue/job:Job", job, { monthlyRuns: 300, averageRunMinutes: 6 }), { "Spark DPU-hours (5 × G.2X = 10 DPU)": 132 }, 132);
        });
        it("bills every run at least one minute", () => {
            // 600 runs × 1 min (20 s billed as 60 s) = 10 h × 10 DPU = 100 DPU-hours × 0.44 = 44.00
            assertComponents(priceOne("aws:glue/job:Job", job, { monthlyRuns: 600, averageRunMinutes: 1 / 3 }), { "Spark DPU-hours": 44 }, 44);
        });
        it("prices the flexible execution class at its own rate", () => {
            // 30 h × 10 DPU = 300 DPU-hours × 0.29 = 87.00
            assertComponents(priceOne("aws:glue/job:Job", { ...job, executionClass: "FLEX" }, { monthlyRuns: 300, averageRunMinutes: 6 }), { "Spark DPU-hours (5 × G.2X = 10 DPU, flex)": 87 }, 87);
        });
        it("shows the unit price without usage, and leaves a worker type without a DPU figure not priced", () => {
            assertComponents(priceOne("aws:glue/job:Job", job), { "Spark DPU-hours": null }, 0);
            assert.match(outcomeOf("aws:glue/job:Job", { workerType: "Z.9X", numberOfWorkers: 2 }).reason!, /worker type Z.9X has no DPU figure/);
        });
        it("prices a crawler's DPU-hours with a ten-minute minimum per crawl", () => {
            // 30 crawls × 10 min (4 min billed as 10) × 2 DPU = 10 DPU-hours × 0.44 = 4.40
            assertComponents(priceOne("aws:glue/crawler:Crawler", { databaseName: "d" }, { monthlyCrawls: 30, averageCrawlMinutes: 4, crawlDpus: 2 }), { "Crawler DPU-hours": 4.4 }, 4.4);
        });
    });

    describe("aws:batch/computeEnvironment:ComputeEnvironment", () => {
        const type = "aws:batch/computeEnvironment:ComputeEnvironment";
        it("prices Fargate vCPU and memory hours", () => {
            // 50 × 0.04048 = 2.024; 100 × 0.004445 = 0.4445
            assertComponents(priceOne(type, { type: "MANAGED", computeResources: { type: "FARGATE", maxVcpus: 64 } }, { monthlyVcpuHours: 50, monthlyMemoryGbHours: 100 }), { "Fargate vCPU": 2.024, "Fargate memory": 0.4445 }, 2.4685);
        });
        it("prices Fargate Spot at the assumed fraction of Fargate", () => {
            // 2.4685 × 0.3 = 0.74055
            assertComponents(priceOne(type, { computeResources: { type: "FARGATE_SPOT", maxVcpus: 16 } }, { monthlyVcpuHours: 50, monthlyMemoryGbHours: 100 }), { "Fargate Spot vCPU": 0.6072 }, 0.74055);
        });
        it("does not price EC2-backed environments", () => {
            assert.strictEqual(outcomeOf(type, { computeResources: { type: "EC2", maxVcpus: 16 } }).kind, "notPriced");
        });
    });

    describe("storage", () => {
        it("prices S3 storage classes and requests", () => {
            // 100 × 0.023 = 2.30; 1100 × 0.0125 = 13.75; 6,000 k × 0.005 = 30.00; 6,500 k × 0.0004 = 2.60
            const r = priceOne("aws:s3/bucket:Bucket", {}, { standardStorageGb: 100, standardIaStorageGb: 1100, monthlyTier1Requests: 6e6, monthlyTier2Requests: 6.5e6 });
            assertComponents(r, { "Storage (Standard)": 2.3, "Storage (Standard-IA)": 13.75, "Storage (Glacier": null, "PUT, COPY": 30, "GET, SELECT": 2.6 }, 48.65);
        });
        it("prices noncurrent versions, lifecycle transitions and retrievals", () => {
            // noncurrent 100 GB × 0.023 = 2.30; 3,000 → IA: 3 × 0.01 = 0.03; 3,000 → Glacier IR: 3 × 0.02 = 0.06;
            // retrieval 20 GB × 0.01 = 0.20 (IA) and 10 GB × 0.03 = 0.30 (Glacier IR)
            const r = priceOne("aws:s3/bucket:Bucket", {}, { noncurrentStorageGb: 100, monthlyTransitionsToStandardIa: 3000, monthlyTransitionsToGlacierInstant: 3000, standardIaRetrievalGb: 20, glacierInstantRetrievalGb: 10 });
            assertComponents(
                r,
                { "Noncurrent versions (Standard)": 2.3, "Lifecycle transitions to Standard-IA": 0.03, "Lifecycle transitions to Glacier Instant Retrieval": 0.06, "Retrieval (Standard-IA)": 0.2, "Retrieval (Glacier Instant Retrieval)": 0.3 },
                2.89,
            );
        });
        it("prices the deprecated BucketV2 type like Bucket", () => {
            assertComponents(priceOne("aws:s3/bucketV2:BucketV2", {}, { standardStorageGb: 100 }), { "Storage (Standard)": 2.3 }, 2.3);
        });
        it("splits S3 Standard storage across its tiers", () => {
            // 51,200 × 0.023 = 1,177.60; 8,800 × 0.022 = 193.60
            const r = priceOne("aws:s3/bucket:Bucket", {}, { standardStorageGb: 60000 });
            assertComponents(r, { "Storage (Standard) (first 50TB)": 1177.6, "Storage (Standard) (next 450TB)": 193.6 }, 1371.2);
        });
        it("prices ECR image storage", () => {
            assertComponents(priceOne("aws:ecr/repository:Repository", {}, { storageGb: 2 }), { Storage: 0.2 }, 0.2);
        });
    });

    describe("keys and secrets", () => {
        it("prices a KMS key per month and its requests per 10k", () => {
            // 1.00 + 20 × 0.03 = 1.60
            assertComponents(priceOne("aws:kms/key:Key", {}, { monthlyRequests: 200000 }), { "Customer managed key": 1, Requests: 0.6 }, 1.6);
        });
        it("prices a Secrets Manager secret per month and its API calls", () => {
            assertComponents(priceOne("aws:secretsmanager/secret:Secret", {}, { monthlyRequests: 10000 }), { Secret: 0.4, "API requests": 0.05 }, 0.45);
        });
    });

    describe("CloudWatch", () => {
        const type = "aws:cloudwatch/metricAlarm:MetricAlarm";
        it("prices a plain alarm as one standard-resolution metric", () => {
            assertComponents(priceOne(type, { metricName: "Errors", period: 300 }), { "Standard resolution (1 alarm metric)": 0.1 }, 0.1);
        });
        it("prices a metric-math alarm per metric it reads", () => {
            const queries = [{ id: "a", metric: { metricName: "A", period: 300, stat: "Sum" } }, { id: "b", metric: { metricName: "B", period: 300, stat: "Sum" } }, { id: "e", expression: "a/b", returnData: true }];
            assertComponents(priceOne(type, { metricQueries: queries }), { "Standard resolution (2 alarm metrics)": 0.2 }, 0.2);
        });
        it("prices a high-resolution alarm at the higher rate", () => {
            assertComponents(priceOne(type, { metricName: "Lag", period: 10 }), { "High resolution": 0.3 }, 0.3);
        });
        it("prices an anomaly-detection alarm as three metrics", () => {
            const queries = [{ id: "m", metric: { metricName: "A", period: 300, stat: "Sum" } }, { id: "band", expression: "ANOMALY_DETECTION_BAND(m, 2)" }];
            assertComponents(priceOne(type, { metricQueries: queries, thresholdMetricId: "band" }), { "Standard resolution anomaly detection (3 alarm metrics)": 0.3 }, 0.3);
        });
        it("prices a dashboard per month", () => {
            assertComponents(priceOne("aws:cloudwatch/dashboard:Dashboard", { dashboardName: "d" }), { Dashboard: 3 }, 3);
        });
        it("prices log ingestion and storage", () => {
            // 6 × 0.50 = 3.00; 18 × 0.03 = 0.54
            assertComponents(priceOne("aws:cloudwatch/logGroup:LogGroup", { retentionInDays: 90 }, { monthlyDataIngestedGb: 6, storageGb: 18 }), { "Data ingested": 3, "Archival storage": 0.54, "Insights": null }, 3.54);
        });
    });

    describe("integration", () => {
        it("prices SQS requests in 64 KB chunks", () => {
            // 10 M requests × 2 chunks (100 KB) = 20 M × 0.40 = 8.00
            assertComponents(priceOne("aws:sqs/queue:Queue", {}, { monthlyRequests: 10e6, requestSizeKb: 100 }), { "Requests (standard)": 8 }, 8);
        });
        it("prices FIFO queues at the FIFO rate", () => {
            assertComponents(priceOne("aws:sqs/queue:Queue", { fifoQueue: true }, { monthlyRequests: 1e6 }), { "Requests (FIFO)": 0.5 }, 0.5);
        });
        it("prices STANDARD state machine transitions", () => {
            // 10,000 / 1,000 × 0.025 = 0.25
            assertComponents(priceOne("aws:sfn/stateMachine:StateMachine", { definition: "{}" }, { monthlyTransitions: 10000 }), { "Transitions (STANDARD)": 0.25 }, 0.25);
        });
        it("prices EXPRESS state machine requests and GB-hours", () => {
            // 1 M × 1.00 = 1.00; 1e6 × 1 s × 64 MB = 62,500 GB-s = 17.3611 GB-h × 0.060012 = 1.04188
            assertComponents(priceOne("aws:sfn/stateMachine:StateMachine", { type: "EXPRESS" }, { monthlyRequests: 1e6, workflowDurationMs: 1000 }), { "Requests (EXPRESS)": 1, "Duration (EXPRESS)": 1.04188 }, 2.04188);
        });
        it("counts a rate() schedule's invocations from its expression, as a fixed cost", () => {
            // 730 invocations × $1 per million = 0.00073
            const r = priceOne("aws:scheduler/schedule:Schedule", { scheduleExpression: "rate(1 hour)", flexibleTimeWindow: { mode: "OFF" } });
            assert.strictEqual(r.components[0].quantity, 730 / 1e6);
            assert.strictEqual(r.components[0].usageBased, false);
            assertMoney(r.monthly, 0.00073);
        });
        it("takes a cron() schedule's invocations from usage", () => {
            const r = priceOne("aws:scheduler/schedule:Schedule", { scheduleExpression: "cron(15 * * * ? *)" });
            assert.strictEqual(r.components[0].quantity, null);
            assert.strictEqual(r.components[0].usageBased, true);
        });
        it("prices SNS publish requests", () => {
            assertComponents(priceOne("aws:sns/topic:Topic", {}, { monthlyRequests: 1e6 }), { "API requests": 0.5 }, 0.5);
        });
    });

    describe("free and unknown types", () => {
        it("marks component resources and providers free as a logical grouping", () => {
            assert.deepStrictEqual(outcomeOf("platform:streaming:Streaming", {}), { kind: "free", reason: "logical grouping" });
            assert.deepStrictEqual(outcomeOf("pulumi:providers:aws", { region: "us-east-1" }), { kind: "free", reason: "logical grouping" });
        });
        it("lists a type without a rule as not priced, never as $0", () => {
            const outcome = outcomeOf("aws:rds/instance:Instance", { instanceClass: "db.t3.micro" });
            assert.strictEqual(outcome.kind, "notPriced");
            assert.match(outcome.reason!, /no cost rule for aws:rds\/instance:Instance/);
        });
        it("lists a resource whose required input is unknown in a preview as not priced", () => {
            const outcome = outcomeOf("aws:redshift/cluster:Cluster", { nodeType: unknown, numberOfNodes: 2 });
            assert.strictEqual(outcome.kind, "notPriced");
            assert.match(outcome.reason!, /nodeType is not known until the resource is created/);
        });
    });
});
