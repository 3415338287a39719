import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { freeTierSummary } from "../../../cost/estimate";
import { loadPriceBook, PriceBook, PriceFile } from "../../../cost/prices";
import { assertMoney, estimate, resource } from "./helpers";

// The always-free allowances are reported beside the total, never subtracted from it. Values by hand
// from cost/prices/us-east-1.json.

describe("free tiers", () => {
    const file = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "..", "cost", "prices", "us-east-1.json"), "utf8")) as PriceFile;

    it("credits each allowance up to the stack's quantity, at the components' own prices, without changing the total", () => {
        const report = estimate(
            [resource("aws:lambda/function:Function", { memorySize: 1024 }, "fn"), resource("aws:sqs/queue:Queue", {}, "q"), resource("aws:cloudwatch/metricAlarm:MetricAlarm", { metricName: "Errors", namespace: "AWS/Lambda" }, "alarm")],
            { "aws:lambda/function:Function": { monthlyRequests: 6e6, requestDurationMs: 400 }, "aws:sqs/queue:Queue": { monthlyRequests: 500000 } },
        );
        const byId = Object.fromEntries(report.freeTiers.credits.map((c) => [c.id, c]));
        // Lambda: 6 M requests, 1 M free × 0.20 = 0.20; 2.4 M GB-s, 400,000 free × 0.0000166667 = 6.67
        assert.strictEqual(byId["lambda.requests"].used, 6);
        assert.strictEqual(byId["lambda.requests"].upTo, 0.2);
        assert.strictEqual(byId["lambda.compute"].upTo, 6.6667);
        // SQS: 0.5 M requests, all under the 1 M allowance: 0.5 × 0.40 = 0.20
        assert.strictEqual(byId["sqs.requests"].upTo, 0.2);
        // One standard alarm metric, under the 10 free: 0.10
        assert.strictEqual(byId["cloudwatch.alarms"].upTo, 0.1);
        assert.strictEqual(report.freeTiers.upTo, 7.1667);
        // The total is what AWS bills before any allowance: 1.20 + 40.00 + 0.20 + 0.10
        assertMoney(report.monthly.total, 41.5, "total before allowances");
    });

    it("lists only the allowances the stack uses", () => {
        const report = estimate([resource("aws:kms/key:Key", {}, "key")], { "aws:kms/key:Key": { monthlyRequests: 10000 } });
        // 1 × 10k requests of the 2 × 10k free: 0.03
        assert.deepStrictEqual(
            report.freeTiers.credits.map((c) => [c.id, c.used, c.upTo]),
            [["kms.requests", 1, 0.03]],
        );
    });

    it("cites a source for every allowance and names prices the file has, in their unit", () => {
        assert.ok(Object.keys(file.freeTiers ?? {}).length >= 8);
        for (const [id, tier] of Object.entries(file.freeTiers ?? {})) {
            assert.match(tier.source, /^https:\/\/aws\.amazon\.com\//, id);
            for (const priceId of tier.priceIds) {
                assert.strictEqual(file.prices[priceId].unit, tier.unit, `${id}: ${priceId}`);
            }
        }
        assert.strictEqual(freeTierSummary([], loadPriceBook("us-east-1")).upTo, 0);
    });

    it("refuses an allowance over a price the file does not have, or in another unit", () => {
        const bad: PriceFile = {
            ...file,
            freeTiers: { "x.requests": { priceIds: ["no.such.price"], allowance: 1, unit: "1M requests", asOf: "2026-12-06", source: "https://aws.amazon.com/x" }, "y.compute": { priceIds: ["lambda.requestsMillion"], allowance: 1, unit: "GB", asOf: "2026-12-06", source: "https://aws.amazon.com/y" } },
        };
        assert.throws(() => new PriceBook(bad), /freeTiers\.x\.requests\.priceIds: "no\.such\.price" is not a price in this file[\s\S]*freeTiers\.y\.compute\.unit: expected "1M requests" \(the unit of lambda\.requestsMillion\); found "GB"/);
    });
});
