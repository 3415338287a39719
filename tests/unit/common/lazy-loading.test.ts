import * as assert from "assert";
import { builtinModules } from "module";
import * as pulumi from "@pulumi/pulumi";
import { createKafkaIngestHandler, createKinesisIngestHandler } from "../../../runtime/ingest/handler";
import { createQualityHandler } from "../../../runtime/quality/handler";
import { createLoadHandler } from "../../../runtime/warehouse/handler";

/**
 * Every deployed handler loads the AWS SDK and Powertools the way the ingest handler does: with
 * `require()` inside the code that needs them, never through a module-scope import. Pulumi's
 * serializer turns a captured module-scope import into a module-scope `require()` of the package's
 * internal file, run on every cold start; the factories below are the ones infra passes to
 * `aws.lambda.CallbackFunction` as `callbackFactory`.
 */
const factories: readonly (readonly [string, () => unknown])[] = [
    ["ingest (kafka)", createKafkaIngestHandler],
    ["ingest (kinesis)", createKinesisIngestHandler],
    ["quality", () => createQualityHandler()],
    ["warehouse load", () => createLoadHandler()],
];

async function serializeLikeCallbackFunction(factory: () => unknown): Promise<string> {
    return (await pulumi.runtime.serializeFunction(factory, { serialize: () => true, exportName: "handler", isFactoryFunction: true, allowSecrets: true })).text;
}

/** Packages required at module scope (a line that starts a declaration), excluding Node's built-in modules. */
function moduleScopePackages(text: string): string[] {
    const builtins = new Set(builtinModules);
    return [...text.matchAll(/^(?:const|var|let) [\w$]+ = require\("([^"]+)"\)/gm)].map((match) => match[1] as string).filter((name) => !builtins.has(name) && !name.startsWith("node:"));
}

describe("deployed handlers load the AWS SDK and Powertools lazily", () => {
    for (const [name, factory] of factories) {
        it(`the ${name} factory requires no package at module scope and requires the SDK and Powertools by their public names`, async () => {
            const text = await serializeLikeCallbackFunction(factory);
            assert.deepStrictEqual(moduleScopePackages(text), [], `${name}: module-scope requires in the serialized handler`);
            assert.doesNotMatch(text, /require\("@aws-(?:sdk|lambda-powertools)\/[^"]+\/(?:dist-cjs|lib)\//, `${name}: a require of a package's internal file`);
            assert.match(text, /require\("@aws-sdk\/client-s3"\)/);
            assert.match(text, /require\("@aws-lambda-powertools\/logger"\)/);
        });
    }

    it("recognises a module-scope require of a package (the check itself)", () => {
        assert.deepStrictEqual(moduleScopePackages('const client_s3_1 = require("@aws-sdk/client-s3/dist-cjs/index.js");\nconst crypto_1 = require("crypto");\n    const sdk = require("@aws-sdk/client-s3");'), [
            "@aws-sdk/client-s3/dist-cjs/index.js",
        ]);
    });
});
