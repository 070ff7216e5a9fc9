package org.dpnas.common.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local slots: real bash processes, slot environment, re-attach by id, cancel. */
class LocalLauncherTest {

    private static Path script(Path dir, String id, String exec) throws Exception {
        TrialCommand t =
                new TrialCommand(id, List.of("ignored"), List.of("ignored"), dir.resolve(id), "f");
        return TrialScript.write(t, 1, dir.resolve("jobs"), exec, dir);
    }

    private static JobStatus await(TrialLauncher l, Job j, TrialState s) throws Exception {
        for (int i = 0; i < 200; i++) {
            JobStatus st = l.poll(List.of(j)).get(j.id());
            if (st.state() == s) {
                return st;
            }
            Thread.sleep(25);
        }
        throw new AssertionError(j.id() + " never reached " + s);
    }

    @Test
    void slotsDevicesExitCodesAndReattach(@TempDir Path dir) throws Exception {
        LocalLauncher l = new LocalLauncher(2, List.of("3", "5"));
        Path ok = script(dir, "ok", "bash -c 'echo slot=$DPNAS_SLOT gpu=$CUDA_VISIBLE_DEVICES'");
        Path bad = script(dir, "bad", "bash -c 'sleep 0.5; exit 4'");
        List<Job> jobs = l.submit(List.of(ok, bad), dir.resolve("jobs"), "n");
        assertThrows(
                IllegalStateException.class,
                () -> l.submit(List.of(ok), dir.resolve("jobs"), "n"),
                "both slots are busy");
        await(l, jobs.get(0), TrialState.COMPLETED);
        assertEquals("slot=0 gpu=3", Files.readString(jobs.get(0).log()).strip());
        // another launcher (a re-attached submitter) recognises the running job by its id
        LocalLauncher other = new LocalLauncher(2, List.of());
        assertEquals(
                TrialState.RUNNING, other.poll(List.of(jobs.get(1))).get(jobs.get(1).id()).state());
        JobStatus failed = await(other, jobs.get(1), TrialState.FAILED);
        assertEquals("4", failed.exitCode());
        // a pid that now belongs to another process (or none) is not mistaken for the job
        String[] f = jobs.get(1).id().split(":");
        Job stale =
                new Job(
                        "local:" + ProcessHandle.current().pid() + ":1:0",
                        dir.resolve("x"),
                        dir.resolve("nothing.sh"));
        assertEquals(TrialState.UNKNOWN, other.poll(List.of(stale)).get(stale.id()).state());
        assertEquals("local", f[0]);
    }

    @Test
    void cancelKillsTheTrialAndItsChildren(@TempDir Path dir) throws Exception {
        LocalLauncher l = new LocalLauncher(1, List.of());
        Path script = script(dir, "long", "sleep 60; true");
        Job j = l.submit(List.of(script), dir.resolve("jobs"), "n").get(0);
        await(l, j, TrialState.RUNNING);
        // a submitter that did not record the job finds it by its script
        Job found =
                new LocalLauncher(1, List.of())
                        .find(List.of(script), dir.resolve("jobs"))
                        .get(script);
        assertEquals(
                j.id().substring(0, j.id().lastIndexOf(':')),
                found.id().substring(0, found.id().lastIndexOf(':')));
        long t0 = System.nanoTime();
        l.cancel(List.of(j));
        Map<String, JobStatus> m;
        do {
            Thread.sleep(25);
            m = l.poll(List.of(j));
        } while (m.get(j.id()).state() == TrialState.RUNNING && System.nanoTime() - t0 < 10e9);
        assertTrue(m.get(j.id()).state() != TrialState.RUNNING, "still running after cancel");
        assertTrue(System.nanoTime() - t0 < 10e9);
    }
}
