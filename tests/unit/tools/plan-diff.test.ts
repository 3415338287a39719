import * as assert from "assert";
import { differences, withoutCheckoutPath } from "../../../tools/plan-diff";

describe("npm run plan-diff: differences between two plans", () => {
    it("finds none between equal plans", () => {
        assert.deepStrictEqual(differences({ "urn:a": { inputs: { x: [1, 2] } } }, { "urn:a": { inputs: { x: [1, 2] } } }), []);
    });

    it("names the URN and the path of a changed input, an added and a removed resource", () => {
        const before = { "urn:a": { inputs: { x: [1, 2] }, protect: false }, "urn:gone": { type: "t" } };
        const after = { "urn:a": { inputs: { x: [1, 3] }, protect: true }, "urn:new": { type: "t" } };
        assert.deepStrictEqual(differences(before, after), [
            "urn:a › inputs › x › 1: 2 → 3",
            "urn:a › protect: false → true",
            'urn:gone: {"type":"t"} → (absent)',
            'urn:new: (absent) → {"type":"t"}',
        ]);
    });

    it("writes paths inside the checkout relative to it, and leaves other paths and look-alike prefixes alone", () => {
        const inputs = { context: "/home/a/platform", dockerfile: "/home/a/platform/runtime/batch/Dockerfile", other: ["/home/a/platform-old/x", "/etc/hosts", 3] };
        assert.deepStrictEqual(withoutCheckoutPath(inputs, "/home/a/platform"), {
            context: "<project>",
            dockerfile: "<project>/runtime/batch/Dockerfile",
            other: ["/home/a/platform-old/x", "/etc/hosts", 3],
        });
    });
});
