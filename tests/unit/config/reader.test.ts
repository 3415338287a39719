import * as assert from "assert";
import { ConfigKey, ConfigReader } from "../../../infra/config/reader";
import { readArea } from "./helpers";

const keys: readonly ConfigKey[] = [
    { name: "region", type: "string", default: "north", example: "south", description: "A string." },
    { name: "count", type: "integer", default: 3, example: "5", description: "An integer." },
    { name: "enabled", type: "boolean", default: true, example: "false", description: "A boolean." },
    { name: "names", type: "array", default: ["a"], example: '["b"]', description: "A list." },
    { name: "required", type: "integer", example: "7", description: "An integer without a default." },
    { name: "token", type: "string", default: "", secret: true, example: "t0k3n", description: "A secret." },
];

describe("config reader", () => {
    it("gives each unset key its default, and 0 to a required integer", () => {
        const reader = readArea(keys);
        assert.deepStrictEqual([reader.str("region"), reader.int("count"), reader.bool("enabled"), reader.list("names"), reader.int("required"), reader.str("token")], ["north", 3, true, ["a"], 0, ""]);
        assert.deepStrictEqual(reader.problems, []);
    });

    it("parses each set value by its declared type, trimming integers", () => {
        const reader = readArea(keys, { region: "south", count: " 12 ", enabled: "false", names: '["x","y"]', required: "-4" });
        assert.deepStrictEqual([reader.str("region"), reader.int("count"), reader.bool("enabled"), reader.list("names"), reader.int("required")], ["south", 12, false, ["x", "y"], -4]);
        assert.deepStrictEqual(reader.problems, []);
    });

    it("tells whether the stack sets a key itself", () => {
        const reader = readArea(keys, { count: "3" });
        assert.deepStrictEqual([reader.isSet("count"), reader.isSet("region")], [true, false]);
    });

    it("reports values that do not parse as their type, then falls back to the default", () => {
        const reader = readArea(keys, { count: "3.5", enabled: "yes", names: '["x",1]' });
        assert.deepStrictEqual([reader.int("count"), reader.bool("enabled"), reader.list("names")], [3, true, ["a"]]);
        assert.deepStrictEqual(reader.problems, [
            { key: "platform:count", expected: "an integer", found: '"3.5"', fix: "pulumi config set platform:count 5" },
            { key: "platform:enabled", expected: "true or false", found: '"yes"', fix: "pulumi config set platform:enabled false" },
            { key: "platform:names", expected: "a list of strings", found: '"["x",1]"', fix: `pulumi config set platform:names '["b"]'` },
        ]);
    });

    it("reports a list that is not JSON", () => {
        const reader = readArea(keys, { names: "a,b" });
        assert.deepStrictEqual(reader.problems, [{ key: "platform:names", expected: "a list of strings", found: '"a,b"', fix: `pulumi config set platform:names '["b"]'` }]);
    });

    it("reports an undeclared key first, suggesting the declared key it is closest to", () => {
        const reader = readArea(keys, { count: "x", Counts: "3" });
        assert.deepStrictEqual(reader.problems, [
            { key: "platform:Counts", expected: "a key declared in Pulumi.yaml", found: "an unknown key", fix: "rename it to platform:count" },
            { key: "platform:count", expected: "an integer", found: '"x"', fix: "pulumi config set platform:count 5" },
        ]);
    });

    it("tells how to remove an undeclared key that resembles none, and ignores other namespaces", () => {
        const reader = readArea(keys, { somethingElseEntirely: "1" }, { extra: { "aws:region": "us-east-1", "other:key": "x" } });
        assert.deepStrictEqual(reader.problems, [{ key: "platform:somethingElseEntirely", expected: "a key declared in Pulumi.yaml", found: "an unknown key", fix: "remove it with pulumi config rm platform:somethingElseEntirely" }]);
    });

    it("reports a secret key set in plain text, and accepts it set with --secret or left empty", () => {
        assert.deepStrictEqual(readArea(keys, { token: "abc" }).problems, [
            { key: "platform:token", expected: "a secret value", found: "a plain-text value", fix: "remove it with pulumi config rm platform:token, then pulumi config set --secret platform:token t0k3n" },
        ]);
        assert.deepStrictEqual(readArea(keys, { token: "abc" }, { secretKeys: ["token"] }).problems, []);
        assert.deepStrictEqual(readArea(keys, { token: "" }).problems, []);
    });

    it("keeps a range's value and reports it when out of bounds", () => {
        const reader = readArea(keys, { count: "11" });
        assert.strictEqual(reader.range("count", 1, 10), 11);
        assert.deepStrictEqual(reader.problems, [{ key: "platform:count", expected: "an integer from 1 to 10", found: "11", fix: "pulumi config set platform:count 5" }]);
    });

    it("reports a count above the environment's capacity limit, and accepts one at the limit", () => {
        const reader = readArea(keys);
        reader.withinCapacity("count", 3, "mskBrokers", "dev");
        reader.withinCapacity("count", 4, "mskBrokers", "dev");
        reader.withinCapacity("count", 12, "mskBrokers", "prod");
        assert.deepStrictEqual(reader.problems, [{ key: "platform:count", expected: "at most 3 in dev", found: "4", fix: "pulumi config set platform:count 3" }]);
    });

    it("replaces a value outside a choice with the first choice, suggesting it in the fix", () => {
        const reader = readArea(keys, { region: "west" });
        assert.strictEqual(reader.oneOf("region", ["north", "south"]), "north");
        assert.deepStrictEqual(reader.problems, [{ key: "platform:region", expected: "one of north, south", found: '"west"', fix: "pulumi config set platform:region north" }]);
    });

    it("accepts rate and six-field cron schedules only", () => {
        for (const good of ["rate(1 minute)", "rate(5 minutes)", "rate(2 hours)", "rate(1 day)", "cron(0 12 * * ? *)"]) {
            const reader = readArea(keys, { region: good });
            reader.scheduleExpression("region", "cron(0 1 * * ? *)");
            assert.deepStrictEqual(reader.problems, [], good);
        }
        const reader = readArea(keys, { region: "rate(1 week)" });
        reader.scheduleExpression("region", "cron(0 1 * * ? *)");
        assert.deepStrictEqual(reader.problems, [{ key: "platform:region", expected: "an EventBridge schedule such as rate(1 hour) or cron(0 1 * * ? *)", found: '"rate(1 week)"', fix: "pulumi config set platform:region 'cron(0 1 * * ? *)'" }]);
    });

    it("refuses to read a key outside its table, naming where to declare it", () => {
        const reader = new ConfigReader({ project: "platform", stack: "dev", values: {}, secretKeys: new Set() }, keys);
        assert.throws(() => reader.int("missing"), /config key 'missing' is not in the key table this reader was given; add it to its area's key list in infra\/config/);
        assert.throws(() => reader.fail("missing", "x", 1), /config key 'missing' is not in the key table/);
    });
});
