import * as path from "path";
import { projectRoot } from "../../../tools/offline/program";
import { stackRun } from "../stacks";
import { RecordedCall } from "./recorder";
import { describeDenial, simulate, SimulatedCheck, stackPolicies } from "./simulate";

/** Where the integration run writes everything it recorded (not committed). */
export const recordingPath = path.join(projectRoot, ".local", "iam", "recording.json");
/** The committed, de-duplicated recording that `npm test` simulates without local services. */
export const fixturePath = path.join(projectRoot, "tests", "fixtures", "iam", "recorded-requests.json");

/** One entry per distinct request (the first test that made it is kept). */
export function normalizeForFixture(calls: readonly RecordedCall[]): RecordedCall[] {
    const seen = new Map<string, RecordedCall>();
    for (const call of calls) {
        const { test: _test, ...shape } = call;
        const key = JSON.stringify(shape);
        if (!seen.has(key)) seen.set(key, call);
    }
    return [...seen.values()].sort((a, b) => `${a.component} ${a.service} ${a.operation}`.localeCompare(`${b.component} ${b.service} ${b.operation}`));
}

export interface RecordingCheck {
    readonly simulated: SimulatedCheck[];
    readonly denials: string[];
    readonly summary: string;
}

/** Simulates `calls` against the dev and prod plans. */
export async function checkRecording(calls: readonly RecordedCall[]): Promise<RecordingCheck> {
    const simulated: SimulatedCheck[] = [];
    for (const stack of ["dev", "prod"] as const) {
        simulated.push(...simulate(calls, stackPolicies(await stackRun(stack))));
    }
    const denials = simulated.filter((s) => s.decision.decision !== "allowed").map(describeDenial);
    const roles = new Set(simulated.map((s) => `${s.stack} ${s.role}`));
    const summary = `${calls.length} requests recorded, ${simulated.length} IAM checks on ${roles.size} stack roles (${[...roles].sort().join(", ")}), ${denials.length} denied`;
    return { simulated, denials: [...new Set(denials)], summary };
}
