import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { configKeys } from "../../../infra/config/keys";
import { projectRoot } from "../../../tools/offline/program";

describe("config keys", () => {
    const project = yaml.load(fs.readFileSync(path.join(projectRoot, "Pulumi.yaml"), "utf8")) as {
        name: string;
        main: string;
        runtime: { name: string };
        config: Record<string, { type: string; description: string; default?: unknown; items?: { type: string } }>;
    };

    it("Pulumi.yaml declares exactly the keys the config module reads", () => {
        assert.deepStrictEqual(Object.keys(project.config).sort(), configKeys.map((k) => k.name).sort());
    });

    for (const key of configKeys) {
        it(`Pulumi.yaml declares ${key.name} with the same type, description and default`, () => {
            const declared = project.config[key.name];
            // Project config has no object type: object keys are declared without one.
            assert.strictEqual(declared.type, key.type === "object" ? undefined : key.type);
            assert.strictEqual(declared.description, key.description);
            assert.deepStrictEqual(declared.default, key.default);
            if (key.type === "array") {
                assert.deepStrictEqual(declared.items, { type: "string" });
            }
        });
    }

    it("names the project platform, so keys live in the platform: namespace, with a Node.js program", () => {
        assert.strictEqual(project.name, "platform");
        assert.strictEqual(project.runtime.name, "nodejs");
        assert.ok(fs.existsSync(path.join(projectRoot, project.main)));
    });

    it("stack files set only declared keys", () => {
        for (const stack of ["dev", "prod"]) {
            const doc = yaml.load(fs.readFileSync(path.join(projectRoot, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
            for (const key of Object.keys(doc.config)) {
                assert.ok(key === "aws:region" || configKeys.some((k) => `platform:${k.name}` === key), `${stack}: ${key} is not declared`);
            }
        }
    });

    it("the README's config reference lists every key", () => {
        const readme = fs.readFileSync(path.join(projectRoot, "README.md"), "utf8");
        for (const key of configKeys) {
            assert.ok(readme.includes(`\`${key.name}\``), `README.md does not document ${key.name}`);
        }
    });
});
