import * as assert from "assert";
import { CheckovResult, compareVerdicts, parseKnownDisagreements, readCheckovReport } from "../../../tools/offline/checkov-compare";

const mapping = new Map([
    ["CKV_AWS_145", ["s3-bucket-default-encryption"]],
    ["CKV_AWS_26", ["sns-topic-cmk"]],
]);
const urnOf = new Map([
    ["aws_s3_bucket.logs", "urn:logs"],
    ["aws_s3_bucket.raw", "urn:raw"],
    ["aws_sns_topic.alarms", "urn:alarms"],
]);

describe("comparing Checkov with the pack (npm run checkov)", () => {
    it("reads passed and failed checks from Checkov's JSON report", () => {
        const report = { results: { passed_checks: [{ check_id: "CKV_AWS_26", resource_address: "aws_sns_topic.alarms" }], failed_checks: [{ check_id: "CKV_AWS_145", resource_address: "aws_s3_bucket.logs" }] } };
        assert.deepStrictEqual(readCheckovReport([report]), [
            { checkId: "CKV_AWS_26", address: "aws_sns_topic.alarms", result: "passed" },
            { checkId: "CKV_AWS_145", address: "aws_s3_bucket.logs", result: "failed" },
        ]);
        assert.throws(() => readCheckovReport({ summary: {} }), /expected an object with "results"/);
    });

    it("agrees, disagrees both ways, and allows a listed disagreement", () => {
        const checkov: CheckovResult[] = [
            { checkId: "CKV_AWS_145", address: "aws_s3_bucket.logs", result: "failed" }, // pack passes: listed below
            { checkId: "CKV_AWS_145", address: "aws_s3_bucket.raw", result: "passed" }, // pack fails: disagreement
            { checkId: "CKV_AWS_26", address: "aws_sns_topic.alarms", result: "failed" }, // pack fails too: agreement
            { checkId: "CKV_AWS_999", address: "aws_sns_topic.alarms", result: "failed" }, // not mapped: ignored
        ];
        const violations = [
            { policy: "s3-bucket-default-encryption", urn: "urn:raw" },
            { policy: "sns-topic-cmk", urn: "urn:alarms" },
        ];
        const known = [{ checkId: "CKV_AWS_145", address: "aws_s3_bucket.lo*", reason: "access logs must use SSE-S3" }];
        const result = compareVerdicts(checkov, violations, mapping, urnOf, known);
        assert.strictEqual(result.compared, 3);
        assert.strictEqual(result.agreed, 1);
        assert.deepStrictEqual(result.allowed.map((d) => d.address), ["aws_s3_bucket.logs"]);
        assert.deepStrictEqual(result.disagreements, [{ checkId: "CKV_AWS_145", address: "aws_s3_bucket.raw", checkov: "passed", pack: "failed", policies: ["s3-bucket-default-encryption"] }]);
        assert.deepStrictEqual(result.unusedKnown, []);
    });

    it("reports a listed disagreement that no longer occurs", () => {
        const known = [{ checkId: "CKV_AWS_26", address: "aws_sns_topic.alarms", reason: "no longer true, must be removed" }];
        const result = compareVerdicts([{ checkId: "CKV_AWS_26", address: "aws_sns_topic.alarms", result: "passed" }], [], mapping, urnOf, known);
        assert.strictEqual(result.agreed, 1);
        assert.deepStrictEqual(result.unusedKnown, known);
    });

    it("parses the README's list, and refuses an entry without a reason", () => {
        const readme = "# x\n\n### Known disagreements with Checkov\n\nText.\n\n- `CKV_AWS_145` `aws_s3_bucket.logs`: server access logs only accept SSE-S3 targets.\n\n## Next\n- `CKV_AWS_1` `a.b`: not in the section at all, ignored here.\n";
        assert.deepStrictEqual(parseKnownDisagreements(readme), [{ checkId: "CKV_AWS_145", address: "aws_s3_bucket.logs", reason: "server access logs only accept SSE-S3 targets." }]);
        assert.throws(() => parseKnownDisagreements("### Known disagreements with Checkov\n- `CKV_AWS_145` `aws_s3_bucket.logs`: short\n"), /reason of 20\+ characters/);
        assert.throws(() => parseKnownDisagreements("# nothing"), /expected a "### Known disagreements with Checkov" section/);
    });
});
