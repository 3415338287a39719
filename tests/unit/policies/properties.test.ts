import * as assert from "assert";
import * as fc from "fast-check";
import * as ipaddr from "ipaddr.js";
import { coversPublic, overlapsPublic, parseCidr, publicRanges } from "../../../policies/lib/cidr";
import { ConditionBlock, narrowsAction, narrowsCaller } from "../../../policies/lib/conditions";

/**
 * Properties of the pack's address-range and condition semantics, over generated inputs rather
 * than the handful of spellings a reviewer thinks of (issue 10: `0.0.0.0/1` + `128.0.0.0/1`,
 * `StringLike aws:PrincipalArn *`, ...).
 */

const runs = { numRuns: 300 };

/** A partition of 0.0.0.0/0 into prefixes, by splitting a random subset of blocks in half. */
function ipv4Partition(splits: readonly boolean[]): string[] {
    const blocks: { start: number; bits: number }[] = [{ start: 0, bits: 0 }];
    const out: string[] = [];
    let i = 0;
    while (blocks.length > 0) {
        const block = blocks.pop()!;
        // Each flag is used once, so a partition has at most splits.length + 1 pieces.
        if (block.bits < 24 && (splits[i++] ?? false)) {
            const half = 2 ** (32 - block.bits - 1);
            blocks.push({ start: block.start, bits: block.bits + 1 }, { start: block.start + half, bits: block.bits + 1 });
        } else {
            out.push(`${ipaddr.fromByteArray([(block.start >>> 24) & 255, (block.start >>> 16) & 255, (block.start >>> 8) & 255, block.start & 255]).toString()}/${block.bits}`);
        }
    }
    return out;
}

const ipv4Address = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join("."));
const isPublicAddress = (address: string) => ipaddr.parse(address).range() === "unicast";

/** Condition keys that pin the caller when given a concrete value. */
const callerKeys = ["aws:PrincipalArn", "aws:PrincipalAccount", "aws:SourceArn", "aws:SourceAccount", "aws:PrincipalOrgID"];
const concreteValue: Record<string, string> = {
    "aws:PrincipalArn": "arn:aws:iam::123456789012:role/ingest",
    "aws:PrincipalAccount": "123456789012",
    "aws:SourceArn": "arn:aws:s3:::raw-bucket",
    "aws:SourceAccount": "123456789012",
    "aws:PrincipalOrgID": "o-abc123def4",
};
/** Values that match every value of the key: bare wildcards, and for ARN keys ARNs wildcarded in their service or account. */
const arnKeys = ["aws:PrincipalArn", "aws:SourceArn"];
const wildcardValue = (key: string) => fc.constantFrom("*", "**", "*?*", ...(arnKeys.includes(key) ? ["arn:aws:iam::*:role/ingest", "arn:*:iam::123456789012:role/x", "arn:aws:*:*:*:*"] : []));

describe("policy pack properties (fast-check)", () => {
    describe("address ranges", () => {
        it("any partition of the IPv4 space covers the public internet, and no longer does once a public piece is removed", () => {
            fc.assert(
                fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), fc.nat(), (splits, pick) => {
                    const pieces = ipv4Partition(splits);
                    const parsed = pieces.map((p) => parseCidr(p)!);
                    assert.ok(coversPublic(parsed, "ipv4"), `expected ${pieces.join(" + ")} to cover every public address`);
                    const publicPieces = parsed.filter(overlapsPublic);
                    const removed = publicPieces[pick % publicPieces.length]!;
                    assert.ok(!coversPublic(parsed.filter((p) => p !== removed), "ipv4"), `without ${removed.text} the union must leave public addresses out`);
                }),
                runs,
            );
        });

        it("a range holding a public address overlaps the public internet, and so does every wider range holding it", () => {
            fc.assert(
                fc.property(ipv4Address.filter(isPublicAddress), fc.integer({ min: 0, max: 32 }), (address, bits) => {
                    const network = ipaddr.IPv4.networkAddressFromCIDR(`${address}/${bits}`).toString();
                    assert.ok(overlapsPublic(parseCidr(`${network}/${bits}`)!), `${network}/${bits} holds ${address}`);
                    assert.deepStrictEqual(publicRanges([`${network}/${bits}`]), [`${network}/${bits}`]);
                }),
                runs,
            );
        });

        it("a range inside private, loopback or link-local space never counts as public", () => {
            const privateBase = fc.constantFrom(["10.0.0.0", 8], ["172.16.0.0", 12], ["192.168.0.0", 16], ["127.0.0.0", 8], ["169.254.0.0", 16]) as fc.Arbitrary<[string, number]>;
            fc.assert(
                fc.property(privateBase, fc.nat(), fc.integer({ min: 0, max: 16 }), ([base, bits], offset, extra) => {
                    const width = Math.min(32, bits + extra);
                    const start = (ipaddr.IPv4.parse(base).toByteArray().reduce((s, b) => s * 256 + b, 0) + (offset % 2 ** (32 - bits))) >>> 0;
                    const address = [(start >>> 24) & 255, (start >>> 16) & 255, (start >>> 8) & 255, start & 255].join(".");
                    const network = ipaddr.IPv4.networkAddressFromCIDR(`${address}/${width}`).toString();
                    assert.ok(!overlapsPublic(parseCidr(`${network}/${width}`)!), `${network}/${width} is not internet space`);
                }),
                runs,
            );
        });
    });

    describe("condition semantics", () => {
        it("one wildcard value among the values makes a caller condition narrow nothing (values are ORed)", () => {
            fc.assert(
                fc.property(
                    fc.constantFrom(...callerKeys).chain((key) => fc.tuple(fc.constant(key), wildcardValue(key))),
                    fc.constantFrom("StringLike", "ArnLike", "StringEquals", "ArnEquals"),
                    fc.boolean(),
                    ([key, wildcard], operator, first) => {
                    const values = first ? [wildcard, concreteValue[key]!] : [concreteValue[key]!, wildcard];
                    const condition: ConditionBlock = { [operator]: { [key]: values } };
                    assert.ok(!narrowsCaller(condition), `${JSON.stringify(condition)} admits every caller`);
                    },
                ),
                runs,
            );
        });

        it("a concrete caller value narrows, and adding any entry to a narrowing block keeps it narrowing (a block is a conjunction)", () => {
            const extra = fc.record({
                operator: fc.constantFrom("Bool", "StringEquals", "StringLike", "ForAllValues:StringEquals", "StringEqualsIfExists", "IpAddress", "Null"),
                key: fc.constantFrom("aws:SecureTransport", "aws:RequestedRegion", "aws:SourceIp", "aws:TagKeys", "kms:ViaService"),
                value: fc.constantFrom("true", "*", "0.0.0.0/0", "us-east-1", "s3.us-east-1.amazonaws.com"),
            });
            fc.assert(
                fc.property(fc.constantFrom(...callerKeys), fc.array(extra, { maxLength: 4 }), (key, extras) => {
                    const condition: ConditionBlock = { StringEquals: { [key]: concreteValue[key]! } };
                    for (const e of extras) {
                        condition[e.operator] = { ...(condition[e.operator] ?? {}), [e.key]: e.value };
                    }
                    assert.ok(narrowsCaller(condition), `${JSON.stringify(condition)} pins the caller through ${key}`);
                }),
                runs,
            );
        });

        it("ForAllValues, IfExists on a key a request may lack, Null, Bool and negated operators never pin the caller", () => {
            const weak = fc.constantFrom("ForAllValues:StringEquals", "StringEqualsIfExists", "ArnLikeIfExists", "Null", "Bool", "StringNotEquals", "ArnNotLike", "NotIpAddress");
            fc.assert(
                fc.property(weak, fc.constantFrom("aws:SourceArn", "aws:SourceAccount", "aws:PrincipalOrgID", "aws:SourceIp"), (operator, key) => {
                    const value = key === "aws:SourceIp" ? "10.0.0.0/8" : concreteValue[key]!;
                    const condition: ConditionBlock = { [operator]: { [key]: value } };
                    assert.ok(!narrowsCaller(condition), `${JSON.stringify(condition)} does not pin the caller`);
                }),
                runs,
            );
        });

        it("a source-address condition narrows exactly when its ranges leave some public address out", () => {
            fc.assert(
                fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }), fc.nat(), fc.boolean(), (splits, pick, dropOne) => {
                    const parsed = ipv4Partition(splits).map((p) => parseCidr(p)!);
                    const publicPieces = parsed.filter(overlapsPublic);
                    const removed = publicPieces[pick % publicPieces.length]!;
                    const ranges = dropOne ? parsed.filter((p) => p !== removed) : parsed;
                    fc.pre(ranges.length > 0);
                    const condition: ConditionBlock = { IpAddress: { "aws:SourceIp": ranges.map((r) => r.text) } };
                    assert.strictEqual(narrowsCaller(condition), dropOne, `${ranges.map((r) => r.text).join(", ")}`);
                }),
                runs,
            );
        });

        it("transport, time and region conditions never narrow what a risky action reaches", () => {
            const unrelated = fc.constantFrom<ConditionBlock>(
                { Bool: { "aws:SecureTransport": "true" } },
                { DateGreaterThan: { "aws:CurrentTime": "2026-01-01T00:00:00Z" } },
                { StringEquals: { "aws:RequestedRegion": "us-east-1" } },
                { Bool: { "aws:MultiFactorAuthPresent": "true" } },
            );
            fc.assert(
                fc.property(fc.constantFrom("iam:PassRole", "iam:AttachRolePolicy", "iam:PutRolePolicy", "s3:PutObject", "kms:Decrypt", "sts:AssumeRole"), unrelated, (action, condition) => {
                    assert.ok(!narrowsAction(condition, action), `${JSON.stringify(condition)} does not scope ${action}`);
                }),
                runs,
            );
        });
    });
});
