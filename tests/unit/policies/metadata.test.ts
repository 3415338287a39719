import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { Policy } from "@pulumi/policy";
import { checkovCatalogue } from "../../../policies/lib/checkov-catalogue";
import { checkovIds } from "../../../policies/lib/metadata";
import { packEnforcementLevel, policies, policiesByService } from "../../../policies/pack";
import { PolicyEngine, reconcileConfig } from "../../../policies/runner/engine";
import { loadPackConfig, packDirectory } from "../../../policies/runner/offline";
import { checkovCounts, checkovMapping, readmePath, renderReadme } from "../../../policies/runner/readme";
import { supportedKeywords, validateConfig } from "../../../policies/runner/schema";
import { taggableTypes, untaggableTypes } from "../../../policies/tagging";
import { sparkGlueVariant } from "../../../tools/checkov-catalogue";
import { projectRoot } from "../../../tools/offline/program";
import { stackRun, variantRun } from "../../helpers/stacks";

interface ApplicableChecks {
    readonly checkovVersion: string;
    readonly terraformTypes: string[];
    readonly checks: { id: string; name: string; resourceTypes: string[] }[];
}

/** policies/lib/checkov-applicable.json, written by `npm run checkov-catalogue` from Checkov's registry. */
function applicableChecks(): ApplicableChecks {
    return JSON.parse(fs.readFileSync(path.join(packDirectory, "lib", "checkov-applicable.json"), "utf8")) as ApplicableChecks;
}

/** The pack's metadata, configs, documentation and packaging. */

const severities = ["low", "medium", "high", "critical"];

/**
 * Metadata missing from policies this pack includes but does not own, reported to their owner.
 * Remove an entry once its policy carries the field (a test checks the gap still exists).
 */
const metadataGaps: Readonly<Record<string, { readonly field: "remediationSteps"; readonly owner: string }>> = {};

function isStack(p: Policy): boolean {
    return typeof (p as { validateStack?: unknown }).validateStack === "function";
}

function isResource(p: Policy): boolean {
    const v = (p as { validateResource?: unknown }).validateResource;
    return typeof v === "function" || (Array.isArray(v) && v.length > 0 && v.every((f) => typeof f === "function"));
}

function schemaKeywords(schema: unknown): string[] {
    if (schema === null || typeof schema !== "object") {
        return [];
    }
    const out: string[] = [];
    for (const [key, value] of Object.entries(schema)) {
        out.push(key);
        if (key === "properties" && value && typeof value === "object") {
            for (const sub of Object.values(value)) {
                out.push(...schemaKeywords(sub));
            }
        } else if ((key === "items" || key === "additionalProperties") && typeof value === "object") {
            out.push(...schemaKeywords(value));
        }
    }
    return out;
}

describe("policy pack metadata", () => {
    // Invariants rather than a total that every new policy changes; "every policy has a passing and
    // a failing case" is checked in policies.test.ts.
    it("names every policy uniquely", () => {
        const names = policies.map((p) => p.name);
        assert.deepStrictEqual(names.filter((name, i) => names.indexOf(name) !== i), []);
    });

    it("lists every policy of the pack under exactly one service, and nothing else", () => {
        const listed = Object.values(policiesByService).flat();
        assert.deepStrictEqual(listed.map((p) => p.name).sort(), policies.map((p) => p.name).sort());
    });

    for (const [service, list] of Object.entries(policiesByService)) {
        describe(`${service} policies`, () => {
            for (const p of list) {
                it(`${p.name} is well formed`, () => {
                    assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+){2,}$/, "kebab case <service>-<resource>-<check>");
                    assert.ok(p.name.startsWith(`${service}-`), `the name starts with its service "${service}"`);
                    assert.notStrictEqual(p.name, "all");
                    assert.match(p.description, /^Checks whether .+\.$/);
                    assert.ok(severities.includes(p.severity ?? ""), `severity is one of ${severities.join(", ")}`);
                    assert.strictEqual(p.enforcementLevel, "advisory", "stacks raise levels in their pack config");
                    if (metadataGaps[p.name]?.field !== "remediationSteps") {
                        assert.ok((p.remediationSteps ?? "").length > 20, "remediation steps say what to do");
                    }
                    assert.ok(isStack(p) !== isResource(p), "exactly one of validateStack and validateResource");
                    for (const id of checkovIds(p.framework)) {
                        assert.ok(
                            checkovCatalogue.some((e) => e.id === id),
                            `${id} is in the catalogue`,
                        );
                    }
                    if (p.framework) {
                        assert.strictEqual(p.framework.name, "Checkov");
                        assert.ok(p.framework.specification.length > 0);
                    }
                });

                if (p.configSchema) {
                    it(`${p.name}'s config schema documents each property and its defaults validate`, () => {
                        const schema = p.configSchema!;
                        assert.ok(!("enforcementLevel" in schema.properties) && !(schema.required ?? []).includes("enforcementLevel"));
                        for (const [key, property] of Object.entries(schema.properties)) {
                            assert.ok(typeof property === "object" && property.description, `${key} has a description`);
                        }
                        assert.deepStrictEqual(schemaKeywords(schema.properties).filter((k) => !supportedKeywords.has(k) && !Object.keys(schema.properties).includes(k)), []);
                        const defaults = Object.fromEntries(
                            Object.entries(schema.properties)
                                .filter(([, s]) => typeof s === "object" && "default" in s)
                                .map(([k, s]) => [k, (s as { default: unknown }).default]),
                        );
                        assert.deepStrictEqual(validateConfig(schema, defaults), []);
                    });
                }
            }
        });
    }

    it("the known metadata gaps of included policies still exist (remove an entry once fixed)", () => {
        for (const [name, gap] of Object.entries(metadataGaps)) {
            const p = policies.find((x) => x.name === name);
            assert.ok(p, `${name} is in the pack`);
            assert.ok(!p[gap.field], `${name} now has ${gap.field}: remove it from metadataGaps`);
        }
    });

    it("the pack defaults every policy to advisory", () => {
        assert.strictEqual(packEnforcementLevel, "advisory");
    });

    for (const stack of ["dev", "prod"]) {
        it(`config/${stack}.json reconciles against the pack's schemas and names only its policies`, () => {
            const config = loadPackConfig(stack);
            assert.ok(config, `policies/config/${stack}.json exists`);
            assert.doesNotThrow(() => new PolicyEngine(policies, { config }));
            const levels = reconcileConfig(policies, "advisory", config);
            assert.strictEqual(config!.all, "mandatory", "every policy blocks unless listed");
            const advisory = [...levels].filter(([, c]) => c.enforcementLevel !== "mandatory").map(([name]) => name);
            const readme = fs.readFileSync(readmePath, "utf8");
            const explained = readme.slice(readme.indexOf("### Advisory by choice"), readme.indexOf("### Mandatory violations waiting"));
            for (const name of advisory) {
                assert.ok(explained.includes(`\`${name}\``), `${name} is advisory in ${stack}; the README's "Advisory by choice" section must explain why`);
            }
        });
    }

    it("prod enforces every security and data-safety policy as mandatory", () => {
        const levels = reconcileConfig(policies, "advisory", loadPackConfig("prod"));
        const critical = policies.filter((p) => p.severity === "critical" || (p.tags ?? []).includes("data-protection") || ((p.tags ?? []).includes("security") && p.name !== "lambda-function-in-vpc" && p.name !== "ec2-subnet-no-public-ip-on-launch"));
        assert.deepStrictEqual(critical.filter((p) => levels.get(p.name)!.enforcementLevel !== "mandatory").map((p) => p.name), []);
    });

    it("the README's generated tables are up to date (npx ts-node --transpile-only policies/runner/readme.ts)", () => {
        const current = fs.readFileSync(readmePath, "utf8");
        assert.strictEqual(renderReadme(current, policies), current);
    });

    describe("Checkov catalogue", () => {
        it("lists each ID once", () => {
            assert.strictEqual(new Set(checkovCatalogue.map((e) => e.id)).size, checkovCatalogue.length);
        });

        it("treats as applicable exactly the checks Checkov's registry has for the types the program creates (npm run checkov-catalogue)", () => {
            const generated = applicableChecks();
            const derived = generated.checks.map((c) => c.id).sort();
            const claimed = checkovCatalogue.filter((e) => e.status !== "notCreated").map((e) => e.id).sort();
            assert.deepStrictEqual(
                { missingFromCatalogue: derived.filter((id) => !claimed.includes(id)), notInRegistry: claimed.filter((id) => !derived.includes(id)) },
                { missingFromCatalogue: [], notInRegistry: [] },
                `the catalogue must map or decline (with a reason) every check Checkov ${generated.checkovVersion} runs on these types, and call the others notCreated`,
            );
        });

        it("maps every applicable ID to a policy, except the ones declined with a reason", () => {
            const mapped = checkovMapping(policies);
            const unmapped = checkovCatalogue.filter((e) => e.status === "applicable" && !mapped.has(e.id)).map((e) => e.id);
            assert.deepStrictEqual(unmapped, []);
            for (const e of checkovCatalogue.filter((x) => x.status !== "applicable")) {
                assert.ok((e.reason ?? "").length > 20, `${e.id} explains why it is ${e.status}`);
            }
            for (const e of checkovCatalogue.filter((x) => x.status === "declined")) {
                assert.ok(!mapped.has(e.id), `${e.id} is declined, so no policy may claim it`);
            }
        });

        it("counts what the catalogue and the registry say, with every applicable ID mapped or declined", () => {
            const c = checkovCounts(policies);
            const derived = applicableChecks().checks.length;
            assert.strictEqual(c.applicable, derived);
            assert.strictEqual(c.applicableMapped + c.declined, derived);
            assert.strictEqual(c.total, checkovCatalogue.length);
            assert.strictEqual(c.applicable + c.notCreated, c.total);
        });

        it("the generated list is Checkov's output for the pinned release (regenerate after changing tools/services/checkov-requirements.txt)", () => {
            const generated = applicableChecks();
            const pinned = /^checkov==(\S+)$/m.exec(fs.readFileSync(path.join(projectRoot, "tools", "services", "checkov-requirements.txt"), "utf8"))?.[1];
            assert.strictEqual(generated.checkovVersion, pinned);
            assert.ok(generated.checks.every((ch) => ch.resourceTypes.every((t) => generated.terraformTypes.includes(t))), "every check is matched on a type the program creates");
        });
    });

    describe("taggable types", function () {
        this.timeout(240_000);

        it("every AWS type of the offline plans (and the config variants) is classified taggable or not", async () => {
            const runs = [await stackRun("dev"), await stackRun("prod"), await variantRun({ stack: "dev", overrides: { "platform:sparkMode": "cluster" } }), await variantRun(sparkGlueVariant)];
            const types = new Set(runs.flatMap((r) => r.resources.map((x) => x.type)).filter((t) => t.startsWith("aws:")));
            assert.deepStrictEqual([...types].filter((t) => !taggableTypes.includes(t) && !untaggableTypes.includes(t)).sort(), []);
            assert.deepStrictEqual(taggableTypes.filter((t) => untaggableTypes.includes(t)), []);
        });
    });

    describe("packaging", () => {
        const pack = JSON.parse(fs.readFileSync(path.join(packDirectory, "package.json"), "utf8"));
        const root = JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8"));

        it("package.json has a version and main index.ts, and the root's @pulumi versions", () => {
            assert.match(pack.version, /^\d+\.\d+\.\d+$/);
            assert.strictEqual(pack.main, "index.ts");
            for (const dep of ["@pulumi/policy", "@pulumi/pulumi", "@pulumi/aws"]) {
                assert.strictEqual(pack.dependencies[dep], root.dependencies[dep] ?? root.devDependencies?.[dep], `${dep} matches the repository root`);
            }
            assert.ok(pack.devDependencies.typescript, "TypeScript makes the analyzer load the pack with ts-node");
        });

        it("PulumiPolicy.yaml declares the nodejs runtime and a description", () => {
            const doc = yaml.load(fs.readFileSync(path.join(packDirectory, "PulumiPolicy.yaml"), "utf8")) as Record<string, unknown>;
            assert.strictEqual(doc.runtime, "nodejs");
            assert.ok(typeof doc.description === "string" && doc.description.length > 40);
        });

        it("index.ts is the only module that constructs the PolicyPack", () => {
            const files: string[] = [];
            const walk = (dir: string) => {
                for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
                    if (entry.name === "node_modules") {
                        continue;
                    }
                    const full = path.join(dir, entry.name);
                    if (entry.isDirectory()) {
                        walk(full);
                    } else if (entry.name.endsWith(".ts")) {
                        files.push(full);
                    }
                }
            };
            walk(packDirectory);
            const constructing = files.filter((f) => /new PolicyPack\(/.test(fs.readFileSync(f, "utf8"))).map((f) => path.relative(packDirectory, f));
            assert.deepStrictEqual(constructing, ["index.ts"]);
        });
    });
});
