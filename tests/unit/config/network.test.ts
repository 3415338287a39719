import * as assert from "assert";
import { networkKeys, parseNetwork } from "../../../infra/config/network";
import { ConfigReader } from "../../../infra/config/reader";
import { parseClean, readArea, rejectsEach } from "./helpers";

const dev = (reader: ConfigReader) => parseNetwork(reader, "dev");
const prod = (reader: ConfigReader) => parseNetwork(reader, "prod");
const prodHa = { availabilityZones: "3", natGateways: "OnePerAz" };

describe("config area: network", () => {
    it("defaults to a /16 over two AZs with one NAT gateway and the common interface endpoints", () => {
        assert.deepStrictEqual(parseClean(networkKeys, dev), {
            cidr: "10.20.0.0/16",
            availabilityZones: 2,
            natGateways: "Single",
            interfaceEndpoints: ["kms", "logs", "monitoring", "sts", "sqs"],
            subnets: { privateMask: 18, publicMask: 20 },
        });
    });

    it("lays out private subnets only when there is no NAT gateway", () => {
        assert.deepStrictEqual(parseClean(networkKeys, dev, { natGateways: "None", vpcCidr: "10.40.0.0/20" }).subnets, { privateMask: 22 });
    });

    it("accepts prod with three AZs and a NAT gateway per AZ", () => {
        const parsed = parseClean(networkKeys, prod, { ...prodHa, interfaceEndpoints: '["ecr","ecr-dkr"]' });
        assert.strictEqual(parsed.natGateways, "OnePerAz");
        assert.deepStrictEqual(parsed.interfaceEndpoints, ["ecr", "ecr-dkr"]);
    });

    it("leaves the subnets out when the block cannot be laid out", () => {
        const reader = readArea(networkKeys, { vpcCidr: "10.20.0.0/24" });
        assert.ok(!("subnets" in parseNetwork(reader, "dev")));
        assert.strictEqual(reader.problems.length, 1);
    });

    rejectsEach(networkKeys, dev, [
        { title: "a malformed CIDR", values: { vpcCidr: "10.20.0/16" }, problem: { key: "platform:vpcCidr", expected: "an IPv4 CIDR block such as 10.20.0.0/16", found: '"10.20.0/16"', fix: "pulumi config set platform:vpcCidr 10.20.0.0/16 (not of the form a.b.c.d/n)" } },
        { title: "a CIDR with host bits set", values: { vpcCidr: "10.20.1.0/16" }, problem: { key: "platform:vpcCidr", expected: "an IPv4 CIDR block such as 10.20.0.0/16", found: '"10.20.1.0/16"', fix: "pulumi config set platform:vpcCidr 10.20.0.0/16 (host bits are set; the network address is 10.20.0.0/16)" } },
        { title: "a CIDR too small for the subnets", values: { vpcCidr: "10.20.0.0/24" }, problem: { key: "platform:vpcCidr", expected: "a block from /16 to /22 so every AZ gets a private subnet of at least /24", found: '"10.20.0.0/24"', fix: "use a larger block, e.g. pulumi config set platform:vpcCidr 10.20.0.0/16 (/24 leaves private subnets of /26, smaller than /24)" } },
        { title: "a CIDR larger than a VPC may be", values: { vpcCidr: "10.0.0.0/8" }, problem: { key: "platform:vpcCidr", expected: "a block from /16 to /22 so every AZ gets a private subnet of at least /24", found: '"10.0.0.0/8"', fix: "use a larger block, e.g. pulumi config set platform:vpcCidr 10.0.0.0/16 (/8 is larger than the /16 a VPC may have)" } },
        { title: "an AZ count above 3", values: { availabilityZones: "4" }, problem: { key: "platform:availabilityZones", expected: "an integer from 1 to 3", found: "4", fix: "pulumi config set platform:availabilityZones 3" } },
        { title: "an AZ count of 0", values: { availabilityZones: "0" }, problem: { key: "platform:availabilityZones", expected: "an integer from 1 to 3", found: "0", fix: "pulumi config set platform:availabilityZones 3" } },
        { title: "an AZ count that is not a number", values: { availabilityZones: "three" }, problem: { key: "platform:availabilityZones", expected: "an integer", found: '"three"', fix: "pulumi config set platform:availabilityZones 3" } },
        { title: "an unknown NAT strategy", values: { natGateways: "Two" }, problem: { key: "platform:natGateways", expected: "one of None, Single, OnePerAz", found: '"Two"', fix: "pulumi config set platform:natGateways None" } },
        { title: "an unknown interface endpoint", values: { interfaceEndpoints: '["kms","dynamo"]' }, problem: { key: "platform:interfaceEndpoints", expected: "service short names from: kms, logs, monitoring, sts, sqs, sns, kinesis-streams, secretsmanager, glue, redshift-data, emr-serverless, ecr, ecr-dkr, xray, lambda, states", found: '["dynamo"]', fix: `pulumi config set platform:interfaceEndpoints '["kms","logs","sts"]'` } },
        { title: "an interface endpoint listed twice", values: { interfaceEndpoints: '["kms","kms"]' }, problem: { key: "platform:interfaceEndpoints", expected: "each service once", found: '["kms","kms"]', fix: `pulumi config set platform:interfaceEndpoints '["kms","logs","sts"]'` } },
    ]);

    rejectsEach(networkKeys, prod, [
        { title: "prod with fewer than 3 AZs", values: { ...prodHa, availabilityZones: "2" }, problem: { key: "platform:availabilityZones", expected: "3 in prod (high availability across three AZs)", found: "2", fix: "pulumi config set platform:availabilityZones 3" } },
        { title: "prod with a single NAT gateway", values: { ...prodHa, natGateways: "Single" }, problem: { key: "platform:natGateways", expected: "OnePerAz in prod (an AZ outage must not cut the others off)", found: '"Single"', fix: "pulumi config set platform:natGateways OnePerAz" } },
    ]);
});
