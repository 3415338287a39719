import * as fs from "fs";
import * as path from "path";
import { Policies, Policy } from "@pulumi/policy";
import { checkovCatalogue } from "../lib/checkov-catalogue";
import { checkovIds } from "../lib/metadata";
import { reconcileConfig } from "./engine";
import { loadPackConfig, packDirectory } from "./offline";

/**
 * The generated sections of policies/README.md: the policy table and the Checkov mapping, both
 * rendered from the code (policy metadata, the catalogue, the stacks' pack configs), so the
 * document cannot drift. `npx ts-node --transpile-only policies/runner/readme.ts` rewrites them;
 * a test fails when they are stale.
 */

export const readmePath = path.join(packDirectory, "README.md");

function kind(policy: Policy): "resource" | "stack" {
    return typeof (policy as { validateStack?: unknown }).validateStack === "function" ? "stack" : "resource";
}

function cell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

export function renderPolicyTable(policies: Policies, stacks: readonly string[]): string {
    const levels = stacks.map((stack) => reconcileConfig(policies, "advisory", loadPackConfig(stack)));
    const lines = [`| Policy | Kind | Severity | Checkov | ${stacks.join(" | ")} | Checks whether ... |`, `|---|---|---|---|${stacks.map(() => "---|").join("")}---|`];
    for (const p of [...policies].sort((a, b) => a.name.localeCompare(b.name))) {
        const ids = checkovIds(p.framework).join(", ") || "platform";
        const perStack = levels.map((l) => l.get(p.name)!.enforcementLevel);
        lines.push(`| \`${p.name}\` | ${kind(p)} | ${p.severity ?? ""} | ${ids} | ${perStack.join(" | ")} | ${cell(p.description.replace(/^Checks whether /, ""))} |`);
    }
    return lines.join("\n");
}

export interface CheckovCounts {
    readonly total: number;
    readonly applicable: number;
    readonly applicableMapped: number;
    readonly declined: number;
    readonly notCreated: number;
    readonly notCreatedMapped: number;
    readonly mapped: number;
}

export function checkovMapping(policies: Policies): Map<string, string[]> {
    const byId = new Map<string, string[]>();
    for (const p of policies) {
        for (const id of checkovIds(p.framework)) {
            byId.set(id, [...(byId.get(id) ?? []), p.name]);
        }
    }
    return byId;
}

export function checkovCounts(policies: Policies): CheckovCounts {
    const byId = checkovMapping(policies);
    const applicable = checkovCatalogue.filter((e) => e.status !== "notCreated");
    const notCreated = checkovCatalogue.filter((e) => e.status === "notCreated");
    return {
        total: checkovCatalogue.length,
        applicable: applicable.length,
        applicableMapped: applicable.filter((e) => byId.has(e.id)).length,
        declined: checkovCatalogue.filter((e) => e.status === "declined").length,
        notCreated: notCreated.length,
        notCreatedMapped: notCreated.filter((e) => byId.has(e.id)).length,
        mapped: checkovCatalogue.filter((e) => byId.has(e.id)).length,
    };
}

export function renderCheckovTable(policies: Policies): string {
    const byId = checkovMapping(policies);
    const c = checkovCounts(policies);
    const lines = [
        `${c.total} Checkov IDs in the catalogue; ${c.applicable} applicable (the program creates a matched type under some stack config), of which ${c.applicableMapped} are mapped to policies and ${c.declined} declined with a reason; ${c.notCreated} not applicable (the program never creates a matched type), of which ${c.notCreatedMapped} are mapped anyway as guardrails. ${c.mapped} IDs mapped in all.`,
        "",
        "| ID | Service | Check | Applies to | Policy, or why not |",
        "|---|---|---|---|---|",
    ];
    for (const e of checkovCatalogue) {
        const mapped = byId.get(e.id);
        const applies = e.status === "notCreated" ? "not created" : e.createdTypes.map((t) => `\`${t.split(" ")[0]}\`${t.includes(" ") ? ` ${t.slice(t.indexOf(" ") + 1)}` : ""}`).join(", ");
        const answer =
            mapped && e.status !== "declined"
                ? `${mapped.map((m) => `\`${m}\``).join(", ")}${e.status === "notCreated" ? ` (${e.reason})` : ""}`
                : `${e.status === "declined" ? "**declined**" : "**not applicable**"}: ${e.reason}`;
        lines.push(`| ${e.id} | ${e.service} | ${cell(e.check)} | ${cell(applies)} | ${cell(answer)} |`);
    }
    return lines.join("\n");
}

function replaceSection(text: string, name: string, body: string): string {
    const begin = `<!-- BEGIN GENERATED: ${name} -->`;
    const end = `<!-- END GENERATED: ${name} -->`;
    const start = text.indexOf(begin);
    const stop = text.indexOf(end);
    if (start < 0 || stop < start) {
        throw new Error(`${path.relative(process.cwd(), readmePath)}: markers ${begin} ... ${end} not found`);
    }
    return `${text.slice(0, start + begin.length)}\n${body}\n${text.slice(stop)}`;
}

/** The README with its generated sections brought up to date. */
export function renderReadme(current: string, policies: Policies, stacks: readonly string[] = ["dev", "prod"]): string {
    return replaceSection(replaceSection(current, "policies", renderPolicyTable(policies, stacks)), "checkov", renderCheckovTable(policies));
}

if (require.main === module) {
    import("../pack").then(({ policies }) => {
        const current = fs.readFileSync(readmePath, "utf8");
        const next = renderReadme(current, policies);
        if (next !== current) {
            fs.writeFileSync(readmePath, next);
            process.stdout.write(`updated ${path.relative(process.cwd(), readmePath)}\n`);
        } else {
            process.stdout.write(`${path.relative(process.cwd(), readmePath)} is up to date\n`);
        }
    });
}
