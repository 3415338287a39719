import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

// The pull-request workflow runs where nobody here can watch it, so its shape is checked here: the
// commands it calls exist, Node matches package.json, and only the cost review may write.

const root = path.join(__dirname, "..", "..", "..");
const workflow = yaml.load(fs.readFileSync(path.join(root, ".github", "workflows", "pull-request.yml"), "utf8")) as {
    permissions: Record<string, string>;
    jobs: Record<string, { permissions?: Record<string, string>; steps: { uses?: string; run?: string; with?: Record<string, unknown>; if?: string }[] }>;
};
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { engines: { node: string }; scripts: Record<string, string> };

describe("the pull-request workflow", () => {
    it("sets up the Node major version package.json requires in every job", () => {
        const required = Number(/\d+/.exec(pkg.engines.node)![0]);
        const versions = Object.values(workflow.jobs).flatMap((job) => job.steps.filter((s) => s.uses?.startsWith("actions/setup-node@")).map((s) => Number(s.with?.["node-version"])));
        assert.ok(versions.length >= 3, `setup-node steps: ${versions.length}`);
        assert.deepStrictEqual([...new Set(versions)], [required]);
    });

    it("prices base and head of both stacks and compares them with the cost command's own flags", () => {
        const job = workflow.jobs["cost-review"];
        assert.ok(job, "a cost-review job");
        const script = job.steps.map((s) => s.run ?? "").join("\n");
        assert.match(script, /for stack in dev prod/);
        assert.match(script, /cd base && npm run -s cost -- --stack "\$stack" --format json/);
        assert.match(script, /cd head && npm run -s cost -- --stack "\$stack" --compare "\.\.\/reports\/base-\$stack\.json" --format markdown/);
        assert.match(script, /GITHUB_STEP_SUMMARY/);
        // the advisor's top saving and table, per stack, on the head
        assert.match(script, /cd head && npm run -s cost -- --stack "\$stack" --advise --format markdown/);
        assert.ok(pkg.scripts.cost, "npm run cost exists");
        const checkouts = job.steps.filter((s) => s.uses?.startsWith("actions/checkout@"));
        assert.deepStrictEqual(checkouts.map((s) => s.with?.path), ["head", "base"]);
        assert.strictEqual(checkouts[1].with?.ref, "${{ github.event.pull_request.base.sha }}");
    });

    it("posts one comment per pull request, updated in place, and only from the repository's own branches", () => {
        const job = workflow.jobs["cost-review"];
        const comment = job.steps.find((s) => s.uses?.startsWith("marocchino/sticky-pull-request-comment@"));
        assert.ok(comment, "a sticky comment step");
        assert.strictEqual(comment.with?.header, "cost-review");
        assert.strictEqual(comment.with?.path, "reports/cost-comment.md");
        assert.match(comment.if ?? "", /head\.repo\.full_name == github\.repository/);
    });

    it("grants write access to pull requests in the cost review alone", () => {
        assert.deepStrictEqual(workflow.permissions, { contents: "read" });
        const writers = Object.entries(workflow.jobs).filter(([, job]) => Object.values(job.permissions ?? {}).includes("write"));
        assert.deepStrictEqual(
            writers.map(([name, job]) => [name, job.permissions]),
            [["cost-review", { contents: "read", "pull-requests": "write" }]],
        );
    });
});
