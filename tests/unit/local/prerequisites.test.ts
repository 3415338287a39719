import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { missingPrerequisites, prerequisiteMessage, PrerequisiteProbe, systemProbe } from "../../../runtime/local/prerequisites";

const probe = (tools: readonly string[], files: readonly string[] = []): PrerequisiteProbe => ({
    onPath: (tool) => tools.includes(tool),
    exists: (file) => files.includes(file),
});

describe("npm run local: prerequisites checked before anything starts", () => {
    it("needs nothing more when java, python3 and mvn are on the PATH", () => {
        assert.deepStrictEqual(missingPrerequisites(probe(["java", "python3", "mvn"])), []);
    });

    it("reports a missing java with the Debian package that provides it", () => {
        const missing = missingPrerequisites(probe(["python3", "mvn"]));
        assert.deepStrictEqual(missing.map((item) => item.tool), ["java"]);
        assert.strictEqual(
            prerequisiteMessage(missing),
            "java was not found on PATH (the Kafka broker and Spark run on Java 17+); install it with: sudo apt-get install -y openjdk-17-jre-headless",
        );
    });

    it("reports every missing tool, one line each, in a fixed order", () => {
        const message = prerequisiteMessage(missingPrerequisites(probe([])));
        assert.deepStrictEqual(
            message.split("\n").map((line) => line.split(" ")[0]),
            ["java", "python3", "mvn"],
        );
        assert.match(message, /install it with: sudo apt-get install -y python3 python3-venv/);
        assert.match(message, /install it with: sudo apt-get install -y maven/);
    });

    it("does not need python3 once the virtual environment exists, nor mvn once the Kafka jars are fetched", () => {
        assert.deepStrictEqual(missingPrerequisites(probe(["java"], [".local/venv/bin/python", ".local/kafka/libs/.complete"])), []);
    });

    it("looks for executables on the PATH it is given", () => {
        const directory = fs.mkdtempSync(path.join(os.tmpdir(), "prereq-"));
        fs.writeFileSync(path.join(directory, "java"), "#!/bin/sh\n", { mode: 0o755 });
        fs.writeFileSync(path.join(directory, "mvn"), "not executable", { mode: 0o644 });
        const system = systemProbe(directory, { PATH: directory });
        assert.deepStrictEqual([system.onPath("java"), system.onPath("mvn"), system.onPath("python3")], [true, false, false]);
        fs.rmSync(directory, { recursive: true });
    });
});
