package org.dpnas.common.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Runs trials as processes on this machine, at most {@code slots} at once. Each process runs in a
 * slot with {@code DPNAS_SLOT} set and, when devices are given, {@code CUDA_VISIBLE_DEVICES} set to
 * the slot's device, so one GPU serves one slot. Job ids ({@code local:PID:START_MS:SLOT}) name the
 * process and its start time, so a later submitter recognises a process that is still running and
 * never mistakes a recycled process id for it; a finished process is read from its {@link
 * TrialScript#exitFile exit file}.
 */
public final class LocalLauncher implements TrialLauncher {

    private final int slots;
    private final List<String> devices;
    private final Map<Integer, String> busy = new TreeMap<>();

    /**
     * Creates a launcher.
     *
     * @param slots parallel processes, at least 1
     * @param devices one device per slot ({@code CUDA_VISIBLE_DEVICES} values), or empty
     * @throws IllegalArgumentException if slots &lt; 1 or devices are given but fewer than slots
     */
    public LocalLauncher(int slots, List<String> devices) {
        if (slots < 1) {
            throw new IllegalArgumentException("--slots must be at least 1, got " + slots);
        }
        if (!devices.isEmpty() && devices.size() < slots) {
            throw new IllegalArgumentException(
                    slots + " slots need " + slots + " devices, got " + devices);
        }
        this.slots = slots;
        this.devices = List.copyOf(devices);
    }

    @Override
    public String backend() {
        return "local";
    }

    @Override
    public int capacity() {
        return slots;
    }

    @Override
    public synchronized List<Job> submit(List<Path> scripts, Path jobsDir, String jobName)
            throws IOException {
        if (scripts.size() > slots - busy.size()) {
            throw new IllegalStateException(
                    scripts.size() + " trials for " + (slots - busy.size()) + " free slots");
        }
        Files.createDirectories(jobsDir);
        List<Job> jobs = new ArrayList<>();
        for (Path script : scripts) {
            int slot = 0;
            while (busy.containsKey(slot)) {
                slot++;
            }
            String stem = script.getFileName().toString().replaceFirst("\\.sh$", "");
            Path log = jobsDir.toAbsolutePath().resolve(stem + ".log");
            ProcessBuilder pb = new ProcessBuilder("bash", script.toAbsolutePath().toString());
            pb.redirectErrorStream(true);
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("DPNAS_SLOT", String.valueOf(slot));
            pb.environment().put("DPNAS_JOB_NAME", jobName);
            if (!devices.isEmpty()) {
                pb.environment().put("CUDA_VISIBLE_DEVICES", devices.get(slot));
            }
            Process p = pb.start();
            long start = startMillis(p.toHandle());
            String id = "local:" + p.pid() + ":" + start + ":" + slot;
            busy.put(slot, id);
            jobs.add(new Job(id, log, script.toAbsolutePath()));
        }
        return jobs;
    }

    @Override
    public synchronized Map<String, JobStatus> poll(Collection<Job> jobs) {
        Map<String, JobStatus> result = new LinkedHashMap<>();
        for (Job j : jobs) {
            int slot = slotOf(j.id());
            if (process(j.id()).isPresent()) {
                result.put(j.id(), new JobStatus(TrialState.RUNNING, "running", "", ""));
                if (slot >= 0) {
                    busy.put(slot, j.id());
                }
                continue;
            }
            if (slot >= 0 && j.id().equals(busy.get(slot))) {
                busy.remove(slot);
            }
            Optional<Integer> code = TrialScript.exitCode(j.script());
            if (code.isEmpty()) {
                result.put(j.id(), JobStatus.UNKNOWN);
            } else if (code.get() == 0) {
                result.put(j.id(), new JobStatus(TrialState.COMPLETED, "", "0", ""));
            } else {
                result.put(
                        j.id(),
                        new JobStatus(TrialState.FAILED, "", String.valueOf(code.get()), ""));
            }
        }
        return result;
    }

    /** Finds live processes ({@code bash SCRIPT}) started for these scripts. */
    @Override
    public synchronized Map<Path, Job> find(List<Path> scripts, Path jobsDir) {
        Map<Path, Job> found = new LinkedHashMap<>();
        ProcessHandle.allProcesses()
                .forEach(
                        h -> {
                            String[] args = h.info().arguments().orElse(new String[0]);
                            for (Path s : scripts) {
                                String path = s.toAbsolutePath().toString();
                                if (args.length == 1 && args[0].equals(path)) {
                                    String stem =
                                            s.getFileName().toString().replaceFirst("\\.sh$", "");
                                    long start = startMillis(h);
                                    found.put(
                                            s,
                                            new Job(
                                                    "local:" + h.pid() + ":" + start + ":-1",
                                                    jobsDir.toAbsolutePath().resolve(stem + ".log"),
                                                    s.toAbsolutePath()));
                                }
                            }
                        });
        return found;
    }

    @Override
    public synchronized void cancel(Collection<Job> jobs) {
        for (Job j : jobs) {
            process(j.id())
                    .ifPresent(
                            p -> {
                                p.descendants().forEach(ProcessHandle::destroy);
                                p.destroy();
                            });
        }
    }

    /** The live process a job id names, if it still runs (same pid and start time). */
    static Optional<ProcessHandle> process(String id) {
        String[] f = id.split(":");
        if (f.length != 4 || !f[0].equals("local")) {
            return Optional.empty();
        }
        long pid;
        long start;
        try {
            pid = Long.parseLong(f[1]);
            start = Long.parseLong(f[2]);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(
                        h ->
                                start == 0
                                        || h.info()
                                                .startInstant()
                                                .map(i -> i.toEpochMilli() == start)
                                                .orElse(false));
    }

    /**
     * The process's start time in epoch milliseconds; right after a fork the kernel's record may
     * not be readable yet, so this asks a few times.
     */
    private static long startMillis(ProcessHandle h) {
        for (int i = 0; i < 100; i++) {
            Optional<Instant> t = h.info().startInstant();
            if (t.isPresent()) {
                return t.get().toEpochMilli();
            }
            if (!h.isAlive()) {
                break;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return 0; // unknown: the id then matches any live process with this pid
    }

    private static int slotOf(String id) {
        String[] f = id.split(":");
        try {
            return f.length == 4 ? Integer.parseInt(f[3]) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
