package org.dpnas.common.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Parsing what Slurm prints. The {@code *-22.05-*} samples were captured from Debian 12's Slurm
 * 22.05.8 (the single-node cluster of {@code .ci/slurm-up.sh}); the {@code *-23.11-*} samples and
 * the sacct samples (that cluster keeps no accounting) are written after Slurm 23.11's and 22.05's
 * documented formats: multi-line records, values with spaces, TIMEOUT, OUT_OF_MEMORY, NODE_FAIL,
 * {@code CANCELLED by UID}, {@code CANCELLED+}, job steps and grouped pending tasks.
 */
class SlurmOutputTest {

    static String sample(String name) throws IOException {
        try (InputStream in = SlurmOutputTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void assertState(Map<String, JobStatus> m, String id, TrialState s) {
        assertEquals(s, m.get(id) == null ? null : m.get(id).state(), id + " in " + m.keySet());
    }

    @Test
    void sbatchParsableIsTheJobIdWithOrWithoutCluster() {
        assertEquals("17", SlurmOutput.sbatchJobId("17\n"));
        assertEquals("4240", SlurmOutput.sbatchJobId("4240;gpu-cluster\n"));
        assertEquals("9", SlurmOutput.sbatchJobId("sbatch: warning: can't honor --mem\n9\n"));
        assertThrows(
                IllegalArgumentException.class,
                () -> SlurmOutput.sbatchJobId("sbatch: error: Batch job submission failed"));
    }

    @Test
    void squeue2205ExpandedAndGroupedGiveTheSameTasks() throws IOException {
        Map<String, JobStatus> r = SlurmOutput.squeue(sample("squeue-22.05-r.txt"));
        Map<String, JobStatus> g = SlurmOutput.squeue(sample("squeue-22.05-grouped.txt"));
        assertEquals(List.of("11_2", "11_3", "11_4", "11_1", "11_0"), List.copyOf(r.keySet()));
        assertEquals(r.keySet(), g.keySet());
        assertState(g, "11_3", TrialState.PENDING);
        assertEquals("JobArrayTaskLimit", g.get("11_4").reason());
        assertState(r, "11_0", TrialState.RUNNING);
    }

    @Test
    void squeue2311() throws IOException {
        Map<String, JobStatus> m = SlurmOutput.squeue(sample("squeue-23.11-r.txt"));
        assertEquals(7, m.size());
        assertState(m, "4240_0", TrialState.RUNNING); // COMPLETING
        assertState(m, "4240_7", TrialState.PENDING);
        assertState(m, "4251", TrialState.PENDING);
        assertEquals("ReqNodeNotAvail, UnavailableNodes:gpu018", m.get("4252").reason());
    }

    @Test
    void scontrol2205OneLineRecordsOfAFinishedArray() throws IOException {
        Map<String, JobStatus> m = SlurmOutput.scontrol(sample("scontrol-22.05-done-oneline.txt"));
        assertEquals(5, m.size());
        assertState(m, "11_0", TrialState.COMPLETED);
        assertState(m, "11_1", TrialState.FAILED);
        assertEquals("2:0", m.get("11_1").exitCode());
        assertEquals("NonZeroExitCode", m.get("11_1").reason());
        assertState(m, "11_4", TrialState.COMPLETED);
    }

    @Test
    void scontrol2205MultiLineEqualsOneLine() throws IOException {
        assertEquals(
                SlurmOutput.scontrol(sample("scontrol-22.05-done-oneline.txt")),
                SlurmOutput.scontrol(sample("scontrol-22.05-done.txt")));
    }

    @Test
    void scontrol2205RunningArrayExpandsThePendingMetaRecord() throws IOException {
        Map<String, JobStatus> m =
                SlurmOutput.scontrol(sample("scontrol-22.05-running-oneline.txt"));
        assertEquals(5, m.size(), m.toString());
        assertState(m, "11_0", TrialState.RUNNING);
        assertState(m, "11_2", TrialState.PENDING);
        assertState(m, "11_4", TrialState.PENDING);
    }

    @Test
    void scontrol2205Timeout() throws IOException {
        Map<String, JobStatus> m =
                SlurmOutput.scontrol(sample("scontrol-22.05-timeout-oneline.txt"));
        assertEquals(1, m.size());
        JobStatus s = m.values().iterator().next();
        assertEquals(TrialState.TIMEOUT, s.state());
        assertEquals("TimeLimit", s.reason());
    }

    @Test
    void scontrol2311MultiLineWithSpacesInValues() throws IOException {
        String text = sample("scontrol-23.11-ended.txt");
        Map<String, JobStatus> m = SlurmOutput.scontrol(text);
        assertEquals(
                List.of("4240_2", "4240_3", "4240_4", "4240_5", "4240_6", "4240_7"),
                List.copyOf(m.keySet()));
        assertState(m, "4240_2", TrialState.TIMEOUT);
        assertEquals("0:15", m.get("4240_2").exitCode());
        assertState(m, "4240_3", TrialState.OUT_OF_MEMORY);
        assertEquals("OutOfMemory", m.get("4240_3").reason());
        assertState(m, "4240_4", TrialState.NODE_FAIL);
        assertState(m, "4240_6", TrialState.PENDING);
        Map<String, String> first = SlurmOutput.scontrolRecords(text).get(0);
        assertEquals("dpnas-lr sweep", first.get("JobName"));
        assertEquals("/home/ana/sweeps/lr sweep/jobs/slurm-4240_2.out", first.get("StdOut"));
        assertEquals("cpu=4,mem=16G,node=1,billing=4,gres/gpu=1", first.get("AllocTRES"));
        assertEquals("login01:81234", first.get("AllocNode:Sid"));
    }

    @Test
    void sacct2311() throws IOException {
        Map<String, JobStatus> m = SlurmOutput.sacct(sample("sacct-23.11.txt"));
        assertState(m, "4240_0", TrialState.COMPLETED);
        assertState(m, "4240_1", TrialState.FAILED);
        assertEquals("1:0", m.get("4240_1").exitCode());
        assertState(m, "4240_2", TrialState.TIMEOUT);
        assertState(m, "4240_3", TrialState.OUT_OF_MEMORY);
        assertState(m, "4240_4", TrialState.NODE_FAIL);
        assertState(m, "4240_5", TrialState.CANCELLED);
        assertEquals("CANCELLED by 1000", m.get("4240_5").raw());
        assertState(m, "4240_6", TrialState.CANCELLED);
        assertState(m, "4240_7", TrialState.PENDING);
    }

    @Test
    void sacct2205SkipsStepsAndExpandsPending() throws IOException {
        Map<String, JobStatus> m = SlurmOutput.sacct(sample("sacct-22.05-steps.txt"));
        assertEquals(List.of("312_0", "312_1", "312_2", "312_3", "312_4"), List.copyOf(m.keySet()));
        assertState(m, "312_1", TrialState.PREEMPTED);
    }

    @Test
    void expandTaskLists() {
        assertEquals(List.of("7_0", "7_1", "7_2", "7_5"), SlurmOutput.expand("7_[0-2,5%3]"));
        assertEquals(List.of("7_0", "7_2", "7_4"), SlurmOutput.expand("7_[0-4:2]"));
        assertEquals(List.of("7_3"), SlurmOutput.expand("7_3"));
        assertEquals(List.of("42"), SlurmOutput.expand("42"));
        assertEquals("7", SlurmOutput.arrayJobId("7_3"));
        assertEquals("42", SlurmOutput.arrayJobId("42"));
    }

    @Test
    void everySlurmStateWordIsMapped() {
        String[][] cases = {
            {"PENDING", "PENDING"},
            {"CONFIGURING", "PENDING"},
            {"REQUEUED", "PENDING"},
            {"RUNNING", "RUNNING"},
            {"COMPLETING", "RUNNING"},
            {"SUSPENDED", "RUNNING"},
            {"COMPLETED", "COMPLETED"},
            {"FAILED", "FAILED"},
            {"BOOT_FAIL", "FAILED"},
            {"DEADLINE", "FAILED"},
            {"CANCELLED by 0", "CANCELLED"},
            {"CANCELLED+", "CANCELLED"},
            {"TIMEOUT", "TIMEOUT"},
            {"OUT_OF_MEMORY", "OUT_OF_MEMORY"},
            {"NODE_FAIL", "NODE_FAIL"},
            {"PREEMPTED", "PREEMPTED"},
            {"SOMETHING_NEW", "UNKNOWN"},
        };
        for (String[] c : cases) {
            assertEquals(TrialState.valueOf(c[1]), TrialState.fromSlurm(c[0]), c[0]);
        }
    }
}
