/**
 * Network config: the VPC block, its AZs, NAT strategy and interface endpoints, with the CIDR
 * parsing and subnet plan as pure functions, so the layout a stack gets is decided (and tested)
 * before anything is declared.
 */
import { Environment, interfaceEndpointServices } from "./catalog";
import { ConfigKey, ConfigReader } from "./reader";

export const networkKeys: readonly ConfigKey[] = [
    { name: "vpcCidr", type: "string", default: "10.20.0.0/16", example: "10.20.0.0/16", description: "IPv4 CIDR of the VPC, /16 to /22. Private subnets get a quarter each, public subnets a sixteenth." },
    { name: "availabilityZones", type: "integer", default: 2, example: "3", description: "Number of availability zones, 1 to 3. prod requires 3." },
    { name: "natGateways", type: "string", default: "Single", example: "OnePerAz", description: "NAT gateway strategy: None (private subnets reach AWS only through VPC endpoints), Single, or OnePerAz." },
    { name: "interfaceEndpoints", type: "array", default: ["kms", "logs", "monitoring", "sts", "sqs"], example: '["kms","logs","sts"]', description: "AWS services reached from private subnets through interface VPC endpoints (S3 always has a gateway endpoint). Service short names such as kms, logs, monitoring, sts, sqs, kinesis-streams, secretsmanager, glue, redshift-data." },
];

export type NatStrategy = "None" | "Single" | "OnePerAz";

export interface NetworkConfig {
    readonly cidr: string;
    readonly availabilityZones: number;
    readonly natGateways: NatStrategy;
    readonly interfaceEndpoints: readonly string[];
    readonly subnets: SubnetPlan;
}

/** The network as parsed: `subnets` is absent when the block cannot be laid out (a problem is then recorded). */
export type ParsedNetwork = Omit<NetworkConfig, "subnets"> & { readonly subnets?: SubnetPlan };

export function parseNetwork(reader: ConfigReader, environment: Environment): ParsedNetwork {
    const prod = environment === "prod";
    const availabilityZones = reader.range("availabilityZones", 1, 3);
    if (prod && availabilityZones !== 3) {
        reader.fail("availabilityZones", "3 in prod (high availability across three AZs)", availabilityZones, "pulumi config set platform:availabilityZones 3");
    }
    const natGateways = reader.oneOf<NatStrategy>("natGateways", ["None", "Single", "OnePerAz"]);
    if (prod && natGateways !== "OnePerAz") {
        reader.fail("natGateways", "OnePerAz in prod (an AZ outage must not cut the others off)", natGateways, "pulumi config set platform:natGateways OnePerAz");
    }
    const cidrText = reader.str("vpcCidr");
    let subnets: SubnetPlan | undefined;
    const cidr = parseCidr(cidrText);
    if (typeof cidr === "string") {
        reader.fail("vpcCidr", "an IPv4 CIDR block such as 10.20.0.0/16", cidrText, `pulumi config set platform:vpcCidr 10.20.0.0/16 (${cidr})`);
    } else {
        // An out-of-range AZ count is already reported above; lay out the nearest valid count so
        // the CIDR is still judged on its own.
        const plan = planSubnets(cidr, Math.min(Math.max(availabilityZones, 1), 3), natGateways !== "None");
        if (typeof plan === "string") {
            reader.fail("vpcCidr", "a block from /16 to /22 so every AZ gets a private subnet of at least /24", cidrText, `use a larger block, e.g. pulumi config set platform:vpcCidr ${cidr.base}/16 (${plan})`);
        } else {
            subnets = plan;
        }
    }
    const endpoints = reader.list("interfaceEndpoints");
    const unknownEndpoints = endpoints.filter((e) => !(e in interfaceEndpointServices));
    if (unknownEndpoints.length > 0) {
        reader.fail("interfaceEndpoints", `service short names from: ${Object.keys(interfaceEndpointServices).join(", ")}`, unknownEndpoints);
    }
    if (new Set(endpoints).size !== endpoints.length) {
        reader.fail("interfaceEndpoints", "each service once", endpoints);
    }
    return { cidr: cidrText, availabilityZones, natGateways, interfaceEndpoints: endpoints, ...(subnets ? { subnets } : {}) };
}

export interface Cidr {
    /** Dotted-quad network address. */
    readonly base: string;
    readonly prefix: number;
}

/** Parses `a.b.c.d/n`. Returns the reason as a string when the text is not a valid network. */
export function parseCidr(text: string): Cidr | string {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text.trim());
    if (!match) {
        return "not of the form a.b.c.d/n";
    }
    const octets = match.slice(1, 5).map(Number);
    const prefix = Number(match[5]);
    if (octets.some((o) => o > 255)) {
        return "an octet is above 255";
    }
    if (prefix > 32) {
        return "the prefix length is above 32";
    }
    const address = octets.reduce((acc, o) => acc * 256 + o, 0);
    const size = 2 ** (32 - prefix);
    if (address % size !== 0) {
        return `host bits are set; the network address is ${toDotted(address - (address % size))}/${prefix}`;
    }
    return { base: octets.join("."), prefix };
}

function toDotted(address: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

/** The awsx subnet specs for one AZ: private subnets hold everything, public ones only NAT gateways. */
export interface SubnetPlan {
    readonly privateMask: number;
    /** Absent when the stack has no NAT gateway and so no public subnets at all. */
    readonly publicMask?: number;
}

/** The smallest private subnet the platform accepts: Lambda ENIs, MSK brokers and Redshift need room. */
export const minimumPrivatePrefix = 24;

/**
 * Private subnets take a quarter of the VPC each (three AZs use three quarters), public subnets a
 * sixteenth each, so both fit for up to three AZs with room left. Returns the reason as a string
 * when the VPC is too small or too large.
 */
export function planSubnets(cidr: Cidr, availabilityZones: number, withPublicSubnets: boolean): SubnetPlan | string {
    if (availabilityZones < 1 || availabilityZones > 3) {
        return `${availabilityZones} AZs cannot be laid out; use 1 to 3`;
    }
    if (cidr.prefix < 16) {
        return `/${cidr.prefix} is larger than the /16 a VPC may have`;
    }
    const privateMask = cidr.prefix + 2;
    if (privateMask > minimumPrivatePrefix) {
        return `/${cidr.prefix} leaves private subnets of /${privateMask}, smaller than /${minimumPrivatePrefix}`;
    }
    return withPublicSubnets ? { privateMask, publicMask: cidr.prefix + 4 } : { privateMask };
}
