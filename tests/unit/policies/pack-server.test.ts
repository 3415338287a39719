import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { policies } from "../../../policies/pack";
import { EngineResource, PolicyEngine, reconcileConfig } from "../../../policies/runner/engine";
import { engineResources, loadPackConfig, packDirectory, stackTagsFor } from "../../../policies/runner/offline";
import { stackRun } from "../../helpers/stacks";

// The analyzer protocol the Pulumi CLI speaks to a policy pack (generated gRPC code in @pulumi/pulumi).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const analyzerproto = require("@pulumi/pulumi/proto/analyzer_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const analyzerrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");

/**
 * The pack as the Pulumi CLI runs it: `policies/index.ts` started as a process serves the analyzer
 * gRPC protocol; the test configures it with prod's pack config and sends it prod's resources the
 * way the engine does (Analyze per resource, AnalyzeStack once). Its answers must match the
 * offline runner's, which is what makes `npm run policy` a faithful stand-in for a preview.
 */

const levels = ["advisory", "mandatory", "disabled", "remediate"];

function call<T>(client: any, method: string, request: unknown): Promise<T> {
    return new Promise((resolve, reject) => client[method](request, (err: Error | null, response: T) => (err ? reject(err) : resolve(response))));
}

/** JSON-plain copy: the assets of inputs (Lambda code archives) are dropped on both sides. */
function plainInputs(value: Record<string, unknown>): Record<string, unknown> {
    return JSON.parse(JSON.stringify(value, (_k, v) => (v !== null && typeof v === "object" && !Array.isArray(v) && Object.getPrototypeOf(v) !== Object.prototype ? undefined : v)));
}

function options(r: EngineResource) {
    const o = new analyzerproto.AnalyzerResourceOptions();
    o.setProtect(r.protect);
    o.setIgnorechangesList([...(r.ignoreChanges ?? [])]);
    if (r.parent) {
        o.setParent(r.parent);
    }
    return o;
}

function providerOf(r: EngineResource, byUrn: Map<string, EngineResource>) {
    const p = r.provider ? byUrn.get(r.provider) : undefined;
    if (!p) {
        return undefined;
    }
    const out = new analyzerproto.AnalyzerProviderResource();
    out.setType(p.type);
    out.setProperties(Struct.fromJavaScript(plainInputs(p.inputs) as any));
    out.setUrn(p.urn);
    out.setName(p.name);
    return out;
}

interface Seen {
    readonly policy: string;
    readonly level: string;
    readonly urn: string;
    readonly message: string;
}

describe("the pack served over the analyzer protocol", function () {
    this.timeout(180_000);
    let child: ChildProcess | undefined;
    let client: any;
    let resources: EngineResource[];

    before(async () => {
        resources = engineResources(await stackRun("prod")).map((r) => ({ ...r, inputs: plainInputs(r.inputs), outputs: plainInputs(r.outputs) }));
        // A break the server must report: the warehouse made public.
        resources = resources.map((r) => (r.type === "aws:redshiftserverless/workgroup:Workgroup" ? { ...r, inputs: { ...r.inputs, publiclyAccessible: true }, outputs: { ...r.outputs, publiclyAccessible: true } } : r));
        child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "index.ts"], { cwd: packDirectory, stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr!.on("data", (d) => (stderr += d));
        const port = await new Promise<number>((resolve, reject) => {
            child!.stdout!.once("data", (d) => resolve(Number(String(d).trim())));
            child!.once("exit", (code) => reject(new Error(`the pack exited with ${code} before serving: ${stderr}`)));
        });
        assert.ok(port > 0, "the pack prints its port, as the CLI expects");
        client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());

        const configure = new analyzerproto.ConfigureAnalyzerRequest();
        for (const [name, config] of reconcileConfig(policies, "advisory", loadPackConfig("prod"))) {
            const policyConfig = new analyzerproto.PolicyConfig();
            policyConfig.setEnforcementlevel(levels.indexOf(config.enforcementLevel));
            policyConfig.setProperties(Struct.fromJavaScript(config.properties as any));
            configure.getPolicyconfigMap().set(name, policyConfig);
        }
        await call(client, "configure", configure);
        const stack = new analyzerproto.AnalyzerStackConfigureRequest();
        stack.setStack("prod");
        stack.setProject("platform");
        for (const [k, v] of Object.entries(stackTagsFor())) {
            stack.getTagsMap().set(k, v);
        }
        await call(client, "configureStack", stack);
    });

    after(() => {
        client?.close();
        if (child && child.exitCode === null) {
            child.kill();
        }
    });

    it("describes the pack: its name, version and 156 policies with their metadata", async () => {
        const info = await call<any>(client, "getAnalyzerInfo", new analyzerrpc.AnalyzerService.getAnalyzerInfo.requestType());
        assert.strictEqual(info.getName(), "etl-platform-guardrails");
        assert.strictEqual(info.getVersion(), "0.1.0");
        const served = info.getPoliciesList().map((p: any) => p.getName()).sort();
        assert.deepStrictEqual(served, policies.map((p) => p.name).sort());
    });

    it("reports, resource by resource and for the stack, exactly what the offline runner reports", async () => {
        const byUrn = new Map(resources.map((r) => [r.urn, r]));
        const served: Seen[] = [];
        const collect = (response: any, description: (policy: string) => string) => {
            for (const d of response.getDiagnosticsList()) {
                const prefix = `${description(d.getPolicyname())}\n`;
                const message: string = d.getMessage();
                served.push({ policy: d.getPolicyname(), level: levels[d.getEnforcementlevel()], urn: d.getUrn(), message: message.startsWith(prefix) ? message.slice(prefix.length) : message });
            }
        };
        const descriptionOf = (name: string) => policies.find((p) => p.name === name)!.description;
        for (const r of resources) {
            const request = new analyzerproto.AnalyzeRequest();
            request.setType(r.type);
            request.setProperties(Struct.fromJavaScript(r.inputs as any));
            request.setUrn(r.urn);
            request.setName(r.name);
            request.setOptions(options(r));
            const provider = providerOf(r, byUrn);
            if (provider) {
                request.setProvider(provider);
            }
            const response = await call<any>(client, "analyze", request);
            for (const d of response.getDiagnosticsList()) {
                d.setUrn(d.getUrn() || r.urn);
            }
            collect(response, descriptionOf);
        }
        const stackRequest = new analyzerproto.AnalyzeStackRequest();
        stackRequest.setResourcesList(
            resources.map((r) => {
                const resource = new analyzerproto.AnalyzerResource();
                resource.setType(r.type);
                resource.setProperties(Struct.fromJavaScript(r.outputs as any));
                resource.setUrn(r.urn);
                resource.setName(r.name);
                resource.setOptions(options(r));
                const provider = providerOf(r, byUrn);
                if (provider) {
                    resource.setProvider(provider);
                }
                if (r.parent) {
                    resource.setParent(r.parent);
                }
                resource.setDependenciesList([...(r.dependencies ?? [])]);
                return resource;
            }),
        );
        collect(await call<any>(client, "analyzeStack", stackRequest), descriptionOf);

        const engine = new PolicyEngine(policies, { config: loadPackConfig("prod"), stackTags: stackTagsFor() });
        const report = await engine.analyze(resources);
        const offline: Seen[] = report.diagnostics.map((d) => ({ policy: d.policy, level: d.level, urn: d.urn ?? "", message: d.message }));
        const sort = (list: Seen[]) => [...list].sort((a, b) => `${a.policy}|${a.urn}|${a.message}`.localeCompare(`${b.policy}|${b.urn}|${b.message}`));
        assert.deepStrictEqual(sort(served), sort(offline));
        assert.ok(
            served.some((s) => s.policy === "redshift-warehouse-not-public" && s.level === "mandatory"),
            "the public warehouse is reported as mandatory",
        );
    });
});

