package org.dpnas.common.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trial script, run by bash with a fake dpnas that prints its arguments. */
class TrialScriptTest {

    private static String run(Path script) throws Exception {
        Process p = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    @Test
    void freshThenResumeThenMovedAside(@TempDir Path dir) throws Exception {
        Path runDir = dir.resolve("it's a run");
        TrialCommand t =
                new TrialCommand(
                        "t0",
                        List.of("train", "--set", "name=a b", "--work-dir", runDir.toString()),
                        List.of("train", "--work-dir", runDir.toString(), "--resume"),
                        runDir,
                        "final_metrics.json");
        String exec = "printf '<%s>'"; // prints each argument in brackets
        Path s1 = TrialScript.write(t, 1, dir.resolve("jobs"), exec, dir);
        assertEquals("<train><--set><name=a b><--work-dir><" + runDir + ">", run(s1).strip());
        assertEquals(Optional.of(0), TrialScript.exitCode(s1));
        assertTrue(TrialScript.startTime(s1).get() > 1.6e9);

        Files.createDirectories(runDir.resolve("checkpoints/step-00000004"));
        Path s2 = TrialScript.write(t, 2, dir.resolve("jobs"), exec, dir);
        assertEquals("<train><--work-dir><" + runDir + "><--resume>", run(s2).strip());

        // a run that died before its first checkpoint is moved aside and started afresh
        Files.delete(runDir.resolve("checkpoints/step-00000004"));
        Files.writeString(runDir.resolve("config.resolved.json"), "{}");
        Path s3 = TrialScript.write(t, 3, dir.resolve("jobs"), exec, dir);
        assertTrue(run(s3).contains("<name=a b>"));
        assertFalse(Files.exists(runDir.resolve("config.resolved.json")));
        try (var s = Files.list(dir)) {
            assertTrue(
                    s.anyMatch(p -> p.getFileName().toString().startsWith("it's a run.attempt")));
        }
    }

    @Test
    void theExitCodeIsRecorded(@TempDir Path dir) throws Exception {
        TrialCommand t = new TrialCommand("t1", List.of("x"), List.of("x"), dir.resolve("r"), "f");
        Path s = TrialScript.write(t, 1, dir, "bash -c 'exit 3'", dir);
        run(s);
        assertEquals(Optional.of(3), TrialScript.exitCode(s));
        assertFalse(Files.exists(dir.resolve("t1.a1.exit.tmp")));
    }
}
