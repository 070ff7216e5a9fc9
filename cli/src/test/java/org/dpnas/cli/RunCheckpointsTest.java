package org.dpnas.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dpnas.common.run.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which checkpoint {@code eval model} and {@code weights export} read, and the refusals. */
class RunCheckpointsTest {

    @TempDir Path dir;

    private static Path checkpoint(RunDirectory run, long step, boolean params) throws Exception {
        Path c = run.checkpoints().resolve(String.format("step-%08d", step));
        Files.createDirectories(c);
        Files.writeString(c.resolve("state.json"), "{}");
        if (params) {
            Files.writeString(c.resolve("model.params"), "x");
        }
        return c;
    }

    @Test
    void newestCheckpointWhenNoneIsGiven() throws Exception {
        RunDirectory run = new RunDirectory(dir.resolve("run"));
        checkpoint(run, 10, true);
        Path newest = checkpoint(run, 20, true);
        assertEquals(newest, RunCheckpoints.resolve(run, null));
    }

    @Test
    void givenCheckpointIsKept() throws Exception {
        RunDirectory run = new RunDirectory(dir.resolve("run"));
        Path older = checkpoint(run, 10, true);
        checkpoint(run, 20, true);
        assertEquals(older, RunCheckpoints.resolve(run, older));
    }

    @Test
    void runWithoutCheckpointIsNamed() {
        RunDirectory run = new RunDirectory(dir.resolve("empty"));
        CliException e = assertThrows(CliException.class, () -> RunCheckpoints.resolve(run, null));
        assertTrue(
                e.getMessage().startsWith("--run " + run.root() + ": no checkpoint in"),
                e.getMessage());
    }

    @Test
    void checkpointWithoutParamsIsNamed() throws Exception {
        RunDirectory run = new RunDirectory(dir.resolve("run"));
        Path c = checkpoint(run, 10, false);
        CliException e = assertThrows(CliException.class, () -> RunCheckpoints.resolve(run, null));
        assertEquals("--checkpoint " + c + ": no model.params in it", e.getMessage());
    }
}
