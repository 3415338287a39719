import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { estimateCost } from "../../../cost";
import { diffReports } from "../../../cost/diff";
import { parsePreviewDocument, PreviewDocumentError } from "../../../cost/preview";
import { assertMoney } from "./helpers";

const fixture = path.join(__dirname, "..", "..", "fixtures", "cost", "preview-prod.json");

function load() {
    return parsePreviewDocument(JSON.parse(fs.readFileSync(fixture, "utf8")), fixture);
}

describe("pricing a pulumi preview --json document", () => {
    it("reads the stack from the URNs and the region from the preview's config", () => {
        const preview = load();
        assert.strictEqual(preview.stack, "prod");
        assert.strictEqual(preview.region, "us-east-1");
    });

    it("classifies each resource's change: same, update, replace (three steps), create and delete", () => {
        const changes = Object.fromEntries([...load().changes].map(([urn, kind]) => [urn.slice(urn.lastIndexOf("::") + 2), kind]));
        assert.deepStrictEqual(changes, {
            aws: "same",
            "keys-lake": "same",
            network: "same",
            "network-1": "same",
            "streaming-cluster": "update",
            "warehouse-cluster": "replace",
            "network-kinesis-streams": "create",
            "network-states": "create",
            "observability-dashboard": "delete",
            "streaming-orders": "delete",
        });
    });

    it("ignores reads of data sources", () => {
        const preview = load();
        assert.ok(![...preview.baseline, ...preview.after].some((r) => r.type.includes("getAvailabilityZones")));
    });

    it("uses old states for the baseline and new states after the change", () => {
        const preview = load();
        const byName = (list: typeof preview.after, name: string) => list.filter((r) => r.name === name);
        assert.strictEqual(byName(preview.baseline, "streaming-cluster")[0].inputs.numberOfBrokerNodes, 3);
        assert.strictEqual(byName(preview.after, "streaming-cluster")[0].inputs.numberOfBrokerNodes, 6);
        assert.strictEqual(byName(preview.after, "warehouse-cluster").length, 1, "a replacement is one resource after the change");
        assert.strictEqual((byName(preview.after, "warehouse-cluster")[0].inputs as { nodeType: string }).nodeType, "ra3.xlplus");
        assert.strictEqual(byName(preview.after, "observability-dashboard").length, 0);
        assert.strictEqual(byName(preview.baseline, "network-kinesis-streams").length, 0);
    });

    it("prices the stack before and after the change and the change itself", () => {
        const preview = load();
        const options = { stack: preview.stack, region: preview.region };
        const before = estimateCost(preview.baseline, options);
        const after = estimateCost(preview.after, options);
        // before: key 1 + MSK (3 × 730 × 0.204 + 1500 × 0.10 = 596.76) + dc2 (365) + dashboard 3
        //         + Kinesis on demand 29.20 + NAT gateway 32.85 + its address 3.65 = 1,031.46
        assertMoney(before.monthly.total, 1031.46, "before");
        // after: key 1 + MSK (6 × 730 × 0.204 + 3000 × 0.10 = 1,193.52) + ra3.xlplus (1,585.56)
        //        + 2 endpoints × 21.90 + NAT 32.85 + 3.65 = 2,860.38
        assertMoney(after.monthly.total, 2860.38, "after");
        const change = diffReports(before, after);
        assertMoney(change.delta.total, 1828.92, "change");
        assert.strictEqual(change.percent, 177.31);
        assert.deepStrictEqual(
            change.resources.map((r) => [r.name, r.change]),
            [
                ["warehouse-cluster", "changed"],
                ["streaming-cluster", "changed"],
                ["streaming-orders", "removed"],
                ["network-kinesis-streams", "added"],
                ["network-states", "added"],
                ["observability-dashboard", "removed"],
            ],
        );
    });

    it("prices a real preview's NAT gateway children and treats the Vpc as their grouping", () => {
        const preview = load();
        const after = estimateCost(preview.after, { stack: "prod", region: "us-east-1" });
        assert.ok(after.free.some((r) => r.type === "awsx:ec2:Vpc" && /logical grouping/.test(r.reason)));
        assert.ok(after.resources.some((r) => r.type === "aws:ec2/natGateway:NatGateway"));
    });

    it("counts AZs from the VPC for an endpoint whose subnets are unknown in the preview", () => {
        const after = estimateCost(load().after, { stack: "prod", region: "us-east-1" });
        const endpoint = after.resources.find((r) => r.name === "network-states");
        assert.ok(endpoint, "network-states is priced");
        assert.match(endpoint.components[0].name, /3 AZs/);
    });

    it("warns when the document omits unchanged resources (no --show-sames)", () => {
        const doc = JSON.parse(fs.readFileSync(fixture, "utf8"));
        doc.steps = doc.steps.filter((s: { op: string }) => s.op !== "same");
        const preview = parsePreviewDocument(doc, "no-sames.json");
        assert.strictEqual(preview.warnings.length, 1);
        assert.match(preview.warnings[0], /--show-sames/);
    });

    it("rejects a document without steps, naming what it found and the fix", () => {
        assert.throws(() => parsePreviewDocument({ resources: [] }, "plan.json"), (err: Error) => err instanceof PreviewDocumentError && /found keys resources/.test(err.message) && /pulumi preview --json/.test(err.message));
    });

    it("rejects an operation it does not know", () => {
        assert.throws(() => parsePreviewDocument({ steps: [{ op: "teleport", urn: "urn:pulumi:prod::p::t::n" }] }, "x.json"), /steps\[0\]\.op: expected one of .*found "teleport"/);
    });
});
