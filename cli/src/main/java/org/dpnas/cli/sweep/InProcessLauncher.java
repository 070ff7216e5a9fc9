package org.dpnas.cli.sweep;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.dpnas.common.launch.Job;
import org.dpnas.common.launch.JobStatus;
import org.dpnas.common.launch.TrialCommand;
import org.dpnas.common.launch.TrialLauncher;
import org.dpnas.common.launch.TrialScript;
import org.dpnas.common.launch.TrialState;
import org.dpnas.common.run.AtomicFiles;

/**
 * The {@code inprocess} back-end of {@code dpnas sweep}: each trial's {@code dpnas} command runs in
 * the sweep's own process, one after another, during {@link #submit} (so it is finished when the
 * pool next polls). It keeps the launcher's bookkeeping — the trial's log, start time and exit code
 * beside the script the pool wrote — and the script's rule for a rerun (continue a run that holds a
 * checkpoint with the resume command, move a dead run without one aside), so a sweep directory
 * looks the same as with {@code local}. For small sweeps (a test, a laptop) where a JVM and
 * libtorch start per trial would cost more than the trial.
 */
final class InProcessLauncher implements TrialLauncher {

    /** Runs one {@code dpnas} command line in this process and returns its exit code. */
    interface Runner {
        /**
         * Runs the command.
         *
         * @param args the {@code dpnas} arguments
         * @param out its standard output
         * @param err its standard error
         * @return the exit code
         */
        int run(String[] args, PrintStream out, PrintStream err);
    }

    private final Map<String, TrialCommand> trials = new LinkedHashMap<>();
    private final Runner runner;

    /**
     * A launcher for the given trials.
     *
     * @param trials the sweep's trials (submitted scripts are matched to them by trial id)
     * @param runner what runs a command (the CLI's own dispatch)
     */
    InProcessLauncher(List<TrialCommand> trials, Runner runner) {
        trials.forEach(t -> this.trials.put(t.id(), t));
        this.runner = runner;
    }

    @Override
    public String backend() {
        return "inprocess";
    }

    @Override
    public int capacity() {
        return 1;
    }

    @Override
    public List<Job> submit(List<Path> scripts, Path jobsDir, String jobName) throws IOException {
        Files.createDirectories(jobsDir);
        List<Job> jobs = new ArrayList<>();
        for (Path script : scripts) {
            String stem = script.getFileName().toString().replaceFirst("\\.sh$", "");
            String id = stem.replaceFirst("\\.a[0-9]+$", "");
            TrialCommand trial = trials.get(id);
            if (trial == null || runner == null) {
                throw new IllegalStateException(
                        "the inprocess back-end cannot run trial " + id + " from here");
            }
            Path log = jobsDir.toAbsolutePath().resolve(stem + ".log");
            AtomicFiles.writeString(
                    TrialScript.startFile(script),
                    (System.currentTimeMillis() / 1000.0) + " inprocess\n");
            int code;
            try (OutputStream o =
                            Files.newOutputStream(
                                    log, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    PrintStream p = new PrintStream(o, true, StandardCharsets.UTF_8)) {
                List<String> args = arguments(trial);
                p.println("dpnas " + String.join(" ", args));
                try {
                    code = runner.run(args.toArray(new String[0]), p, p);
                } catch (RuntimeException e) {
                    e.printStackTrace(p);
                    code = 1;
                }
            }
            AtomicFiles.writeString(TrialScript.exitFile(script), code + "\n");
            jobs.add(new Job("inprocess:" + stem, log, script.toAbsolutePath()));
        }
        return jobs;
    }

    /**
     * The command of an attempt, as the trial script chooses it: the resume command when the run
     * holds a checkpoint, else the fresh command (a dead run without one moved aside first).
     */
    private static List<String> arguments(TrialCommand trial) throws IOException {
        Path run = trial.runDir();
        Path checkpoints = run.resolve("checkpoints");
        if (Files.isDirectory(checkpoints)) {
            try (Stream<Path> s = Files.list(checkpoints)) {
                if (s.anyMatch(Files::isDirectory)) {
                    return trial.resumeCommand();
                }
            }
        }
        if (Files.exists(run.resolve("config.resolved.json"))) {
            Files.move(
                    run,
                    run.resolveSibling(
                            run.getFileName() + ".attempt" + System.currentTimeMillis() / 1000));
        }
        return trial.command();
    }

    @Override
    public Map<String, JobStatus> poll(Collection<Job> jobs) {
        Map<String, JobStatus> out = new LinkedHashMap<>();
        for (Job j : jobs) {
            Optional<Integer> code = TrialScript.exitCode(j.script());
            if (code.isEmpty()) {
                out.put(j.id(), JobStatus.UNKNOWN);
            } else if (code.get() == 0) {
                out.put(j.id(), new JobStatus(TrialState.COMPLETED, "", "0", ""));
            } else {
                out.put(
                        j.id(),
                        new JobStatus(TrialState.FAILED, "", String.valueOf(code.get()), ""));
            }
        }
        return out;
    }

    @Override
    public void cancel(Collection<Job> jobs) {
        // a trial runs inside submit: nothing is running between two calls
    }
}
