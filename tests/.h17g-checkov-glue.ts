import * as fs from "fs";
import { execFileSync } from "child_process";
import { packEnforcementLevel, policies } from "../policies/pack";
import { checkOfflineRun } from "../policies/runner/offline";
import { checkovMapping, readmePath } from "../policies/runner/readme";
import { compareVerdicts, describeDisagreement, parseKnownDisagreements, readCheckovReport } from "../tools/offline/checkov-compare";
import { runOffline } from "../tools/offline/program";
import { addressToUrn, terraformPlan } from "../tools/offline/terraform-plan";
async function main() {
    for (const stack of ["dev", "prod"]) {
        const run = await runOffline({ stack, overrides: { "platform:sparkMode": "glue" } });
        const planFile = `/tmp/h17g/${stack}-glue.tfplan.json`;
        fs.writeFileSync(planFile, JSON.stringify(terraformPlan(run)));
        let out: string;
        try { out = execFileSync(".local/checkov-venv/bin/checkov", ["-f", planFile, "--framework", "terraform_plan", "-o", "json", "--compact", "--skip-download"], { encoding: "utf8", maxBuffer: 1 << 28, env: { ...process.env, BC_SKIP_MAPPING: "TRUE" } }); } catch (e: any) { out = e.stdout; }
        const report = JSON.parse(out);
        const pack = await checkOfflineRun(run, { config: { all: "advisory" }, packEnforcementLevel });
        const known = parseKnownDisagreements(fs.readFileSync(readmePath, "utf8"));
        const result = compareVerdicts(readCheckovReport(report), pack.violations, checkovMapping(policies), addressToUrn(run), known);
        console.log(`${stack}+glue: ${result.compared} compared, ${result.agreed} agree, ${result.allowed.length} known, ${result.disagreements.length} unexplained`);
        for (const d of result.disagreements) console.log("  DISAGREE", describeDisagreement(d));
        const glue = (report.results?.passed_checks ?? []).concat(report.results?.failed_checks ?? []).filter((c: any) => /glue/.test(c.resource_address ?? c.resource));
        for (const c of glue) console.log("  ", c.check_id, c.resource_address ?? c.resource, (report.results.failed_checks.includes(c) ? "FAILED" : "passed"));
    }
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
