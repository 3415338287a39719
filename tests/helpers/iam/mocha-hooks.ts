import * as fs from "fs";
import * as path from "path";
import { recordedCalls, setCurrentTest } from "./recorder";
import { checkRecording, fixturePath, normalizeForFixture, recordingPath } from "./recording";

/**
 * Mocha root hooks for the integration suite (.mocharc.integration.json requires this file):
 * names the running test in each recorded request, and after the suite writes the recording to
 * .local/iam/recording.json and simulates it against the dev and prod plans; any denied request
 * fails the run. `IAM_RECORDING_UPDATE=1` also refreshes the committed fixture the unit tests
 * simulate (tests/fixtures/iam/recorded-requests.json).
 */
export const mochaHooks = {
    beforeEach(this: Mocha.Context): void {
        setCurrentTest(this.currentTest?.fullTitle());
    },
    afterEach(): void {
        setCurrentTest(undefined);
    },
    async afterAll(this: Mocha.Context): Promise<void> {
        this.timeout(300_000);
        const calls = recordedCalls();
        if (calls.length === 0) return;
        fs.mkdirSync(path.dirname(recordingPath), { recursive: true });
        fs.writeFileSync(recordingPath, JSON.stringify(calls, null, 1) + "\n");
        if (process.env.IAM_RECORDING_UPDATE === "1") {
            fs.writeFileSync(fixturePath, JSON.stringify(normalizeForFixture(calls), null, 1) + "\n");
        }
        const { denials, summary } = await checkRecording(calls);
        console.log(`IAM simulation: ${summary}; recording in ${path.relative(process.cwd(), recordingPath)}`);
        if (denials.length > 0) {
            throw new Error(`${denials.length} recorded AWS request(s) would be denied on AWS:\n${denials.join("\n")}`);
        }
    },
};
