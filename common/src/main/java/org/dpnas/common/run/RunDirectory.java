package org.dpnas.common.run;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A run's directory, {@code runs/<method>/<name>/} by default, and the names of the files in it:
 * {@code config.resolved.json}, {@code provenance.json}, {@code metrics.jsonl}, {@code
 * summary.csv}, {@code curves.png}, {@code checkpoints/}, {@code best/}. Every file is written
 * atomically.
 */
public final class RunDirectory {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Path root;

    /** Wraps an existing or new run directory (created on first write). */
    public RunDirectory(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** A new directory {@code base/<method>/<timestamp>} (suffixed when it exists already). */
    public static RunDirectory fresh(Path base, String method) {
        Path parent = base.resolve(method);
        String stamp = LocalDateTime.now().format(STAMP);
        Path p = parent.resolve(stamp);
        for (int i = 2; Files.exists(p); i++) {
            p = parent.resolve(stamp + "-" + i);
        }
        return new RunDirectory(p);
    }

    /** The newest run under {@code base/<method>/} (by name, i.e. by start time), if any. */
    public static Optional<RunDirectory> latest(Path base, String method) throws IOException {
        Path parent = base.resolve(method);
        if (!Files.isDirectory(parent)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(parent)) {
            return s.filter(Files::isDirectory)
                    .filter(p -> Files.exists(p.resolve("config.resolved.json")))
                    .max(Path::compareTo)
                    .map(RunDirectory::new);
        }
    }

    /** The directory itself. */
    public Path root() {
        return root;
    }

    /** {@code config.resolved.json}: the complete configuration the run used. */
    public Path resolvedConfig() {
        return root.resolve("config.resolved.json");
    }

    /** {@code provenance.json}. */
    public Path provenance() {
        return root.resolve("provenance.json");
    }

    /** {@code metrics.jsonl}. */
    public Path metrics() {
        return root.resolve("metrics.jsonl");
    }

    /** {@code summary.csv}. */
    public Path summary() {
        return root.resolve("summary.csv");
    }

    /** {@code curves.png}: loss and metric curves. */
    public Path curves() {
        return root.resolve("curves.png");
    }

    /** {@code checkpoints/}. */
    public Path checkpoints() {
        return root.resolve("checkpoints");
    }

    /** {@code data_skips.json}: the bad samples {@code --on-bad-sample skip} replaced. */
    public Path dataSkips() {
        return root.resolve("data_skips.json");
    }

    /**
     * Writes {@code data_skips.json} when {@code report} counts a bad sample (its {@code
     * skipped_reads} or any view's {@code bad_samples} is positive); otherwise writes nothing. The
     * report covers one process; when the file exists already (written by an earlier process of
     * this run, which {@code --resume} continues; a fresh start removes it), the two are merged by
     * {@link #mergeDataSkips}, so the file always describes the whole run.
     */
    public void writeDataSkips(JsonObject report) throws IOException {
        boolean any = report.has("skipped_reads") && report.get("skipped_reads").getAsLong() > 0;
        for (var e : report.entrySet()) {
            if (e.getValue().isJsonObject()
                    && e.getValue().getAsJsonObject().has("bad_samples")
                    && e.getValue().getAsJsonObject().get("bad_samples").getAsLong() > 0) {
                any = true;
            }
        }
        if (!any) {
            return;
        }
        JsonObject merged = report;
        if (Files.exists(dataSkips())) {
            JsonObject earlier;
            try {
                earlier = JsonParser.parseString(Files.readString(dataSkips())).getAsJsonObject();
            } catch (RuntimeException e) {
                throw new IOException(
                        dataSkips()
                                + " is not the JSON object an earlier process of this run wrote"
                                + " ("
                                + e.getMessage()
                                + "); move it away to continue",
                        e);
            }
            merged = mergeDataSkips(earlier, report);
        }
        writeJson(dataSkips(), merged);
    }

    /**
     * Merges two {@code data_skips.json} reports of one run (an earlier process's and this one's):
     * per view, {@code skipped_reads} add up, {@code bad} is the union of the bad samples (this
     * process's message where both name one), {@code bad_samples} its size and {@code policy} this
     * process's; the top-level {@code skipped_reads} is the sum over views, and {@code processes}
     * counts the processes whose reports were merged (an unmerged report counts as one).
     *
     * @param earlier the report already in the run directory
     * @param now this process's report
     * @return a new merged report
     */
    public static JsonObject mergeDataSkips(JsonObject earlier, JsonObject now) {
        JsonObject out = new JsonObject();
        java.util.TreeSet<String> views = new java.util.TreeSet<>();
        for (JsonObject r : List.of(earlier, now)) {
            r.entrySet().stream()
                    .filter(e -> e.getValue().isJsonObject())
                    .forEach(e -> views.add(e.getKey()));
        }
        long total = 0;
        for (String v : views) {
            JsonObject a = earlier.has(v) ? earlier.getAsJsonObject(v) : new JsonObject();
            JsonObject b = now.has(v) ? now.getAsJsonObject(v) : new JsonObject();
            JsonObject one = new JsonObject();
            JsonObject policy = b.has("policy") ? b : a;
            if (policy.has("policy")) {
                one.add("policy", policy.get("policy"));
            }
            long reads = longOf(a, "skipped_reads") + longOf(b, "skipped_reads");
            one.addProperty("skipped_reads", reads);
            java.util.TreeMap<String, com.google.gson.JsonElement> bad =
                    new java.util.TreeMap<>(DATA_SKIP_KEYS);
            for (JsonObject r : List.of(a, b)) {
                if (r.has("bad") && r.get("bad").isJsonObject()) {
                    r.getAsJsonObject("bad")
                            .entrySet()
                            .forEach(e -> bad.put(e.getKey(), e.getValue()));
                }
            }
            one.addProperty("bad_samples", bad.size());
            JsonObject badJson = new JsonObject();
            bad.forEach(badJson::add);
            one.add("bad", badJson);
            out.add(v, one);
            total += reads;
        }
        out.addProperty("skipped_reads", total);
        out.addProperty("processes", processes(earlier) + processes(now));
        return out;
    }

    /** Sample indices in numeric order, other keys after them in text order. */
    private static final java.util.Comparator<String> DATA_SKIP_KEYS =
            java.util.Comparator.<String, Boolean>comparing(k -> !k.matches("\\d{1,18}"))
                    .thenComparing(
                            (x, y) ->
                                    x.matches("\\d{1,18}") && y.matches("\\d{1,18}")
                                            ? Long.compare(Long.parseLong(x), Long.parseLong(y))
                                            : x.compareTo(y));

    private static long longOf(JsonObject o, String key) {
        return o.has(key) && o.get(key).isJsonPrimitive() ? o.get(key).getAsLong() : 0L;
    }

    private static long processes(JsonObject report) {
        return report.has("processes") ? report.get("processes").getAsLong() : 1L;
    }

    /** {@code best/}: the best result (genotype, final metrics). */
    public Path best() {
        return root.resolve("best");
    }

    /**
     * Whether the directory holds a checkpoint, i.e. something a fresh start would lose. A run
     * directory without one (a run stopped before its first checkpoint, by a kill, a bad sample or
     * a bad setting) may be started again from scratch or resumed from step 0.
     */
    public boolean hasCheckpoint() throws IOException {
        Path dir = checkpoints();
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith("step-"));
        }
    }

    /**
     * Records the configuration keys a resumed run changed on purpose ({@code --allow-changes});
     * {@link #writeStart} adds them to this resume's entry in {@code provenance.json}.
     *
     * @param changes {@code {key: {"from": old, "to": new}}}
     */
    public void recordChanges(JsonObject changes) {
        this.changes = changes == null ? null : changes.deepCopy();
    }

    private JsonObject changes;

    /**
     * Starts writing the run: takes the directory's {@link RunLock} (refusing when another process
     * owns it), then writes {@code config.resolved.json} and {@code provenance.json}. A resumed run
     * keeps its original provenance and appends {@code now} (with any {@linkplain #recordChanges
     * accepted changes}) to its {@code resumes}. A fresh start is refused when the directory holds
     * a checkpoint; when it holds only the files of a run that never reached one, they are removed
     * first, so the restarted run is exactly a new one.
     *
     * @param config the resolved configuration
     * @param resume whether the run continues
     * @param now this start's provenance ({@code command} is recorded in the lock file)
     */
    public void writeStart(JsonObject config, boolean resume, JsonObject now) throws IOException {
        String command = "";
        if (now.has("command") && now.get("command").isJsonArray()) {
            StringBuilder sb = new StringBuilder();
            now.getAsJsonArray("command")
                    .forEach(w -> sb.append(sb.length() == 0 ? "" : " ").append(w.getAsString()));
            command = sb.toString();
        }
        RunLock.acquire(root, command);
        if (!resume) {
            if (hasCheckpoint()) {
                throw new IOException(
                        root
                                + " already holds a run with checkpoints; continue it with --resume"
                                + " or choose another --work-dir");
            }
            if (Files.exists(resolvedConfig())) {
                clearStoppedRun();
            }
        }
        writeJson(resolvedConfig(), config);
        JsonObject prov = now;
        if (resume && Files.exists(provenance())) {
            prov = JsonParser.parseString(Files.readString(provenance())).getAsJsonObject();
            JsonArray resumes =
                    prov.has("resumes") ? prov.getAsJsonArray("resumes") : new JsonArray();
            JsonObject entry = now.deepCopy();
            if (changes != null && changes.size() > 0) {
                entry.add("changes", changes);
            }
            resumes.add(entry);
            prov.add("resumes", resumes);
        }
        writeJson(provenance(), prov);
    }

    /** Removes everything but the lock from a run directory that holds no checkpoint. */
    private void clearStoppedRun() throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (!p.getFileName().toString().equals(RunLock.FILE)) {
                    deleteTree(p);
                }
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> s = Files.list(p)) {
                for (Path c : (Iterable<Path>) s::iterator) {
                    deleteTree(c);
                }
            }
        }
        Files.deleteIfExists(p);
    }

    /** Writes a JSON object, pretty-printed, atomically. */
    public static void writeJson(Path file, JsonObject json) throws IOException {
        String text =
                new GsonBuilder()
                                .setPrettyPrinting()
                                .serializeNulls()
                                .serializeSpecialFloatingPointValues()
                                .create()
                                .toJson(json)
                        + "\n";
        AtomicFiles.writeString(file, text);
    }

    /**
     * Writes {@code summary.csv}: a header of the union of keys (in first-seen order) and one row
     * per record; missing values are empty.
     */
    public void writeSummary(List<Map<String, Object>> rows) throws IOException {
        java.util.LinkedHashSet<String> keys = new java.util.LinkedHashSet<>();
        rows.forEach(r -> keys.addAll(r.keySet()));
        StringBuilder sb = new StringBuilder(String.join(",", keys)).append('\n');
        for (Map<String, Object> r : rows) {
            StringBuilder line = new StringBuilder();
            for (String k : keys) {
                if (line.length() > 0 || !k.equals(keys.iterator().next())) {
                    line.append(',');
                }
                Object v = r.get(k);
                line.append(v == null ? "" : csv(v.toString()));
            }
            sb.append(line).append('\n');
        }
        AtomicFiles.writeString(summary(), sb.toString());
    }

    private static String csv(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }
}
