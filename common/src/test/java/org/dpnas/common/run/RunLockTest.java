package org.dpnas.common.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLockTest {

    /** A child process that takes the lock of {@code args[0]} and sleeps until killed. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            RunLock.acquire(Path.of(args[0]), "holder-test " + args[0]);
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(120_000);
        }
    }

    @AfterEach
    void release() {
        RunLock.releaseAll();
    }

    static Process holder(Path dir) throws Exception {
        Process p =
                new ProcessBuilder(
                                List.of(
                                        Path.of(System.getProperty("java.home"), "bin", "java")
                                                .toString(),
                                        "-cp",
                                        System.getProperty("java.class.path"),
                                        Holder.class.getName(),
                                        dir.toString()))
                        .redirectErrorStream(true)
                        .start();
        String line = new String(p.getInputStream().readNBytes("locked".length()), "UTF-8");
        assertEquals("locked", line);
        return p;
    }

    @Test
    void aSecondProcessIsRefusedNamingTheHolderAndAKillLeavesNoStaleLock(@TempDir Path dir)
            throws Exception {
        Process p = holder(dir);
        try {
            RunLock.HeldException e =
                    assertThrows(RunLock.HeldException.class, () -> RunLock.acquire(dir, "me"));
            assertTrue(e.getMessage().contains("pid " + p.pid()), e.getMessage());
            assertTrue(e.getMessage().contains("holder-test"), e.getMessage());
            assertTrue(e.getMessage().contains(dir.toAbsolutePath().toString()), e.getMessage());
        } finally {
            p.destroyForcibly(); // SIGKILL: the OS drops the lock
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }
        RunLock lock = RunLock.acquire(dir, "after the kill");
        assertEquals(
                ProcessHandle.current().pid(), RunLock.holder(lock.file()).get("pid").getAsLong());
    }

    @Test
    void theLockIsReentrantInOneProcessAndWriteStartTakesIt(@TempDir Path dir) throws Exception {
        RunDirectory run = new RunDirectory(dir.resolve("run"));
        assertTrue(!RunLock.isHeld(run.root()));
        run.writeStart(new com.google.gson.JsonObject(), false, new com.google.gson.JsonObject());
        assertTrue(RunLock.isHeld(run.root()));
        assertTrue(Files.exists(run.root().resolve(RunLock.FILE)));
        RunLock.acquire(run.root(), "again"); // same process: granted
    }
}
