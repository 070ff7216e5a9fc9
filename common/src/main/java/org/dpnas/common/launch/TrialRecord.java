package org.dpnas.common.launch;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link TrialPool} knows about one trial: its state, its current job, how often it was
 * submitted and failed, every job id it ran under, and a message (for a failure: the state, the
 * exit code and the last lines of the job's log). Stored as one object in {@code state.json}.
 */
public final class TrialRecord {

    private final TrialCommand trial;
    private TrialState state = TrialState.WAITING;
    private Job job;
    private int attempts;
    private int failures;
    private String message = "";
    private double submittedAt = Double.NaN;
    private double startedAt = Double.NaN;
    private double endedAt = Double.NaN;
    private final List<String> jobIds = new ArrayList<>();

    TrialRecord(TrialCommand trial) {
        this.trial = trial;
    }

    /** The trial. */
    public TrialCommand trial() {
        return trial;
    }

    /** The trial's id. */
    public String id() {
        return trial.id();
    }

    /** Its state. */
    public TrialState state() {
        return state;
    }

    /** Its current (or last) job, or null before the first submission. */
    public Job job() {
        return job;
    }

    /** How many times it was submitted. */
    public int attempts() {
        return attempts;
    }

    /** How many of its jobs failed. */
    public int failures() {
        return failures;
    }

    /** The last message about it ({@code ""} when there is none). */
    public String message() {
        return message;
    }

    /** Every job id it ran under, oldest first. */
    public List<String> jobIds() {
        return List.copyOf(jobIds);
    }

    /** Epoch seconds of its last submission (NaN before). */
    public double submittedAt() {
        return submittedAt;
    }

    /** Epoch seconds its last job's script started (NaN before). */
    public double startedAt() {
        return startedAt;
    }

    /** Epoch seconds it reached its final state (NaN before). */
    public double endedAt() {
        return endedAt;
    }

    void state(TrialState s) {
        this.state = s;
    }

    void message(String m) {
        this.message = m == null ? "" : m;
    }

    void submitted(Job j, double now) {
        job = j;
        attempts++;
        jobIds.add(j.id());
        submittedAt = now;
        startedAt = Double.NaN;
        endedAt = Double.NaN;
        state = TrialState.PENDING;
    }

    void started(double t) {
        if (Double.isNaN(startedAt)) {
            startedAt = t;
        }
    }

    void ended(double t) {
        endedAt = t;
    }

    void failed() {
        failures++;
    }

    JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("id", trial.id());
        o.addProperty("state", state.name());
        o.add("job", job == null ? JsonNull.INSTANCE : new JsonPrimitive(job.id()));
        o.add("log", job == null ? JsonNull.INSTANCE : new JsonPrimitive(job.log().toString()));
        o.add(
                "script",
                job == null ? JsonNull.INSTANCE : new JsonPrimitive(job.script().toString()));
        o.addProperty("attempts", attempts);
        o.addProperty("failures", failures);
        o.add("jobs", strings(jobIds));
        o.add("submitted_at", number(submittedAt));
        o.add("started_at", number(startedAt));
        o.add("ended_at", number(endedAt));
        o.addProperty("message", message);
        o.addProperty("run_dir", trial.runDir().toString());
        o.addProperty("result_file", trial.resultFile());
        o.add("command", strings(trial.command()));
        o.add("resume_command", strings(trial.resumeCommand()));
        return o;
    }

    static TrialRecord fromJson(JsonObject o) {
        TrialCommand t =
                new TrialCommand(
                        o.get("id").getAsString(),
                        list(o.getAsJsonArray("command")),
                        list(o.getAsJsonArray("resume_command")),
                        Path.of(o.get("run_dir").getAsString()),
                        o.get("result_file").getAsString());
        TrialRecord r = new TrialRecord(t);
        r.state = TrialState.valueOf(o.get("state").getAsString());
        if (!o.get("job").isJsonNull()) {
            r.job =
                    new Job(
                            o.get("job").getAsString(),
                            Path.of(o.get("log").getAsString()),
                            Path.of(o.get("script").getAsString()));
        }
        r.attempts = o.get("attempts").getAsInt();
        r.failures = o.get("failures").getAsInt();
        r.jobIds.addAll(list(o.getAsJsonArray("jobs")));
        r.submittedAt = num(o.get("submitted_at"));
        r.startedAt = num(o.get("started_at"));
        r.endedAt = num(o.get("ended_at"));
        r.message = o.get("message").getAsString();
        return r;
    }

    private static JsonArray strings(List<String> xs) {
        JsonArray a = new JsonArray();
        xs.forEach(a::add);
        return a;
    }

    private static List<String> list(JsonArray a) {
        List<String> xs = new ArrayList<>();
        a.forEach(e -> xs.add(e.getAsString()));
        return xs;
    }

    private static JsonElement number(double v) {
        return Double.isNaN(v) ? JsonNull.INSTANCE : new JsonPrimitive(v);
    }

    private static double num(JsonElement e) {
        return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
    }
}
