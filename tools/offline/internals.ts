import * as pulumi from "@pulumi/pulumi";

/**
 * The one place the offline harness reaches past Pulumi's public mock API. `setMocks` hands a mock
 * a resource's type, name, inputs, provider and whether it is custom, but not the options a plan
 * must show (parent, protect, retainOnDelete, ignoreChanges, dependencies) nor the text of a
 * CallbackFunction's code archive. Those come from the RegisterResource request the SDK sends to
 * its monitor. tests/unit/tools/offline-internals.test.ts pins every assumption made here, so an
 * SDK upgrade that changes one fails there by name instead of silently emptying the plan.
 */

/** The request getters read here: a subset of the generated `RegisterResourceRequest`. */
export interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProvider(): string;
    getProtect(): boolean;
    getRetainondelete(): boolean;
    getIgnorechangesList(): string[];
    getDependenciesList(): string[];
    getObject(): WireStruct;
    toObject(): Record<string, unknown>;
}

/** A protobuf Struct as the SDK's generated code exposes it. */
export interface WireStruct {
    toJavaScript(): unknown;
}

/** What a request says beyond its inputs, as the engine would see it. */
export interface RequestOptions {
    readonly type: string;
    readonly name: string;
    readonly parent?: string;
    readonly custom: boolean;
    readonly provider?: string;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly ignoreChanges: readonly string[];
    readonly dependencies: readonly string[];
    /** Every other resource option of the request (aliases, timeouts, replaceOnChanges, ...), normalized for comparison. */
    readonly other: Record<string, unknown>;
}

/** One registration as the engine would receive and answer it. */
export interface Registration {
    readonly urn: string;
    /** The provider's ID of a custom resource (what other resources refer to it by, e.g. "sg-..."), when the mocks gave one. */
    readonly id?: string;
    readonly options: RequestOptions;
    /** The inputs, deserialized (secrets still wrapped with `pulumi.runtime.specialSecretSig`). */
    readonly inputs: Record<string, unknown>;
    /** The serialized inputs as sent on the wire (archives keep their assets' text here). */
    readonly wireInputs: Record<string, unknown>;
    /** What the public mocks' `newResource` answered, deserialized. */
    readonly state: Record<string, unknown>;
}

/**
 * Request fields that are not resource options: the inputs (kept separately), the identity fields
 * (kept by name above) and where in the source the resource was declared (moves with every edit).
 */
const notOptions = new Set(["object", "type", "name", "parent", "custom", "provider", "protect", "retainondelete", "ignorechangesList", "dependenciesList", "stacktrace", "parentstacktracehandle", "sourceposition"]);

function sortedDeep(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(sortedDeep);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortedDeep(v)]));
    }
    return value;
}

export function requestOptions(req: RegisterRequest): RequestOptions {
    const other: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(req.toObject())) {
        if (notOptions.has(key)) {
            continue;
        }
        // Property dependencies are a map of input name to URNs; their order says nothing.
        other[key] =
            key === "propertydependenciesMap"
                ? (value as [string, { urnsList: string[] }][]).map(([k, v]) => [k, [...v.urnsList].sort()]).sort(([a], [b]) => String(a).localeCompare(String(b)))
                : sortedDeep(value);
    }
    return {
        type: req.getType(),
        name: req.getName(),
        parent: req.getParent() || undefined,
        custom: req.getCustom(),
        provider: req.getProvider() || undefined,
        protect: req.getProtect() === true,
        retainOnDelete: req.getRetainondelete() === true,
        ignoreChanges: req.getIgnorechangesList(),
        dependencies: [...req.getDependenciesList()].sort(),
        other,
    };
}

type WireStructArg = Parameters<typeof pulumi.runtime.deserializeProperties>[0];

/** The response getters read here. */
export interface RegisterResponse {
    getUrn(): string;
    getId(): string;
    getObject(): WireStruct;
}

/**
 * Calls `observe` with each registration once the public mocks (`newResource`) have answered it.
 * Call after `pulumi.runtime.setMocks`. Returns the promises of registrations still in flight.
 */
export function observeRegistrations(observe: (registration: Registration) => void): Promise<void>[] {
    const pending: Promise<void>[] = [];
    const runtime = pulumi.runtime as unknown as { getMonitor?: () => { registerResource?: Function } | undefined };
    const monitor = typeof runtime.getMonitor === "function" ? runtime.getMonitor() : undefined;
    if (!monitor || typeof monitor.registerResource !== "function") {
        throw new Error(
            "tools/offline/internals.ts: pulumi.runtime.getMonitor().registerResource is gone in this @pulumi/pulumi; the offline plan cannot see resource options. Fix: adapt observeRegistrations to the SDK's new monitor API",
        );
    }
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: RegisterRequest, callback: (err: unknown, response?: RegisterResponse) => void) => {
        const options = requestOptions(req);
        const inputs = pulumi.runtime.deserializeProperties(req.getObject() as WireStructArg) as Record<string, unknown>;
        const wireInputs = req.getObject().toJavaScript() as Record<string, unknown>;
        let done!: () => void;
        pending.push(new Promise<void>((resolve) => (done = resolve)));
        original(req, (err: unknown, response?: RegisterResponse) => {
            if (!err && response) {
                const state = pulumi.runtime.deserializeProperties(response.getObject() as WireStructArg) as Record<string, unknown>;
                observe({ urn: response.getUrn(), ...(response.getId() ? { id: response.getId() } : {}), options, inputs, wireInputs, state });
            }
            done();
            callback(err, response);
        });
    };
    return pending;
}
