package org.dpnas.common.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Slurm launcher's command lines and its squeue → scontrol → sacct fall-back, on a fake shell.
 */
class SlurmLauncherTest {

    /** A shell that records commands and answers from a function of the command line. */
    static final class FakeShell implements Shell {
        final List<List<String>> calls = new ArrayList<>();
        final Function<List<String>, Result> answer;

        FakeShell(Function<List<String>, Result> answer) {
            this.answer = answer;
        }

        @Override
        public Result run(List<String> command) {
            calls.add(command);
            return answer.apply(command);
        }
    }

    private static Shell.Result ok(String out) {
        return new Shell.Result(0, out, "");
    }

    @Test
    void sbatchAsksForTheArrayThrottleAndTheResources(@TempDir Path dir) throws IOException {
        SlurmSettings s =
                new SlurmSettings(
                        "gpu", "01:00:00", 4, "16G", "gpu:1", "vision", List.of("--qos=high"), 2);
        FakeShell shell = new FakeShell(c -> ok("4240\n"));
        SlurmLauncher l = new SlurmLauncher(s, shell);
        List<Path> scripts = List.of(dir.resolve("a.sh"), dir.resolve("b.sh"), dir.resolve("c.sh"));
        List<Job> jobs = l.submit(scripts, dir.resolve("jobs"), "dpnas-lr");
        Path jobsDir = dir.resolve("jobs").toAbsolutePath();
        assertEquals(
                List.of(
                        "sbatch",
                        "--parsable",
                        "--job-name=dpnas-lr",
                        "--array=0-2%2",
                        "--output=" + jobsDir.resolve("slurm-%A_%a.out"),
                        "--chdir=" + jobsDir,
                        "--partition=gpu",
                        "--time=01:00:00",
                        "--cpus-per-task=4",
                        "--mem=16G",
                        "--gres=gpu:1",
                        "--account=vision",
                        "--qos=high",
                        jobsDir.resolve("array-001.sh").toString()),
                shell.calls.get(0));
        assertEquals(List.of("4240_0", "4240_1", "4240_2"), jobs.stream().map(Job::id).toList());
        assertEquals(jobsDir.resolve("slurm-4240_1.out"), jobs.get(1).log());
        String array = Files.readString(jobsDir.resolve("array-001.sh"));
        assertTrue(array.contains("'" + scripts.get(2).toAbsolutePath() + "'"), array);
        assertTrue(array.contains("${scripts[$SLURM_ARRAY_TASK_ID]}"), array);
        // a second submission gets its own array script
        l.submit(scripts.subList(0, 1), dir.resolve("jobs"), "dpnas-lr");
        assertTrue(Files.exists(jobsDir.resolve("array-002.sh")));
        assertEquals("--array=0-0%2", shell.calls.get(1).get(3));
    }

    @Test
    void noThrottleNoResources(@TempDir Path dir) throws IOException {
        FakeShell shell = new FakeShell(c -> ok("7;cluster\n"));
        new SlurmLauncher(SlurmSettings.defaults(), shell)
                .submit(List.of(dir.resolve("a.sh"), dir.resolve("b.sh")), dir, "n");
        assertEquals("--array=0-1", shell.calls.get(0).get(3));
        assertEquals(7, shell.calls.get(0).size());
    }

    @Test
    void failedSbatchIsAnErrorWithSlurmsMessage(@TempDir Path dir) {
        FakeShell shell =
                new FakeShell(
                        c ->
                                new Shell.Result(
                                        1,
                                        "",
                                        "sbatch: error: invalid partition specified: gpux\n"));
        IOException e =
                assertThrows(
                        IOException.class,
                        () ->
                                new SlurmLauncher(SlurmSettings.defaults(), shell)
                                        .submit(List.of(dir.resolve("a.sh")), dir, "n"));
        assertTrue(e.getMessage().contains("invalid partition specified: gpux"), e.getMessage());
    }

    @Test
    void pollAsksScontrolForJobsSqueueNoLongerListsAndSacctOnlyWhenItWorks() throws IOException {
        String scontrol = SlurmOutputTest.sample("scontrol-22.05-done-oneline.txt");
        FakeShell shell =
                new FakeShell(
                        c ->
                                switch (c.get(0)) {
                                    case "squeue" -> ok("11_4|RUNNING|None\n");
                                    case "scontrol" -> ok(scontrol);
                                    case "sacct" ->
                                            new Shell.Result(
                                                    1, "", "Slurm accounting storage is disabled");
                                    default -> throw new AssertionError(c);
                                });
        SlurmLauncher l = new SlurmLauncher(SlurmSettings.defaults(), shell);
        Path p = Path.of("x");
        List<Job> jobs =
                List.of(new Job("11_1", p, p), new Job("11_4", p, p), new Job("99_0", p, p));
        Map<String, JobStatus> m = l.poll(jobs);
        assertEquals(TrialState.FAILED, m.get("11_1").state());
        assertEquals(TrialState.RUNNING, m.get("11_4").state());
        assertEquals(TrialState.UNKNOWN, m.get("99_0").state());
        assertEquals(
                List.of("squeue", "-h", "-r", "-j", "11,99", "-o", "%i|%T|%r"), shell.calls.get(0));
        assertEquals(List.of("scontrol", "-o", "show", "job", "11"), shell.calls.get(1));
        assertEquals(List.of("scontrol", "-o", "show", "job", "99"), shell.calls.get(2));
        assertEquals("sacct", shell.calls.get(3).get(0)); // the availability probe
        assertEquals(4, shell.calls.size());
    }

    @Test
    void pollUsesSacctWhenAccountingIsOn() throws IOException {
        String sacct = SlurmOutputTest.sample("sacct-23.11.txt");
        FakeShell shell =
                new FakeShell(
                        c ->
                                switch (c.get(0)) {
                                    case "squeue" -> ok("");
                                    case "scontrol" ->
                                            new Shell.Result(
                                                    1,
                                                    "",
                                                    "slurm_load_jobs error: Invalid job id"
                                                            + " specified");
                                    case "sacct" -> ok(c.contains("JobID") ? "" : sacct);
                                    default -> throw new AssertionError(c);
                                });
        Path p = Path.of("x");
        Map<String, JobStatus> m =
                new SlurmLauncher(SlurmSettings.defaults(), shell)
                        .poll(List.of(new Job("4240_3", p, p), new Job("4240_5", p, p)));
        assertEquals(TrialState.OUT_OF_MEMORY, m.get("4240_3").state());
        assertEquals(TrialState.CANCELLED, m.get("4240_5").state());
        List<String> last = shell.calls.get(shell.calls.size() - 1);
        assertEquals(
                List.of("sacct", "-n", "-P", "-X", "-j", "4240", "-o", "JobID,State,ExitCode"),
                last);
    }

    @Test
    void cancelNamesEveryTask() throws IOException {
        FakeShell shell = new FakeShell(c -> ok(""));
        Path p = Path.of("x");
        new SlurmLauncher(SlurmSettings.defaults(), shell)
                .cancel(List.of(new Job("5_0", p, p), new Job("5_2", p, p)));
        assertEquals(List.of("scancel", "5_0", "5_2"), shell.calls.get(0));
    }

    @Test
    void findReadsScontrolForTheArrayThatListsTheScripts(@TempDir Path dir) throws IOException {
        Path jobsDir = dir.resolve("jobs");
        List<Path> scripts = List.of(jobsDir.resolve("t0.a1.sh"), jobsDir.resolve("it's t1.a1.sh"));
        FakeShell submit = new FakeShell(c -> ok("77\n"));
        new SlurmLauncher(SlurmSettings.defaults(), submit).submit(scripts, jobsDir, "n");
        Path array = jobsDir.resolve("array-001.sh").toAbsolutePath();
        String scontrol =
                "JobId=78 ArrayJobId=77 ArrayTaskId=1 JobName=n JobState=RUNNING Command="
                        + array
                        + " WorkDir=/x\n"
                        + "JobId=77 ArrayJobId=77 ArrayTaskId=0 JobName=n JobState=COMPLETED"
                        + " Command="
                        + array
                        + "\n"
                        + "JobId=5 JobName=other JobState=RUNNING Command=/elsewhere/array-001.sh\n";
        FakeShell shell = new FakeShell(c -> ok(scontrol));
        Map<Path, Job> found =
                new SlurmLauncher(SlurmSettings.defaults(), shell).find(scripts, jobsDir);
        assertEquals(List.of("scontrol", "-o", "show", "job"), shell.calls.get(0));
        assertEquals("77_0", found.get(scripts.get(0)).id());
        assertEquals("77_1", found.get(scripts.get(1)).id());
        assertEquals(
                jobsDir.toAbsolutePath().resolve("slurm-77_1.out"),
                found.get(scripts.get(1)).log());
        assertEquals(
                Map.of(),
                new SlurmLauncher(SlurmSettings.defaults(), shell)
                        .find(List.of(jobsDir.resolve("never.sh")), jobsDir));
    }
}
