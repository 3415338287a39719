import * as ipaddr from "ipaddr.js";

/**
 * Address ranges as sets, so that a rule or a condition is judged by the addresses it admits
 * rather than by its spelling: `0.0.0.0/1` plus `128.0.0.0/1` is the whole internet although
 * neither string is `0.0.0.0/0`. Parsing and the special-purpose ranges come from ipaddr.js.
 */

export type Family = "ipv4" | "ipv6";

/** Closed interval of addresses as integers. */
type Interval = readonly [bigint, bigint];

const widths: Record<Family, number> = { ipv4: 32, ipv6: 128 };

/**
 * Special-purpose ranges (ipaddr.js names) that are not reachable from the public internet.
 * IPv6 translation and tunnel ranges (IPv4-mapped, NAT64, 6to4, Teredo) are left out on purpose:
 * they carry public IPv4 addresses, so admitting them admits the internet.
 */
const nonPublicRangeNames: Record<Family, readonly string[]> = {
    ipv4: ["unspecified", "broadcast", "multicast", "linkLocal", "loopback", "carrierGradeNat", "private", "reserved"],
    ipv6: ["unspecified", "linkLocal", "multicast", "loopback", "uniqueLocal", "deprecatedSiteLocal", "discard", "benchmarking", "reserved", "deprecatedOrchid", "orchid2"],
};

export interface ParsedCidr {
    readonly text: string;
    readonly family: Family;
    readonly interval: Interval;
}

function toInteger(address: ipaddr.IPv4 | ipaddr.IPv6): bigint {
    return address.toByteArray().reduce((sum, byte) => (sum << 8n) | BigInt(byte), 0n);
}

function intervalOf(address: ipaddr.IPv4 | ipaddr.IPv6, bits: number, family: Family): Interval {
    const hostBits = BigInt(widths[family] - bits);
    const start = (toInteger(address) >> hostBits) << hostBits;
    return [start, start + (1n << hostBits) - 1n];
}

/** Parses `a.b.c.d/n` or an IPv6 prefix; a bare address is its own /32 or /128. `undefined` when it is neither. */
export function parseCidr(text: string): ParsedCidr | undefined {
    const trimmed = text.trim();
    try {
        if (trimmed.includes("/")) {
            const [address, bits] = ipaddr.parseCIDR(trimmed);
            const family: Family = address.kind() === "ipv4" ? "ipv4" : "ipv6";
            return { text, family, interval: intervalOf(address, bits, family) };
        }
        const address = ipaddr.parse(trimmed);
        const family: Family = address.kind() === "ipv4" ? "ipv4" : "ipv6";
        return { text, family, interval: intervalOf(address, widths[family], family) };
    } catch {
        return undefined;
    }
}

/** Sorted, merged union of intervals. */
function union(intervals: readonly Interval[]): Interval[] {
    const sorted = [...intervals].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const merged: [bigint, bigint][] = [];
    for (const [start, end] of sorted) {
        const last = merged[merged.length - 1];
        if (last && start <= last[1] + 1n) {
            last[1] = end > last[1] ? end : last[1];
        } else {
            merged.push([start, end]);
        }
    }
    return merged;
}

/** `set` minus `removed`; both merged. */
function subtract(set: readonly Interval[], removed: readonly Interval[]): Interval[] {
    let remaining: Interval[] = [...set];
    for (const [rStart, rEnd] of removed) {
        remaining = remaining.flatMap(([start, end]): Interval[] => {
            if (rEnd < start || rStart > end) {
                return [[start, end]];
            }
            const parts: Interval[] = [];
            if (rStart > start) {
                parts.push([start, rStart - 1n]);
            }
            if (rEnd < end) {
                parts.push([rEnd + 1n, end]);
            }
            return parts;
        });
    }
    return remaining;
}

const publicSpace: Record<Family, Interval[]> = (() => {
    const build = (family: Family, ranges: Record<string, [ipaddr.IPv4 | ipaddr.IPv6, number][] | [ipaddr.IPv4 | ipaddr.IPv6, number]>): Interval[] => {
        const special = nonPublicRangeNames[family].flatMap((name) => {
            const entry = ranges[name];
            if (!entry) {
                throw new Error(`ipaddr.js no longer defines the ${family} special range "${name}"; update nonPublicRangeNames in policies/lib/cidr.ts.`);
            }
            // ipaddr.js stores one range as [address, bits] and several as a list of those.
            const list = Array.isArray(entry[0]) ? (entry as [ipaddr.IPv4 | ipaddr.IPv6, number][]) : [entry as [ipaddr.IPv4 | ipaddr.IPv6, number]];
            return list.map(([address, bits]) => intervalOf(address, bits, family));
        });
        return subtract([[0n, (1n << BigInt(widths[family])) - 1n]], union(special));
    };
    return {
        ipv4: build("ipv4", (ipaddr.IPv4.prototype as unknown as { SpecialRanges: never }).SpecialRanges),
        ipv6: build("ipv6", (ipaddr.IPv6.prototype as unknown as { SpecialRanges: never }).SpecialRanges),
    };
})();

/** Does the range admit at least one public internet address? */
export function overlapsPublic(cidr: ParsedCidr): boolean {
    const [start, end] = cidr.interval;
    return publicSpace[cidr.family].some(([pStart, pEnd]) => start <= pEnd && end >= pStart);
}

/** Does the union of the ranges admit every public internet address of `family`? */
export function coversPublic(cidrs: readonly ParsedCidr[], family: Family): boolean {
    const covered = union(cidrs.filter((c) => c.family === family).map((c) => c.interval));
    return subtract(publicSpace[family], covered).length === 0;
}

/**
 * The ranges of a rule that admit the public internet, in the rule's spelling. A string that is
 * not a range at all counts as public: a guardrail must not pass what it cannot read.
 */
export function publicRanges(texts: readonly string[]): string[] {
    return texts.filter((text) => {
        const cidr = parseCidr(text);
        return cidr === undefined || overlapsPublic(cidr);
    });
}
