import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { packEnforcementLevel, policies } from "../policies/pack";
import { checkOfflineRun } from "../policies/runner/offline";
import { checkovMapping, readmePath } from "../policies/runner/readme";
import { compareVerdicts, describeDisagreement, Disagreement, KnownDisagreement, parseKnownDisagreements, readCheckovReport } from "./offline/checkov-compare";
import { parseFlags } from "./offline/flags";
import { projectRoot, runOffline } from "./offline/program";
import { runOptionsFor } from "./checkov-catalogue";
import { addressToUrn, terraformPlan } from "./offline/terraform-plan";

/**
 * `npm run checkov -- --stacks dev,prod`: the continuous second opinion. Exports each stack as a
 * Terraform plan, scans it with the pinned Checkov (tools/services/checkov-env.sh), runs the pack
 * on the same stack, and exits 1 when a check the pack maps disagrees with the pack on a resource
 * and policies/README.md does not list that disagreement with its reason (or lists one that no
 * longer occurs). Every policy runs for the comparison, whatever the stack's pack config says.
 */
const usage = "npm run checkov -- --stacks dev,prod [--checkov <path to the checkov executable>] [--keep <dir for the plans and reports>]";

async function main(argv: string[]): Promise<number> {
    const flags = parseFlags(argv, { stacks: "string", checkov: "string", keep: "string" }, usage);
    const stacks = flags.require("stacks").split(",").map((s) => s.trim()).filter(Boolean);
    const checkov = flags.get("checkov") ?? path.join(projectRoot, ".local", "checkov-venv", "bin", "checkov");
    if (!fs.existsSync(checkov)) {
        throw new Error(`--checkov: expected the checkov executable; found nothing at ${checkov}. Fix: run tools/services/checkov-env.sh first.`);
    }
    const dir = flags.get("keep") ?? fs.mkdtempSync(path.join(os.tmpdir(), "checkov-"));
    fs.mkdirSync(dir, { recursive: true });
    const known: KnownDisagreement[] = parseKnownDisagreements(fs.readFileSync(readmePath, "utf8"));
    const mapping = checkovMapping(policies);
    const used = new Set<KnownDisagreement>();
    const failures: Disagreement[] = [];
    for (const stack of stacks) {
        const run = await runOffline(runOptionsFor(stack));
        const planFile = path.join(dir, `${stack}.tfplan.json`);
        fs.writeFileSync(planFile, JSON.stringify(terraformPlan(run)));
        const report = scan(checkov, planFile);
        fs.writeFileSync(path.join(dir, `${stack}.checkov.json`), JSON.stringify(report));
        // Every policy at least advisory: a policy the stack disables still has a verdict to compare.
        const pack = await checkOfflineRun(run, { config: { all: "advisory" }, packEnforcementLevel });
        const result = compareVerdicts(readCheckovReport(report), pack.violations, mapping, addressToUrn(run), known);
        known.filter((k) => !result.unusedKnown.includes(k)).forEach((k) => used.add(k));
        failures.push(...result.disagreements);
        console.log(`${stack}: ${result.compared} mapped Checkov verdicts compared, ${result.agreed} agree, ${result.allowed.length} known disagreement(s), ${result.disagreements.length} unexplained`);
        for (const d of result.allowed) {
            console.log(`  known: ${describeDisagreement(d)}`);
        }
        for (const d of result.disagreements) {
            console.log(`  DISAGREE: ${describeDisagreement(d)}`);
        }
    }
    const stale = known.filter((k) => !used.has(k));
    for (const k of stale) {
        console.log(`STALE: policies/README.md lists ${k.checkId} on ${k.address} as a known disagreement, but no stack shows it; remove the entry.`);
    }
    if (failures.length > 0 || stale.length > 0) {
        console.log(`FAIL: ${failures.length} unexplained disagreement(s), ${stale.length} stale entr(ies). Fix the policy or the program, or list the disagreement with its reason under "Known disagreements with Checkov" in policies/README.md.`);
        return 1;
    }
    console.log(`PASS: Checkov and the pack agree on every mapped check of ${stacks.join(", ")} (plans and reports in ${dir})`);
    return 0;
}

/** Checkov exits 1 when any check fails; that is a result, not an error. */
function scan(checkov: string, planFile: string): unknown {
    const args = ["-f", planFile, "--framework", "terraform_plan", "-o", "json", "--compact", "--skip-download"];
    let stdout: string;
    try {
        stdout = execFileSync(checkov, args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, env: { ...process.env, BC_SKIP_MAPPING: "TRUE" }, stdio: ["ignore", "pipe", "pipe"] });
    } catch (err) {
        const e = err as { status?: number; stdout?: string; stderr?: string };
        if (e.status !== 1 || !e.stdout) {
            throw new Error(`checkov ${args.join(" ")} failed (exit ${e.status}): ${(e.stderr ?? "").slice(-500)}`);
        }
        stdout = e.stdout;
    }
    return JSON.parse(stdout);
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
        process.stderr.write(`${err.message}\n`);
        process.exit(2);
    },
);
