import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { observeRegistrations, Registration } from "../../../tools/offline/internals";

/**
 * Pins what tools/offline/internals.ts assumes about @pulumi/pulumi beyond the public mock API.
 * When an SDK upgrade breaks one of these, this test names it; the offline plan would otherwise
 * lose parents, options or closure code without an error.
 */
class Parent extends pulumi.ComponentResource {
    constructor(name: string) {
        super("probe:index:Parent", name);
    }
}

class Thing extends pulumi.CustomResource {
    constructor(name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        super("probe:index:Thing", name, props, opts);
    }
}

describe("offline harness: the SDK internals it relies on", () => {
    let registrations: Registration[];

    before(async () => {
        await pulumi.runtime.setMocks(
            { newResource: (args) => ({ id: `${args.name}-id`, state: { ...args.inputs, answered: true } }), call: (args) => args.inputs },
            "probe",
            "probe",
            false,
        );
        registrations = [];
        const pending = observeRegistrations((r) => registrations.push(r));
        const parent = new Parent("parent");
        const first = new Thing("first", { size: 1 }, { parent });
        new Thing(
            "second",
            {
                size: first.id.apply(() => 2),
                password: pulumi.secret("s3cret"),
                code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.x = 1;") }),
            },
            { parent, protect: true, retainOnDelete: true, ignoreChanges: ["size"], dependsOn: [first], deleteBeforeReplace: true },
        );
        let seen = -1;
        while (seen !== pending.length) {
            seen = pending.length;
            await Promise.all(pending);
            await new Promise((resolve) => setImmediate(resolve));
        }
    });

    function named(name: string): Registration {
        const found = registrations.find((r) => r.options.name === name);
        assert.ok(found, `no registration of ${name}: pulumi.runtime.getMonitor().registerResource no longer sees every resource`);
        return found;
    }

    it("sees each registration with the URN the mock monitor assigned and what newResource answered", () => {
        assert.deepStrictEqual(registrations.map((r) => r.options.name).sort(), ["first", "parent", "second"]);
        assert.strictEqual(named("first").urn, "urn:pulumi:probe::probe::probe:index:Parent$probe:index:Thing::first");
        assert.strictEqual(named("first").state.answered, true);
    });

    it("reads the options the public mocks do not pass: parent, protect, retainOnDelete, ignoreChanges, dependencies", () => {
        const second = named("second").options;
        assert.strictEqual(second.parent, named("parent").urn);
        assert.strictEqual(second.custom, true);
        assert.strictEqual(second.protect, true);
        assert.strictEqual(second.retainOnDelete, true);
        assert.deepStrictEqual(second.ignoreChanges, ["size"]);
        assert.deepStrictEqual(second.dependencies, [named("first").urn]);
        assert.strictEqual(second.other.deletebeforereplace, true, "RegisterResourceRequest.toObject() no longer names deleteBeforeReplace 'deletebeforereplace'");
        assert.strictEqual(named("parent").options.custom, false);
        assert.strictEqual(named("parent").options.parent, undefined);
    });

    it("leaves out where a resource was declared, so moving code does not change a plan", () => {
        for (const r of registrations) {
            for (const key of Object.keys(r.options.other)) {
                assert.doesNotMatch(key, /stacktrace|sourceposition/i);
            }
        }
    });

    it("finds secrets wrapped with the public pulumi.runtime.specialSecretSig", () => {
        const password = named("second").inputs.password as Record<string, unknown>;
        assert.strictEqual(password[pulumi.runtime.specialSigKey], pulumi.runtime.specialSecretSig);
        assert.strictEqual(password.value, "s3cret");
    });

    it("keeps an archive's asset text in the wire inputs, marked with the public archive and asset signatures", () => {
        const code = named("second").wireInputs.code as Record<string, any>;
        assert.strictEqual(code[pulumi.runtime.specialSigKey], pulumi.runtime.specialArchiveSig);
        const asset = code.assets["index.js"];
        assert.strictEqual(asset[pulumi.runtime.specialSigKey], pulumi.runtime.specialAssetSig);
        assert.strictEqual(asset.text, "exports.x = 1;");
    });
});
