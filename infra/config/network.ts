/**
 * CIDR parsing and the subnet plan: pure functions, so the layout a stack gets is decided (and
 * tested) before anything is declared.
 */

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
