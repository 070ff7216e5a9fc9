package org.dpnas.cli.sweep;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.dpnas.cli.CliException;
import org.dpnas.common.launch.TrialPool;
import org.dpnas.common.launch.TrialRecord;
import org.dpnas.common.run.AtomicFiles;

/**
 * A sweep directory: {@code sweep.json} (the spec and what each trial varies), {@code state.json}
 * (the {@link TrialPool}'s trial states), {@code jobs/} (trial scripts, job logs, exit codes),
 * {@code trials/ID/} (the run directories) and, after {@code report}, {@code report.csv} and {@code
 * report.png}.
 */
final class SweepDir {

    /** Name of the file that asks an attached submitter to cancel the sweep. */
    static final String CANCEL_REQUEST = "cancel.request";

    private SweepDir() {}

    /**
     * One row of a sweep: the trial's record, what it varies, and its metric.
     *
     * @param record the pool's record
     * @param overrides the trial's overrides as text
     * @param seed its seed, or null
     * @param metric the metric from its result file, if it has one
     * @param variant its named variant, or null
     */
    record Row(
            TrialRecord record,
            Map<String, String> overrides,
            Long seed,
            OptionalDouble metric,
            String variant) {}

    /**
     * Writes {@code sweep.json} for a new sweep, or checks that an existing one holds the same
     * spec.
     *
     * @throws CliException if the directory holds a different sweep
     */
    static void claim(Path dir, Path specFile, SweepSpec spec, List<SweepSpec.Planned> plan)
            throws IOException {
        Path f = dir.resolve("sweep.json");
        if (Files.exists(f)) {
            JsonObject old = JsonParser.parseString(Files.readString(f)).getAsJsonObject();
            if (!old.get("spec").equals(spec.json())) {
                throw new CliException(
                        dir
                                + " holds another sweep (its sweep.json has a different spec than "
                                + specFile
                                + "); choose another --work-dir");
            }
            return;
        }
        JsonObject o = new JsonObject();
        o.addProperty("spec_file", specFile.toAbsolutePath().toString());
        o.add("spec", spec.json());
        com.google.gson.JsonArray trials = new com.google.gson.JsonArray();
        for (SweepSpec.Planned p : plan) {
            JsonObject t = new JsonObject();
            t.addProperty("id", p.trial().id());
            JsonObject ov = new JsonObject();
            p.overrides().forEach(ov::add);
            t.add("overrides", ov);
            t.add("seed", SweepSpec.seedJson(p.seed()));
            if (p.variant() != null) {
                t.addProperty("variant", p.variant());
            }
            trials.add(t);
        }
        o.add("trials", trials);
        Files.createDirectories(dir);
        AtomicFiles.writeString(
                f,
                new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(o) + "\n");
    }

    /** The spec stored in a sweep directory. */
    static SweepSpec spec(Path dir) throws IOException {
        JsonObject o = sweepJson(dir);
        String name = Path.of(o.get("spec_file").getAsString()).getFileName().toString();
        return SweepSpec.parse(
                o.getAsJsonObject("spec"),
                dir.resolve("sweep.json").toString(),
                name.endsWith(".json") ? name.substring(0, name.length() - 5) : name);
    }

    private static JsonObject sweepJson(Path dir) throws IOException {
        Path f = dir.resolve("sweep.json");
        if (!Files.exists(f)) {
            throw new NoSuchFileException(f.toString(), null, "not a sweep directory");
        }
        return JsonParser.parseString(Files.readString(f)).getAsJsonObject();
    }

    /** The rows of a sweep directory, in trial order, with metrics read from the result files. */
    static List<Row> rows(Path dir, String metric) throws IOException {
        JsonObject o = sweepJson(dir);
        Map<String, JsonObject> meta = new LinkedHashMap<>();
        for (JsonElement e : o.getAsJsonArray("trials")) {
            meta.put(e.getAsJsonObject().get("id").getAsString(), e.getAsJsonObject());
        }
        List<Row> rows = new ArrayList<>();
        for (TrialRecord r : TrialPool.read(dir)) {
            JsonObject m = meta.get(r.id());
            Map<String, String> ov = new LinkedHashMap<>();
            Long seed = null;
            String variant = null;
            if (m != null) {
                variant =
                        m.has("variant") && !m.get("variant").isJsonNull()
                                ? m.get("variant").getAsString()
                                : null;
                m.getAsJsonObject("overrides")
                        .entrySet()
                        .forEach(e -> ov.put(e.getKey(), SweepSpec.text(e.getValue())));
                seed =
                        m.has("seed") && !m.get("seed").isJsonNull()
                                ? m.get("seed").getAsLong()
                                : null;
            }
            rows.add(new Row(r, ov, seed, metric(r.trial().result(), metric), variant));
        }
        return rows;
    }

    /**
     * A number at a dotted key of a JSON result file ({@code stats.0}: the first element of the
     * array {@code stats}), if the file and the number exist.
     */
    static OptionalDouble metric(Path result, String key) {
        try {
            JsonElement e = JsonParser.parseString(Files.readString(result));
            for (String part : key.split("\\.")) {
                if (e != null && e.isJsonArray() && part.matches("[0-9]{1,9}")) {
                    int i = Integer.parseInt(part);
                    JsonArray a = e.getAsJsonArray();
                    e = i < a.size() ? a.get(i) : null;
                    continue;
                }
                if (e == null || !e.isJsonObject()) {
                    return OptionalDouble.empty();
                }
                e = e.getAsJsonObject().get(part);
            }
            if (e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
                return OptionalDouble.of(e.getAsDouble());
            }
        } catch (IOException | RuntimeException e) {
            // no result (yet), or not JSON: no metric
        }
        return OptionalDouble.empty();
    }
}
