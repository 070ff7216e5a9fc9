package org.dpnas.common.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dpnas.common.run.AtomicFiles;

/**
 * Runs trials as Slurm job arrays: one {@code sbatch --array=0-K%M} per submission, whose task
 * {@code i} runs the {@code i}-th trial script; output goes to {@code JOBS/slurm-ARRAY_TASK.out}.
 * States come from {@code squeue} for queued and running jobs, {@code scontrol show job} for jobs
 * that ended within the cluster's {@code MinJobAge}, and {@code sacct} when accounting is on.
 */
public final class SlurmLauncher implements TrialLauncher {

    private final SlurmSettings settings;
    private final Shell shell;
    private Boolean sacct;

    /**
     * Creates a launcher.
     *
     * @param settings resources and throttle of every submission
     * @param shell runs {@code sbatch}, {@code squeue}, ... ({@link Shell#system()})
     */
    public SlurmLauncher(SlurmSettings settings, Shell shell) {
        this.settings = settings;
        this.shell = shell;
    }

    @Override
    public String backend() {
        return "slurm";
    }

    @Override
    public int capacity() {
        return Integer.MAX_VALUE;
    }

    /** The settings. */
    public SlurmSettings settings() {
        return settings;
    }

    /** The {@code sbatch} command line for an array of {@code n} scripts. */
    public List<String> sbatchCommand(int n, Path arrayScript, Path jobsDir, String jobName) {
        List<String> c = new ArrayList<>(List.of("sbatch", "--parsable"));
        c.add("--job-name=" + jobName);
        c.add("--array=0-" + (n - 1) + (settings.throttle() > 0 ? "%" + settings.throttle() : ""));
        c.add("--output=" + jobsDir.toAbsolutePath().resolve("slurm-%A_%a.out"));
        c.add("--chdir=" + jobsDir.toAbsolutePath());
        c.addAll(settings.sbatchOptions());
        c.add(arrayScript.toAbsolutePath().toString());
        return c;
    }

    @Override
    public List<Job> submit(List<Path> scripts, Path jobsDir, String jobName) throws IOException {
        if (scripts.isEmpty()) {
            return List.of();
        }
        Files.createDirectories(jobsDir);
        int n = 1;
        while (Files.exists(jobsDir.resolve(String.format("array-%03d.sh", n)))) {
            n++;
        }
        Path array = jobsDir.resolve(String.format("array-%03d.sh", n)).toAbsolutePath();
        StringBuilder sb = new StringBuilder("#!/usr/bin/env bash\n");
        sb.append("# one task per trial script (written by the dpnas trial launcher)\n");
        sb.append("scripts=(\n");
        for (Path s : scripts) {
            sb.append("  ").append(TrialScript.quote(s.toAbsolutePath().toString())).append('\n');
        }
        sb.append(")\n");
        sb.append("exec bash \"${scripts[$SLURM_ARRAY_TASK_ID]}\"\n");
        AtomicFiles.writeString(array, sb.toString());
        Shell.Result r = shell.run(sbatchCommand(scripts.size(), array, jobsDir, jobName));
        if (r.code() != 0) {
            throw new IOException("sbatch failed (exit " + r.code() + "): " + r.message());
        }
        String id;
        try {
            id = SlurmOutput.sbatchJobId(r.out());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < scripts.size(); i++) {
            String task = id + "_" + i;
            jobs.add(
                    new Job(
                            task,
                            jobsDir.toAbsolutePath().resolve("slurm-" + task + ".out"),
                            scripts.get(i).toAbsolutePath()));
        }
        return jobs;
    }

    @Override
    public Map<String, JobStatus> poll(Collection<Job> jobs) throws IOException {
        Map<String, JobStatus> result = new LinkedHashMap<>();
        if (jobs.isEmpty()) {
            return result;
        }
        Set<String> arrays = new LinkedHashSet<>();
        for (Job j : jobs) {
            arrays.add(SlurmOutput.arrayJobId(j.id()));
        }
        Map<String, JobStatus> known = new LinkedHashMap<>();
        Shell.Result q =
                shell.run(
                        List.of(
                                "squeue",
                                "-h",
                                "-r",
                                "-j",
                                String.join(",", arrays),
                                "-o",
                                SlurmOutput.SQUEUE_FORMAT));
        if (q.code() == 0) {
            known.putAll(SlurmOutput.squeue(q.out()));
        } else if (!q.message().contains("Invalid job id")) {
            throw new IOException("squeue failed (exit " + q.code() + "): " + q.message());
        }
        Set<String> missing = missingArrays(jobs, known);
        for (String array : missing) {
            Shell.Result s = shell.run(List.of("scontrol", "-o", "show", "job", array));
            if (s.code() == 0) {
                SlurmOutput.scontrol(s.out()).forEach(known::putIfAbsent);
            }
        }
        missing = missingArrays(jobs, known);
        if (!missing.isEmpty() && sacctAvailable()) {
            Shell.Result a =
                    shell.run(
                            List.of(
                                    "sacct",
                                    "-n",
                                    "-P",
                                    "-X",
                                    "-j",
                                    String.join(",", missing),
                                    "-o",
                                    SlurmOutput.SACCT_FIELDS));
            if (a.code() == 0) {
                SlurmOutput.sacct(a.out()).forEach(known::putIfAbsent);
            }
        }
        for (Job j : jobs) {
            result.put(j.id(), known.getOrDefault(j.id(), JobStatus.UNKNOWN));
        }
        return result;
    }

    private static Set<String> missingArrays(Collection<Job> jobs, Map<String, JobStatus> known) {
        Set<String> missing = new LinkedHashSet<>();
        for (Job j : jobs) {
            if (!known.containsKey(j.id())) {
                missing.add(SlurmOutput.arrayJobId(j.id()));
            }
        }
        return missing;
    }

    /** Whether {@code sacct} answers (it fails when the cluster keeps no accounting). */
    private boolean sacctAvailable() {
        if (sacct == null) {
            try {
                sacct =
                        shell.run(List.of("sacct", "-n", "-X", "-j", "1", "-o", "JobID")).code()
                                == 0;
            } catch (IOException e) {
                sacct = false;
            }
        }
        return sacct;
    }

    /**
     * Looks for the array scripts in {@code jobsDir} that list these trial scripts and asks {@code
     * scontrol} (which knows queued, running and recently ended jobs) for jobs running them.
     */
    @Override
    public Map<Path, Job> find(List<Path> scripts, Path jobsDir) throws IOException {
        Map<Path, Job> found = new LinkedHashMap<>();
        List<Path> arrays = new ArrayList<>();
        if (Files.isDirectory(jobsDir)) {
            try (var s = Files.list(jobsDir)) {
                s.filter(p -> p.getFileName().toString().matches("array-\\d+\\.sh"))
                        .sorted()
                        .forEach(arrays::add);
            }
        }
        Map<String, List<Path>> listed = new LinkedHashMap<>();
        for (Path a : arrays) {
            List<Path> in = new ArrayList<>();
            for (String line : Files.readAllLines(a)) {
                String t = line.strip();
                if (t.startsWith("'") && t.endsWith("'")) {
                    in.add(Path.of(t.substring(1, t.length() - 1).replace("'\\''", "'")));
                }
            }
            if (scripts.stream().anyMatch(x -> in.contains(x.toAbsolutePath()))) {
                listed.put(a.toAbsolutePath().toString(), in);
            }
        }
        if (listed.isEmpty()) {
            return found;
        }
        Shell.Result r = shell.run(List.of("scontrol", "-o", "show", "job"));
        if (r.code() != 0) {
            throw new IOException("scontrol failed (exit " + r.code() + "): " + r.message());
        }
        for (Map<String, String> rec : SlurmOutput.scontrolRecords(r.out())) {
            List<Path> in = listed.get(rec.get("Command"));
            String array = rec.getOrDefault("ArrayJobId", rec.get("JobId"));
            if (in == null || array == null) {
                continue;
            }
            for (Path script : scripts) {
                int i = in.indexOf(script.toAbsolutePath());
                if (i >= 0) {
                    String id = array + "_" + i;
                    found.put(
                            script,
                            new Job(
                                    id,
                                    jobsDir.toAbsolutePath().resolve("slurm-" + id + ".out"),
                                    script.toAbsolutePath()));
                }
            }
        }
        return found;
    }

    @Override
    public void cancel(Collection<Job> jobs) throws IOException {
        if (jobs.isEmpty()) {
            return;
        }
        List<String> c = new ArrayList<>(List.of("scancel"));
        for (Job j : jobs) {
            c.add(j.id());
        }
        Shell.Result r = shell.run(c);
        if (r.code() != 0 && !r.message().contains("Invalid job id")) {
            throw new IOException("scancel failed (exit " + r.code() + "): " + r.message());
        }
    }
}
