package org.dpnas.common.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run files follow the umask, keep their mode, and the restart rules of a run directory. */
class RunFilesTest {

    @AfterEach
    void release() {
        RunLock.releaseAll();
    }

    /** What the process umask gives a new file and directory here (the expectation, measured). */
    private static Set<PosixFilePermission> plainFile(Path dir) throws IOException {
        Path p = dir.resolve("plain");
        Files.newOutputStream(p).close();
        return Files.getPosixFilePermissions(p);
    }

    private static Set<PosixFilePermission> plainDir(Path dir) throws IOException {
        return Files.getPosixFilePermissions(Files.createDirectory(dir.resolve("plaindir")));
    }

    @Test
    void runFilesAndCheckpointDirectoriesFollowTheUmask(@TempDir Path dir) throws Exception {
        Set<PosixFilePermission> file = plainFile(dir);
        Set<PosixFilePermission> folder = plainDir(dir);
        // meaningful only when the umask leaves group or other bits (022 does): 0600/0700 would
        // then differ from what a plain create gives
        assertTrue(file.contains(PosixFilePermission.GROUP_READ), "umask too strict: " + file);

        RunDirectory run = new RunDirectory(dir.resolve("run"));
        run.writeStart(new JsonObject(), false, new JsonObject());
        assertEquals(file, Files.getPosixFilePermissions(run.resolvedConfig()));
        assertEquals(file, Files.getPosixFilePermissions(run.provenance()));
        AtomicFiles.writeString(run.root().resolve("final_metrics.json"), "{}");
        assertEquals(file, Files.getPosixFilePermissions(run.root().resolve("final_metrics.json")));
        Path tmp = AtomicFiles.tempDirectory(run.root(), ".tmp-step-");
        assertEquals(folder, Files.getPosixFilePermissions(tmp));
    }

    @Test
    void replacingAFileKeepsItsMode(@TempDir Path dir) throws Exception {
        Path metrics = dir.resolve("metrics.jsonl");
        Files.writeString(metrics, "{\"step\":1}\n{\"step\":2}\n");
        Set<PosixFilePermission> mode = PosixFilePermissions.fromString("rw-r-----");
        Files.setPosixFilePermissions(metrics, mode);
        try (MetricsLog log = new MetricsLog(metrics)) {
            log.truncateAfter(1); // what a resume does
        }
        assertEquals("{\"step\":1}\n", Files.readString(metrics));
        assertEquals(mode, Files.getPosixFilePermissions(metrics));
    }

    @Test
    void aStoppedRunWithoutCheckpointIsStartedAfreshButACheckpointIsNeverLost(@TempDir Path dir)
            throws Exception {
        RunDirectory run = new RunDirectory(dir.resolve("run"));
        run.writeStart(new JsonObject(), false, new JsonObject());
        Files.writeString(run.metrics(), "{\"step\":2}\n");
        Files.createDirectories(run.root().resolve("search"));
        Files.writeString(run.root().resolve("search/genotypes.jsonl"), "x\n");
        assertFalse(run.hasCheckpoint());
        JsonObject second = new JsonObject();
        second.addProperty("n", 2);
        run.writeStart(second, false, new JsonObject());
        assertFalse(Files.exists(run.metrics()), "the stopped run's log is gone");
        assertFalse(Files.exists(run.root().resolve("search")));
        assertEquals(
                2,
                JsonParser.parseString(Files.readString(run.resolvedConfig()))
                        .getAsJsonObject()
                        .get("n")
                        .getAsInt());

        Files.createDirectories(run.checkpoints().resolve("step-00000004"));
        assertTrue(run.hasCheckpoint());
        IOException e =
                assertThrows(
                        IOException.class, () -> run.writeStart(second, false, new JsonObject()));
        assertTrue(e.getMessage().contains("--resume"), e.getMessage());
        assertTrue(Files.isDirectory(run.checkpoints().resolve("step-00000004")));
    }

    @Test
    void aResumeRecordsTheAcceptedChangesInProvenance(@TempDir Path dir) throws Exception {
        RunDirectory run = new RunDirectory(dir.resolve("run"));
        run.writeStart(new JsonObject(), false, new JsonObject());
        JsonObject changes =
                JsonParser.parseString("{\"train.lr\":{\"from\":0.05,\"to\":0.01}}")
                        .getAsJsonObject();
        run.recordChanges(changes);
        run.writeStart(new JsonObject(), true, new JsonObject());
        JsonObject prov =
                JsonParser.parseString(Files.readString(run.provenance())).getAsJsonObject();
        assertEquals(
                changes,
                prov.getAsJsonArray("resumes").get(0).getAsJsonObject().getAsJsonObject("changes"));
    }
}
