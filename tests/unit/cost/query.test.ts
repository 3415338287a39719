import * as assert from "assert";
import { assertComponents, outcomeOf, priceOne } from "./helpers";

// Golden values computed by hand from cost/prices/us-east-1.json.

describe("cost rules: Athena and CloudTrail (us-east-1 golden values)", () => {
    describe("aws:athena/workgroup:Workgroup", () => {
        const type = "aws:athena/workgroup:Workgroup";
        it("prices the data its queries scan per TB", () => {
            // 2 TB × $5.00 = $10.00
            assertComponents(priceOne(type, { name: "platform-prod-analysts" }, { monthlyScannedTb: 2 }), { "Data scanned": 10 }, 10);
        });
        it("adds nothing without usage, showing the unit price", () => {
            assertComponents(priceOne(type, { name: "platform-dev-pipeline" }), { "Data scanned": null }, 0);
        });
    });

    describe("aws:athena/namedQuery:NamedQuery", () => {
        it("is free: running it is priced on its workgroup", () => {
            assert.match(outcomeOf("aws:athena/namedQuery:NamedQuery", {}).reason!, /data scanned on its workgroup/);
        });
    });

    describe("aws:cloudtrail/trail:Trail", () => {
        const type = "aws:cloudtrail/trail:Trail";
        it("keeps the account's first copy of management events free and prices data events per 100,000", () => {
            // management events: first copy, no charge, no component; 15,000,000 data events = 150 × $0.10 = $15.00
            const r = priceOne(type, {}, { monthlyManagementEvents: 300_000, otherManagementTrails: 0, monthlyDataEvents: 15_000_000 });
            assertComponents(r, { "Data events": 15 }, 15);
            assert.deepStrictEqual(r.components.map((c) => c.name), ["Data events"]);
        });
        it("prices management events per 100,000 when another trail already records them", () => {
            // 300,000 = 3 × $2.00 = $6.00; 240,000 data events = 2.4 × $0.10 = $0.24
            assertComponents(priceOne(type, {}, { monthlyManagementEvents: 300_000, otherManagementTrails: 1, monthlyDataEvents: 240_000 }), { "Management events (additional copy)": 6, "Data events": 0.24 }, 6.24);
        });
    });

    describe("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", () => {
        it("is free: locked objects are storage on the bucket", () => {
            assert.strictEqual(outcomeOf("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", {}).kind, "free");
        });
    });
});
