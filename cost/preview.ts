import { CostInput } from "./model";
import { stackOfUrn } from "./adapters";

/**
 * Reads a `pulumi preview --json` document (pkg/backend/display/json.go): the resources before the
 * change (baseline) and after it, per step:
 *
 * | op                                   | baseline  | after     |
 * |--------------------------------------|-----------|-----------|
 * | same, update, refresh                | oldState  | newState  |
 * | create, import                       | -         | newState  |
 * | delete, discard                      | oldState  | -         |
 * | replace, create-replacement,         | oldState  | newState  |
 * |   delete-replaced (grouped by URN)   |           |           |
 * | read (data sources)                  | -         | -         |
 *
 * Without `--show-sames` the document lists only changed resources; the report then says the
 * totals cover those only.
 */

export interface PreviewState {
    readonly urn?: string;
    readonly type?: string;
    readonly custom?: boolean;
    readonly parent?: string;
    readonly provider?: string;
    readonly inputs?: Record<string, unknown>;
}

export interface PreviewStep {
    readonly op: string;
    readonly urn: string;
    readonly provider?: string;
    readonly oldState?: PreviewState;
    readonly newState?: PreviewState;
}

export interface PreviewDocument {
    readonly config?: Record<string, unknown>;
    readonly steps: readonly PreviewStep[];
    readonly changeSummary?: Record<string, number>;
}

export type ChangeKind = "create" | "update" | "replace" | "delete" | "same";

export interface PreviewResources {
    readonly stack: string;
    readonly region?: string;
    readonly baseline: CostInput[];
    readonly after: CostInput[];
    /** The change per URN, for the report's list of changed resources. */
    readonly changes: ReadonlyMap<string, ChangeKind>;
    readonly warnings: string[];
}

const knownOps = new Set(["same", "create", "update", "delete", "replace", "create-replacement", "delete-replaced", "read", "read-replacement", "refresh", "import", "import-replacement", "discard", "discard-replaced", "remove-pending-replace"]);

export class PreviewDocumentError extends Error {
    constructor(source: string, problem: string) {
        super(`--preview-json ${source}: ${problem}. Fix: pass the output of pulumi preview --json --show-sames (stdout only) for the stack.`);
        this.name = "PreviewDocumentError";
    }
}

function nameOfUrn(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

function typeOfUrn(urn: string): string {
    const typePart = urn.split("::")[2] ?? "";
    return typePart.slice(typePart.lastIndexOf("$") + 1);
}

function toInput(urn: string, state: PreviewState, stepProvider?: string): CostInput {
    return {
        urn,
        type: state.type ?? typeOfUrn(urn),
        name: nameOfUrn(urn),
        parent: state.parent || undefined,
        provider: state.provider || stepProvider || undefined,
        inputs: state.inputs ?? {},
    };
}

export function parsePreviewDocument(value: unknown, source: string): PreviewResources {
    const doc = value as Partial<PreviewDocument> | null;
    if (!doc || typeof doc !== "object" || !Array.isArray(doc.steps)) {
        throw new PreviewDocumentError(source, `expected an object with a "steps" array; found ${doc === null ? "null" : typeof doc === "object" ? `keys ${Object.keys(doc).join(", ") || "(none)"}` : typeof doc}`);
    }
    const byUrn = new Map<string, PreviewStep[]>();
    doc.steps.forEach((step, i) => {
        if (!step || typeof step.urn !== "string" || typeof step.op !== "string") {
            throw new PreviewDocumentError(source, `steps[${i}]: expected "op" and "urn" strings`);
        }
        if (!knownOps.has(step.op)) {
            throw new PreviewDocumentError(source, `steps[${i}].op: expected one of ${[...knownOps].join(", ")}; found "${step.op}"`);
        }
        byUrn.set(step.urn, [...(byUrn.get(step.urn) ?? []), step]);
    });
    const baseline: CostInput[] = [];
    const after: CostInput[] = [];
    const changes = new Map<string, ChangeKind>();
    for (const [urn, steps] of byUrn) {
        const ops = new Set(steps.map((s) => s.op));
        if ([...ops].every((op) => op === "read" || op === "read-replacement")) {
            continue;
        }
        const old = steps.find((s) => s.oldState)?.oldState;
        const next = [...steps].reverse().find((s) => s.newState && !["delete", "delete-replaced", "discard", "discard-replaced"].includes(s.op))?.newState;
        const provider = steps.find((s) => s.provider)?.provider;
        const deleted = (ops.has("delete") || ops.has("discard")) && !ops.has("create") && !ops.has("create-replacement");
        const kind: ChangeKind = ops.has("replace") || ops.has("create-replacement") || ops.has("delete-replaced")
            ? "replace"
            : deleted
              ? "delete"
              : ops.has("create") || ops.has("import")
                ? "create"
                : ops.has("update")
                  ? "update"
                  : "same";
        if (kind !== "create" && old) {
            baseline.push(toInput(urn, old, provider));
        } else if (kind === "same" && next) {
            baseline.push(toInput(urn, next, provider));
        }
        if (kind !== "delete" && next) {
            after.push(toInput(urn, next, provider));
        } else if (kind === "same" && old) {
            after.push(toInput(urn, old, provider));
        }
        changes.set(urn, kind);
    }
    const warnings: string[] = [];
    const sames = doc.changeSummary?.same ?? 0;
    const listedSames = [...changes.values()].filter((k) => k === "same").length;
    if (sames > listedSames) {
        warnings.push(`the preview has ${sames} unchanged resources but lists ${listedSames}: totals cover the listed resources only. Run pulumi preview --json --show-sames for whole-stack totals.`);
    }
    const firstUrn = doc.steps[0]?.urn;
    const configRegion = doc.config?.["aws:region"];
    return {
        stack: (firstUrn && stackOfUrn(firstUrn)) ?? "unknown",
        region: typeof configRegion === "string" ? configRegion : undefined,
        baseline,
        after,
        changes,
        warnings,
    };
}
