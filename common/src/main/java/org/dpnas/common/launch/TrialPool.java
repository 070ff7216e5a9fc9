package org.dpnas.common.launch;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dpnas.common.run.AtomicFiles;

/**
 * Trials handed to a {@link TrialLauncher}, with their states kept in {@code DIR/state.json} so
 * that a later process re-attaches: trials that finished stay finished, jobs that still run are
 * polled again, and trials whose job nobody knows any more are submitted again (resuming their run
 * from its last checkpoint). One process at a time holds a pool directory ({@code DIR/.lock}).
 *
 * <p>Use: {@link #attach}, {@link #add} the trials, then call {@link #step} until {@link
 * #finished}; {@link #step} polls, records what ended (reading the trial's result file), submits
 * retries and waiting trials within the launcher's capacity, and saves the state atomically. A
 * multi-trial search adds trials as it goes and reads the ones {@link #step} returns.
 */
public final class TrialPool implements AutoCloseable {

    /** Name of the state file in the pool directory. */
    public static final String STATE_FILE = "state.json";

    /** Lines of a job's log quoted in a failure message. */
    public static final int TAIL_LINES = 15;

    private final Path dir;
    private final TrialLauncher launcher;
    private final String exec;
    private final int retries;
    private final String jobName;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Map<String, TrialRecord> records = new LinkedHashMap<>();
    private boolean stopped;
    private final Map<String, Path> inFlight = new LinkedHashMap<>();

    private TrialPool(
            Path dir,
            TrialLauncher launcher,
            String exec,
            int retries,
            String jobName,
            FileChannel lockChannel,
            FileLock lock) {
        this.dir = dir;
        this.launcher = launcher;
        this.exec = exec;
        this.retries = retries;
        this.jobName = jobName;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Takes a pool directory: locks it, reads its state if there is one (interrupted and lost
     * trials become waiting), and checks it was run with the same back-end.
     *
     * @param dir the pool directory (created if absent)
     * @param launcher where trials run
     * @param exec the shell fragment that runs {@code dpnas} inside a job
     * @param retries how often a failed trial is submitted again
     * @param jobName the job name the scheduler shows
     * @return the pool; close it to release the directory
     * @throws IOException if another process holds the directory, or its state cannot be read
     * @throws IllegalArgumentException if the directory was run with another back-end
     */
    public static TrialPool attach(
            Path dir, TrialLauncher launcher, String exec, int retries, String jobName)
            throws IOException {
        if (retries < 0) {
            throw new IllegalArgumentException("--retries must be >= 0, got " + retries);
        }
        Path abs = dir.toAbsolutePath().normalize();
        Files.createDirectories(abs);
        FileChannel ch =
                FileChannel.open(
                        abs.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null; // held by this JVM
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            ch.close();
            throw new IOException(
                    abs
                            + " is in use by another dpnas process (it holds "
                            + abs.resolve(".lock")
                            + "); wait for it or stop it first");
        }
        TrialPool pool = new TrialPool(abs, launcher, exec, retries, jobName, ch, lock);
        try {
            Path state = abs.resolve(STATE_FILE);
            if (Files.exists(state)) {
                JsonObject o = JsonParser.parseString(Files.readString(state)).getAsJsonObject();
                String backend = o.get("backend").getAsString();
                if (!backend.equals(launcher.backend())) {
                    throw new IllegalArgumentException(
                            abs
                                    + " was run with --backend "
                                    + backend
                                    + "; rerun it with --backend "
                                    + backend);
                }
                for (TrialRecord r : readRecords(o)) {
                    if (r.state() == TrialState.INTERRUPTED || r.state() == TrialState.LOST) {
                        r.state(TrialState.WAITING);
                    }
                    pool.records.put(r.id(), r);
                }
                if (o.has("in_flight")) {
                    o.getAsJsonObject("in_flight")
                            .entrySet()
                            .forEach(
                                    e ->
                                            pool.inFlight.put(
                                                    e.getKey(),
                                                    Path.of(e.getValue().getAsString())));
                    pool.recoverInFlight();
                }
            }
        } catch (RuntimeException | IOException e) {
            pool.close();
            throw e;
        }
        return pool;
    }

    /**
     * A submission that was started but not recorded (the submitter died in between): the jobs the
     * launcher finds for its scripts are recorded as submitted; the other trials stay waiting.
     */
    private void recoverInFlight() throws IOException {
        List<Path> scripts = new ArrayList<>(inFlight.values());
        Map<Path, Job> found = launcher.find(scripts, jobsDir());
        double now = System.currentTimeMillis() / 1000.0;
        for (Map.Entry<String, Path> e : inFlight.entrySet()) {
            TrialRecord r = records.get(e.getKey());
            Job j = found.get(e.getValue());
            if (r != null && j != null && r.state() == TrialState.WAITING) {
                r.submitted(j, now);
                r.message("re-attached to job " + j.id() + " (its submission was not recorded)");
            }
        }
        inFlight.clear();
        save();
    }

    /**
     * Reads a pool directory's trials without taking it (for status and reports).
     *
     * @param dir the pool directory
     * @return the trials in order
     * @throws IOException if there is no readable {@code state.json}
     */
    public static List<TrialRecord> read(Path dir) throws IOException {
        Path state = dir.resolve(STATE_FILE);
        if (!Files.exists(state)) {
            throw new java.nio.file.NoSuchFileException(
                    state.toString(), null, "no state.json: not a sweep directory (yet)");
        }
        return readRecords(JsonParser.parseString(Files.readString(state)).getAsJsonObject());
    }

    /** The back-end a pool directory was run with, from its {@code state.json}. */
    public static String backendOf(Path dir) throws IOException {
        JsonObject o =
                JsonParser.parseString(Files.readString(dir.resolve(STATE_FILE))).getAsJsonObject();
        return o.get("backend").getAsString();
    }

    private static List<TrialRecord> readRecords(JsonObject o) {
        List<TrialRecord> rs = new ArrayList<>();
        for (var e : o.getAsJsonArray("trials")) {
            rs.add(TrialRecord.fromJson(e.getAsJsonObject()));
        }
        return rs;
    }

    /** The pool directory. */
    public Path dir() {
        return dir;
    }

    /** Where trial scripts, job logs and exit files live: {@code DIR/jobs}. */
    public Path jobsDir() {
        return dir.resolve("jobs");
    }

    /**
     * Adds a trial, or returns the one with its id if the pool has it already (re-attaching).
     *
     * @param trial the trial
     * @return its record
     * @throws IllegalArgumentException if a trial with this id but another command exists
     */
    public synchronized TrialRecord add(TrialCommand trial) {
        TrialRecord known = records.get(trial.id());
        if (known != null) {
            if (!known.trial().equals(trial)) {
                throw new IllegalArgumentException(
                        "trial "
                                + trial.id()
                                + " in "
                                + dir
                                + " ran "
                                + String.join(" ", known.trial().command())
                                + ", not "
                                + String.join(" ", trial.command()));
            }
            return known;
        }
        TrialRecord r = new TrialRecord(trial);
        records.put(trial.id(), r);
        return r;
    }

    /** The trials in the order they were added. */
    public synchronized List<TrialRecord> records() {
        return List.copyOf(records.values());
    }

    /** Whether every trial is final (completed, cancelled, or failed with no retry left). */
    public synchronized boolean finished() {
        return records.values().stream().allMatch(r -> r.state().isFinal());
    }

    /**
     * Polls the active jobs, records the ones that ended, submits waiting trials, saves.
     *
     * @return the trials that reached a final state in this step
     * @throws IOException if the scheduler cannot be asked or submission fails
     */
    public synchronized List<TrialRecord> step() throws IOException {
        if (stopped) {
            return List.of();
        }
        List<TrialRecord> ended = refresh();
        submitWaiting(System.currentTimeMillis() / 1000.0);
        return ended;
    }

    /**
     * Polls the active jobs and records the ones that ended, without submitting anything; saves.
     *
     * @return the trials that reached a final state
     * @throws IOException if the scheduler cannot be asked
     */
    public synchronized List<TrialRecord> refresh() throws IOException {
        double now = System.currentTimeMillis() / 1000.0;
        List<TrialRecord> ended = new ArrayList<>();
        List<TrialRecord> active = new ArrayList<>();
        for (TrialRecord r : records.values()) {
            if (r.state().isActive() && r.job() != null) {
                active.add(r);
            }
        }
        if (!active.isEmpty()) {
            Map<String, JobStatus> st =
                    launcher.poll(active.stream().map(TrialRecord::job).toList());
            for (TrialRecord r : active) {
                apply(r, st.getOrDefault(r.job().id(), JobStatus.UNKNOWN), now);
                if (r.state().isFinal()) {
                    ended.add(r);
                }
            }
        }
        save();
        return ended;
    }

    private void apply(TrialRecord r, JobStatus s, double now) {
        TrialScript.startTime(r.job().script()).ifPresent(r::started);
        switch (s.state()) {
            case PENDING -> r.state(TrialState.PENDING);
            case RUNNING -> r.state(TrialState.RUNNING);
            case COMPLETED -> exited(r, 0, now, "");
            case CANCELLED -> {
                r.state(TrialState.CANCELLED);
                r.message("cancelled (" + s.raw() + ")");
                r.ended(now);
            }
            case UNKNOWN -> {
                var code = TrialScript.exitCode(r.job().script());
                if (code.isPresent()) {
                    exited(r, code.get(), now, " (the scheduler no longer reports the job)");
                } else if (Files.exists(r.trial().result())) {
                    r.state(TrialState.COMPLETED);
                    r.ended(now);
                } else {
                    r.state(TrialState.LOST);
                    r.message(
                            "lost: job "
                                    + r.job().id()
                                    + " is unknown to the scheduler and left no exit code;"
                                    + " submitted again");
                    r.state(TrialState.WAITING);
                }
            }
            default -> fail(r, s.state(), describe(s), now);
        }
    }

    private static String describe(JobStatus s) {
        List<String> parts = new ArrayList<>();
        if (!s.raw().isEmpty() && !s.raw().equals(s.state().name())) {
            parts.add(s.raw());
        }
        if (!s.exitCode().isEmpty()) {
            parts.add("exit code " + s.exitCode());
        }
        if (!s.reason().isEmpty() && !s.reason().equals("None")) {
            parts.add("reason " + s.reason());
        }
        return String.join(", ", parts);
    }

    private void exited(TrialRecord r, int code, double now, String note) {
        if (code != 0) {
            fail(r, TrialState.FAILED, "exit code " + code + note, now);
        } else if (!Files.exists(r.trial().result())) {
            fail(
                    r,
                    TrialState.FAILED,
                    "exited with 0 but wrote no " + r.trial().resultFile() + note,
                    now);
        } else {
            r.state(TrialState.COMPLETED);
            r.message("");
            r.ended(now);
        }
    }

    private void fail(TrialRecord r, TrialState state, String what, double now) {
        r.failed();
        String tail = tail(r.job().log(), TAIL_LINES);
        String msg =
                state
                        + " ("
                        + what
                        + ") in job "
                        + r.job().id()
                        + "; last lines of "
                        + r.job().log()
                        + ":\n"
                        + tail;
        if (r.failures() <= retries) {
            r.state(TrialState.WAITING);
            r.message(msg + "\nsubmitted again (retry " + r.failures() + " of " + retries + ")");
        } else {
            r.state(state);
            r.message(msg);
            r.ended(now);
        }
    }

    private void submitWaiting(double now) throws IOException {
        long activeCount = records.values().stream().filter(r -> r.state().isActive()).count();
        long free = launcher.capacity() - activeCount;
        List<TrialRecord> batch = new ArrayList<>();
        for (TrialRecord r : records.values()) {
            if (batch.size() >= free) {
                break;
            }
            if (r.state() == TrialState.WAITING) {
                batch.add(r);
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        List<Path> scripts = new ArrayList<>();
        for (TrialRecord r : batch) {
            scripts.add(
                    TrialScript.write(
                            r.trial(),
                            r.attempts() + 1,
                            jobsDir(),
                            exec,
                            Path.of("").toAbsolutePath()));
        }
        for (int i = 0; i < batch.size(); i++) {
            inFlight.put(batch.get(i).id(), scripts.get(i));
        }
        save(); // a submitter killed during the submission finds its jobs from these scripts
        List<Job> jobs;
        try {
            jobs = launcher.submit(scripts, jobsDir(), jobName);
        } catch (IOException | RuntimeException e) {
            inFlight.clear();
            save();
            throw e;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).submitted(jobs.get(i), now);
        }
        inFlight.clear();
        save();
    }

    /**
     * Cancels every active job and marks the trials; waiting trials are marked too when {@code as}
     * is {@link TrialState#CANCELLED} and kept waiting when it is {@link TrialState#INTERRUPTED}
     * (so the next run submits them); after an interruption {@link #step} does nothing.
     *
     * @param as {@link TrialState#CANCELLED} or {@link TrialState#INTERRUPTED}
     * @param why the message recorded with each trial
     * @return the trials whose job was cancelled
     * @throws IOException if the scheduler refuses
     */
    public synchronized List<TrialRecord> cancelAll(TrialState as, String why) throws IOException {
        List<TrialRecord> active = new ArrayList<>();
        for (TrialRecord r : records.values()) {
            if (r.state().isActive() && r.job() != null) {
                active.add(r);
            }
        }
        if (as == TrialState.INTERRUPTED) {
            stopped = true;
        }
        launcher.cancel(active.stream().map(TrialRecord::job).toList());
        double now = System.currentTimeMillis() / 1000.0;
        for (TrialRecord r : records.values()) {
            if (r.state().isActive()
                    || (as == TrialState.CANCELLED && r.state() == TrialState.WAITING)) {
                r.state(as);
                r.message(why);
                if (as == TrialState.CANCELLED) {
                    r.ended(now);
                }
            }
        }
        save();
        return active;
    }

    /** Writes {@code state.json} atomically. */
    public synchronized void save() throws IOException {
        JsonObject o = new JsonObject();
        o.addProperty("version", 1);
        o.addProperty("backend", launcher.backend());
        o.addProperty("job_name", jobName);
        JsonArray a = new JsonArray();
        records.values().forEach(r -> a.add(r.toJson()));
        o.add("trials", a);
        if (!inFlight.isEmpty()) {
            JsonObject f = new JsonObject();
            inFlight.forEach((id, script) -> f.addProperty(id, script.toString()));
            o.add("in_flight", f);
        }
        AtomicFiles.writeString(
                dir.resolve(STATE_FILE),
                new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(o) + "\n");
    }

    /**
     * The last lines of a log file (undecodable bytes replaced), or a note when it is missing.
     *
     * @param log the file
     * @param n how many lines
     * @return the lines joined with newlines
     */
    public static String tail(Path log, int n) {
        try {
            byte[] bytes = Files.readAllBytes(log);
            String text =
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPLACE)
                            .onUnmappableCharacter(CodingErrorAction.REPLACE)
                            .decode(java.nio.ByteBuffer.wrap(bytes))
                            .toString();
            List<String> lines = text.lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException e) {
            return "(no log: " + log + ")";
        }
    }

    /** Releases the directory. */
    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            lockChannel.close();
        }
    }
}
