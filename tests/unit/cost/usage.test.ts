import * as assert from "assert";
import { estimateCost, parseUsageDocument, usageFor, UsageFileError } from "../../../cost";
import { resource } from "./helpers";

describe("usage files", () => {
    it("accepts the documented shape", () => {
        const doc = parseUsageDocument({ version: 1, description: "x", resourceTypeDefaults: { "aws:sqs/queue:Queue": { monthlyRequests: 5 } }, resources: { q: { monthlyRequests: 7 } } }, "u.yaml");
        assert.strictEqual(doc.resources.q.monthlyRequests, 7);
    });

    it("reads the workload's records a second, and refuses one that is not a positive number", () => {
        assert.strictEqual(parseUsageDocument({ version: 1, recordsPerSecond: 200 }, "u.yaml").recordsPerSecond, 200);
        assert.strictEqual(parseUsageDocument({ version: 1 }, "u.yaml").recordsPerSecond, undefined);
        assert.throws(() => parseUsageDocument({ version: 1, recordsPerSecond: "fast" }, "u.yaml"), /u\.yaml is not a valid usage file:\n  - recordsPerSecond: expected a number > 0 \(the average records a second the figures assume\); found "fast"/);
    });

    it("lets a resource's entry (by URN, then name) override its type's defaults", () => {
        const doc = parseUsageDocument({ version: 1, resourceTypeDefaults: { T: { a: 1, b: 1 } }, resources: { n: { a: 2 }, "urn:x": { b: 3 } } }, "u.yaml");
        assert.deepStrictEqual(usageFor(doc, { urn: "urn:x", type: "T", name: "n" }), { a: 2, b: 3 });
        assert.deepStrictEqual(usageFor(doc, { urn: "urn:y", type: "T", name: "m" }), { a: 1, b: 1 });
    });

    it("names every problem: version, unknown sections, non-numbers and negatives", () => {
        assert.throws(
            () => parseUsageDocument({ version: 2, extra: 1, resources: { n: { a: "many", b: -1 } } }, "u.yaml"),
            (err: Error) =>
                err instanceof UsageFileError &&
                /version: expected 1; found 2/.test(err.message) &&
                /extra: expected one of version, description, recordsPerSecond, resourceTypeDefaults, resources/.test(err.message) &&
                /resources\.n\.a: expected a number >= 0; found "many"/.test(err.message) &&
                /resources\.n\.b: expected a number >= 0; found -1/.test(err.message),
        );
    });

    it("refuses a key the type's rule does not read, listing the keys it does", () => {
        const usage = parseUsageDocument({ version: 1, resourceTypeDefaults: { "aws:sqs/queue:Queue": { monthlyReqests: 5 } } }, "u.yaml");
        assert.throws(
            () => estimateCost([resource("aws:sqs/queue:Queue", {})], { stack: "t", region: "us-east-1", usage }),
            /resourceTypeDefaults\.aws:sqs\/queue:Queue\.monthlyReqests: expected one of monthlyRequests, requestSizeKb/,
        );
    });

    it("refuses usage for a type without a cost rule", () => {
        const usage = parseUsageDocument({ version: 1, resourceTypeDefaults: { "aws:iam/role:Role": { x: 1 } } }, "u.yaml");
        assert.throws(() => estimateCost([], { stack: "t", region: "us-east-1", usage }), /aws:iam\/role:Role has no cost rule/);
    });

    it("warns about usage for a resource the stack does not declare", () => {
        const usage = parseUsageDocument({ version: 1, resources: { "not-here": { monthlyRequests: 1 } } }, "u.yaml");
        const report = estimateCost([resource("aws:sqs/queue:Queue", {})], { stack: "t", region: "us-east-1", usage, usageSource: "u.yaml" });
        assert.deepStrictEqual(report.warnings, ['usage for "not-here" (u.yaml) matches no priced resource in this stack']);
    });

    it("applies a name entry to the priced resource among those sharing the name (a bucket and its configuration)", () => {
        const usage = parseUsageDocument({ version: 1, resources: { "lake-raw": { standardStorageGb: 100 } } }, "u.yaml");
        const report = estimateCost(
            [resource("aws:s3/bucket:Bucket", {}, "lake-raw"), resource("aws:s3/bucketPolicy:BucketPolicy", {}, "lake-raw")],
            { stack: "t", region: "us-east-1", usage },
        );
        assert.strictEqual(report.monthly.usage, 2.3);
    });

    it("without usage, prices usage components at $0 and keeps their unit price", () => {
        const report = estimateCost([resource("aws:sqs/queue:Queue", {})], { stack: "t", region: "us-east-1" });
        assert.strictEqual(report.usageSource, "none");
        assert.deepStrictEqual(report.resources[0].components.map((c) => [c.quantity, c.unitPrice, c.monthly]), [[null, 0.4, 0]]);
    });
});
