/**
 * Compares Checkov's verdicts on a stack's Terraform plan export with the policy pack's verdicts
 * on the same resources, for the Checkov IDs the pack maps to its policies. A mapped check that
 * fails where the pack passes (or passes where the pack fails) is a disagreement: either a policy
 * misses what Checkov sees, or the mapping is wrong. Known, reasoned disagreements are listed in
 * policies/README.md and allowed; an entry that no longer matches anything is reported too, so
 * the list cannot go stale.
 */

export interface CheckovResult {
    readonly checkId: string;
    readonly address: string;
    readonly result: "passed" | "failed";
}

export interface PackViolation {
    readonly policy: string;
    readonly urn?: string;
}

export interface KnownDisagreement {
    readonly checkId: string;
    /** A Terraform address; `*` matches any run of characters. */
    readonly address: string;
    readonly reason: string;
}

export interface Disagreement {
    readonly checkId: string;
    readonly address: string;
    readonly checkov: "passed" | "failed";
    readonly pack: "passed" | "failed";
    readonly policies: readonly string[];
}

export interface Comparison {
    /** Mapped verdicts compared (Checkov result on a resource the pack also judged). */
    readonly compared: number;
    readonly agreed: number;
    readonly allowed: Disagreement[];
    readonly disagreements: Disagreement[];
    /** Listed disagreements that matched nothing (remove them, or fix the address). */
    readonly unusedKnown: KnownDisagreement[];
}

/** Reads Checkov's `-o json` output (one report, or a list of reports per framework). */
export function readCheckovReport(json: unknown): CheckovResult[] {
    const reports = Array.isArray(json) ? json : [json];
    const out: CheckovResult[] = [];
    for (const report of reports) {
        const results = (report as { results?: { passed_checks?: unknown[]; failed_checks?: unknown[] } } | null)?.results;
        if (!results) {
            throw new Error(`Checkov report: expected an object with "results" (checkov -o json); found ${JSON.stringify(report)?.slice(0, 80)}. Fix: run checkov with -o json on the plan file.`);
        }
        for (const [key, result] of [["passed_checks", "passed"], ["failed_checks", "failed"]] as const) {
            for (const c of results[key] ?? []) {
                const check = c as { check_id?: unknown; resource_address?: unknown; resource?: unknown };
                const address = typeof check.resource_address === "string" ? check.resource_address : check.resource;
                if (typeof check.check_id !== "string" || typeof address !== "string") {
                    throw new Error(`Checkov report: ${key} entry needs string check_id and resource_address; found ${JSON.stringify(c).slice(0, 120)}.`);
                }
                out.push({ checkId: check.check_id, address, result });
            }
        }
    }
    return out;
}

function matches(pattern: string, address: string): boolean {
    const regex = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
    return regex.test(address);
}

/**
 * The known disagreements listed in a README: under the heading `heading`, list items of the form
 * `` - `CKV_AWS_145` `aws_s3_bucket_server_side_encryption_configuration.lake-access-logs`: reason ``.
 * An item without a reason is an error: every allowed disagreement must say why.
 */
export function parseKnownDisagreements(markdown: string, heading = "### Known disagreements with Checkov"): KnownDisagreement[] {
    const start = markdown.indexOf(heading);
    if (start < 0) {
        throw new Error(`policies/README.md: expected a "${heading}" section listing the allowed disagreements; found none. Fix: add the section (it may list none).`);
    }
    const rest = markdown.slice(start + heading.length);
    const end = rest.search(/\n#{1,3} /);
    const section = end < 0 ? rest : rest.slice(0, end);
    const out: KnownDisagreement[] = [];
    for (const line of section.split("\n")) {
        if (!/^- `CKV/.test(line)) {
            continue;
        }
        const match = /^- `(CKV2?_AWS_\d+)` `([^`]+)`: (.*)$/.exec(line.trim());
        if (!match || match[3].trim().length < 20) {
            throw new Error(`policies/README.md: known disagreement "${line.trim()}" must read \`- \`CKV_AWS_n\` \`<terraform address>\`: <reason of 20+ characters>\`. Fix: give the ID, the address and why the pack and Checkov differ.`);
        }
        out.push({ checkId: match[1], address: match[2], reason: match[3].trim() });
    }
    return out;
}

/**
 * Compares per (mapped check, resource). `mapping` gives each mapped Checkov ID's policies;
 * `urnOf` the Pulumi URN of a Terraform address; the pack fails a resource for an ID when any
 * of the ID's policies reported a violation blaming that resource's URN.
 */
export function compareVerdicts(
    checkov: readonly CheckovResult[],
    violations: readonly PackViolation[],
    mapping: ReadonlyMap<string, readonly string[]>,
    urnOf: ReadonlyMap<string, string>,
    known: readonly KnownDisagreement[],
): Comparison {
    const failedBy = new Map<string, Set<string>>();
    for (const v of violations) {
        if (v.urn) {
            failedBy.set(v.urn, (failedBy.get(v.urn) ?? new Set()).add(v.policy));
        }
    }
    const used = new Set<KnownDisagreement>();
    const allowed: Disagreement[] = [];
    const disagreements: Disagreement[] = [];
    let compared = 0;
    let agreed = 0;
    for (const c of checkov) {
        const policies = mapping.get(c.checkId);
        const urn = urnOf.get(c.address);
        if (!policies || !urn) {
            continue;
        }
        compared++;
        const failing = policies.filter((p) => failedBy.get(urn)?.has(p));
        const pack = failing.length > 0 ? "failed" : "passed";
        if (pack === c.result) {
            agreed++;
            continue;
        }
        const d: Disagreement = { checkId: c.checkId, address: c.address, checkov: c.result, pack, policies: pack === "failed" ? failing : [...policies] };
        const entry = known.find((k) => k.checkId === c.checkId && matches(k.address, c.address));
        if (entry) {
            used.add(entry);
            allowed.push(d);
        } else {
            disagreements.push(d);
        }
    }
    return { compared, agreed, allowed, disagreements, unusedKnown: known.filter((k) => !used.has(k)) };
}

export function describeDisagreement(d: Disagreement): string {
    return `${d.checkId} on ${d.address}: Checkov ${d.checkov}, the pack ${d.pack} (${d.policies.join(", ")})`;
}
