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

    /** {@code best/}: the best result (genotype, final metrics). */
    public Path best() {
        return root.resolve("best");
    }

    /**
     * Writes {@code config.resolved.json} and {@code provenance.json} at the start of a job; a
     * resumed run keeps its original provenance and appends {@code now} to its {@code resumes}.
     */
    public void writeStart(JsonObject config, boolean resume, JsonObject now) throws IOException {
        writeJson(resolvedConfig(), config);
        JsonObject prov = now;
        if (resume && Files.exists(provenance())) {
            prov = JsonParser.parseString(Files.readString(provenance())).getAsJsonObject();
            JsonArray resumes =
                    prov.has("resumes") ? prov.getAsJsonArray("resumes") : new JsonArray();
            resumes.add(now);
            prov.add("resumes", resumes);
        }
        writeJson(provenance(), prov);
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
