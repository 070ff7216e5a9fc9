package org.dpnas.cli.sweep;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dpnas.cli.CliException;
import org.dpnas.common.launch.SlurmSettings;
import org.dpnas.common.launch.TrialCommand;

/**
 * A sweep specification (a JSON file): a base {@code dpnas} command ({@code train ...} or {@code
 * search ...}), a {@code grid} (every combination) or a {@code list} of {@code --set} overrides, or
 * named {@code variants} (extra command words each, e.g. {@code --strategy renas}), crossed with
 * {@code seeds}, the metric to report, the Slurm resources of every job and, for a comparison of
 * searches, the {@code retrain} command that retrains each variant's best genotype under one
 * budget.
 *
 * <pre>{@code
 * {"name": "lr", "command": ["train", "--max-steps", "200"],
 *  "grid": {"train.lr": [0.01, 0.05]}, "seeds": [0, 1],
 *  "metric": "mIoU", "mode": "max",
 *  "slurm": {"time": "00:20:00", "cpus_per_task": 1, "mem": "4G"}}
 * }</pre>
 *
 * <p>A comparison of search variants, each run with every seed ({@link SweepCurves} reports it):
 *
 * <pre>{@code
 * {"name": "cmp", "command": "search METHOD --preset tiny --trials 3",
 *  "variants": {"random": "--strategy random", "rl": ["--strategy", "rl"]},
 *  "seeds": [0, 1], "result_file": "best/trial.json", "metric": "score",
 *  "retrain": {"command": "train --config RETRAIN.json", "metric": "stats.0"}}
 * }</pre>
 *
 * @param name a name for the sweep (the Slurm job name is {@code dpnas-NAME})
 * @param command the base command's words
 * @param variants the override sets, one per trial before seeds (one empty set when none)
 * @param named the named variants and their extra command words, in order (empty when none; then
 *     {@code variants} is one empty set)
 * @param seeds the seeds (empty: the base command's own seed)
 * @param metric the key of the result file to report (dots for nested keys)
 * @param maximize whether a larger metric is better
 * @param resultFile the file a finished trial writes in its run directory
 * @param slots parallel trials when {@code --slots} is not given (0: the back-end's default)
 * @param slurm resources of every Slurm job
 * @param retrain how a comparison's best genotypes are retrained, or null
 * @param json the file's content, for comparing with an existing sweep directory
 */
public record SweepSpec(
        String name,
        List<String> command,
        List<Map<String, JsonElement>> variants,
        Map<String, List<String>> named,
        List<Long> seeds,
        String metric,
        boolean maximize,
        String resultFile,
        int slots,
        SlurmSettings slurm,
        Retrain retrain,
        JsonObject json) {

    private static final Set<String> KEYS =
            Set.of(
                    "name",
                    "command",
                    "grid",
                    "list",
                    "variants",
                    "seeds",
                    "metric",
                    "mode",
                    "result_file",
                    "slots",
                    "slurm",
                    "retrain");
    private static final Set<String> RETRAIN_KEYS = Set.of("command", "metric", "mode", "seeds");
    private static final Set<String> SLURM_KEYS =
            Set.of("partition", "time", "cpus_per_task", "mem", "gres", "account", "extra_args");
    private static final Set<String> OWN_OPTIONS =
            Set.of("--work-dir", "--resume", "--runs-dir", "--seed");

    /** Options whose value names the configuration of a fresh run; a resume drops them. */
    private static final Set<String> CONFIG_OPTIONS = Set.of("--preset", "--config");

    /**
     * Reads and checks a spec file.
     *
     * @param file the JSON file
     * @return the spec
     * @throws CliException naming the file and field for anything wrong
     */
    public static SweepSpec read(Path file) throws IOException {
        String text = Files.readString(file);
        JsonElement root;
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            root = JsonParser.parseReader(reader);
        } catch (JsonParseException e) {
            throw new CliException(file + ": not valid JSON: " + firstLine(e.getMessage()));
        }
        if (!root.isJsonObject()) {
            throw new CliException(file + ": expected a JSON object");
        }
        return parse(root.getAsJsonObject(), file.toString(), stem(file));
    }

    /** Checks a spec given as JSON; {@code where} names it in messages. */
    static SweepSpec parse(JsonObject o, String where, String defaultName) {
        for (String k : o.keySet()) {
            if (!KEYS.contains(k)) {
                throw new CliException(
                        where + ": unknown field '" + k + "' (fields: " + sorted(KEYS) + ")");
            }
        }
        String name = o.has("name") ? string(o, "name", where) : defaultName;
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new CliException(
                    where
                            + ": field 'name' must be letters, digits, '.', '-', '_', got '"
                            + name
                            + "'");
        }
        List<String> command = command(o, where);
        List<Map<String, JsonElement>> variants = variants(o, where);
        Map<String, List<String>> named = named(o, where);
        List<Long> seeds = seeds(o, "seeds", where);
        String metric = o.has("metric") ? string(o, "metric", where) : "mIoU";
        String mode = o.has("mode") ? string(o, "mode", where) : "max";
        if (!mode.equals("max") && !mode.equals("min")) {
            throw new CliException(
                    where + ": field 'mode' must be \"max\" or \"min\", got " + mode);
        }
        String resultFile =
                o.has("result_file") ? string(o, "result_file", where) : "final_metrics.json";
        int slots = o.has("slots") ? nonNegative(o, "slots", where) : 0;
        SlurmSettings slurm = SlurmSettings.defaults();
        if (o.has("slurm")) {
            if (!o.get("slurm").isJsonObject()) {
                throw new CliException(where + ": field 'slurm' must be an object");
            }
            slurm = slurm(o.getAsJsonObject("slurm"), where);
        }
        Retrain retrain = o.has("retrain") ? retrain(o.get("retrain"), where) : null;
        return new SweepSpec(
                name,
                command,
                variants,
                named,
                seeds,
                metric,
                mode.equals("max"),
                resultFile,
                slots,
                slurm,
                retrain,
                o.deepCopy());
    }

    /**
     * How the report retrains each variant's best genotype under one budget: a {@code train}
     * command (the budget: config file, steps, crop) to which the report adds {@code --genotype}
     * per variant, the metric of its {@code final_metrics.json}, and the retraining seeds.
     *
     * @param command the {@code train ...} words, without {@code --genotype} and {@code --work-dir}
     * @param metric the key of the retrain's {@code final_metrics.json} (dots for nested keys,
     *     numbers for array indices, e.g. {@code stats.0} for a detector's AP)
     * @param maximize whether a larger metric is better
     * @param seeds the retraining seeds (empty: the command's own)
     */
    public record Retrain(
            List<String> command, String metric, boolean maximize, List<Long> seeds) {}

    private static List<Long> seeds(JsonObject o, String field, String where) {
        List<Long> seeds = new ArrayList<>();
        if (o.has(field)) {
            for (JsonElement e : array(o, field, where)) {
                if (!isInteger(e)) {
                    throw new CliException(
                            where + ": field '" + field + "' must hold integers, got " + e);
                }
                seeds.add(e.getAsLong());
            }
        }
        return seeds;
    }

    private static Retrain retrain(JsonElement e, String where) {
        if (!e.isJsonObject()) {
            throw new CliException(
                    where
                            + ": field 'retrain' must be an object {\"command\": \"train ...\","
                            + " \"metric\": KEY}");
        }
        JsonObject r = e.getAsJsonObject();
        for (String k : r.keySet()) {
            if (!RETRAIN_KEYS.contains(k)) {
                throw new CliException(
                        where
                                + ": unknown field 'retrain."
                                + k
                                + "' (fields: "
                                + sorted(RETRAIN_KEYS)
                                + ")");
            }
        }
        if (!r.has("command")) {
            throw new CliException(where + ": field 'retrain.command' is required");
        }
        List<String> words = words(r.get("command"), "retrain.command", where);
        if (words.isEmpty() || !words.get(0).equals("train")) {
            throw new CliException(
                    where
                            + ": field 'retrain.command' must start with 'train', got '"
                            + String.join(" ", words)
                            + "'");
        }
        for (String w : words) {
            String opt = w.contains("=") ? w.substring(0, w.indexOf('=')) : w;
            if (OWN_OPTIONS.contains(opt) || opt.equals("--genotype")) {
                throw new CliException(
                        where
                                + ": field 'retrain.command' must not contain "
                                + opt
                                + " (the report adds --genotype per variant, the retrain sweep"
                                + " its --work-dir and seeds)");
            }
        }
        String metric = r.has("metric") ? string(r, "metric", where) : "mIoU";
        String mode = r.has("mode") ? string(r, "mode", where) : "max";
        if (!mode.equals("max") && !mode.equals("min")) {
            throw new CliException(
                    where + ": field 'retrain.mode' must be \"max\" or \"min\", got " + mode);
        }
        return new Retrain(words, metric, mode.equals("max"), seeds(r, "seeds", where));
    }

    /** Whether this spec compares named variants (a comparison of searches). */
    public boolean hasNamedVariants() {
        return !named.isEmpty();
    }

    private static List<String> command(JsonObject o, String where) {
        if (!o.has("command")) {
            throw new CliException(
                    where + ": field 'command' is required, e.g. \"train --max-steps 200\"");
        }
        List<String> words = words(o.get("command"), "command", where);
        if (words.isEmpty() || !(words.get(0).equals("train") || words.get(0).equals("search"))) {
            throw new CliException(
                    where
                            + ": field 'command' must start with 'train' or 'search', got '"
                            + String.join(" ", words)
                            + "'");
        }
        ownOptions(words, "command", where);
        return words;
    }

    /** Command words given as one string (split at white space) or as an array of strings. */
    private static List<String> words(JsonElement c, String field, String where) {
        List<String> words = new ArrayList<>();
        if (c.isJsonPrimitive() && c.getAsJsonPrimitive().isString()) {
            for (String w : c.getAsString().strip().split("\\s+")) {
                if (!w.isEmpty()) {
                    words.add(w);
                }
            }
        } else if (c.isJsonArray()) {
            for (JsonElement e : c.getAsJsonArray()) {
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                    throw new CliException(
                            where + ": field '" + field + "' must hold strings, got " + e);
                }
                words.add(e.getAsString());
            }
        } else {
            throw new CliException(
                    where + ": field '" + field + "' must be a string or an array of strings");
        }
        return words;
    }

    private static void ownOptions(List<String> words, String field, String where) {
        for (String w : words) {
            String opt = w.contains("=") ? w.substring(0, w.indexOf('=')) : w;
            if (OWN_OPTIONS.contains(opt)) {
                throw new CliException(
                        where
                                + ": field '"
                                + field
                                + "' must not contain "
                                + opt
                                + " (the sweep sets it per trial; use 'seeds' for seeds)");
            }
        }
    }

    /**
     * The named variants: {@code "variants": {"NAME": "words" | ["words", ...], ...}}, each the
     * extra command words of one arm of a comparison; exclusive with {@code grid} and {@code list}.
     */
    private static Map<String, List<String>> named(JsonObject o, String where) {
        Map<String, List<String>> named = new LinkedHashMap<>();
        if (!o.has("variants")) {
            return named;
        }
        if (o.has("grid") || o.has("list")) {
            throw new CliException(
                    where
                            + ": give 'variants' or '"
                            + (o.has("grid") ? "grid" : "list")
                            + "', not both (a variant's words may hold its own --set overrides)");
        }
        if (!o.get("variants").isJsonObject() || o.getAsJsonObject("variants").isEmpty()) {
            throw new CliException(
                    where
                            + ": field 'variants' must be a non-empty object of name: command"
                            + " words, e.g. {\"random\": \"--strategy random\"}");
        }
        for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("variants").entrySet()) {
            String name = e.getKey();
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw new CliException(
                        where
                                + ": variant name '"
                                + name
                                + "' must be letters, digits, '.', '-', '_'");
            }
            String field = "variants." + name;
            List<String> words = words(e.getValue(), field, where);
            ownOptions(words, field, where);
            named.put(name, List.copyOf(words));
        }
        return named;
    }

    private static List<Map<String, JsonElement>> variants(JsonObject o, String where) {
        if (o.has("grid") && o.has("list")) {
            throw new CliException(where + ": give either 'grid' or 'list', not both");
        }
        List<Map<String, JsonElement>> variants = new ArrayList<>();
        if (o.has("grid")) {
            if (!o.get("grid").isJsonObject()) {
                throw new CliException(where + ": field 'grid' must be an object of key: [values]");
            }
            variants.add(new LinkedHashMap<>());
            for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("grid").entrySet()) {
                String key = key(e.getKey(), where + ": grid");
                if (!e.getValue().isJsonArray() || e.getValue().getAsJsonArray().isEmpty()) {
                    throw new CliException(
                            where + ": grid key '" + key + "' needs a non-empty array of values");
                }
                List<Map<String, JsonElement>> next = new ArrayList<>();
                for (Map<String, JsonElement> v : variants) {
                    for (JsonElement value : e.getValue().getAsJsonArray()) {
                        Map<String, JsonElement> m = new LinkedHashMap<>(v);
                        m.put(key, value);
                        next.add(m);
                    }
                }
                variants = next;
            }
        } else if (o.has("list")) {
            JsonArray list = array(o, "list", where);
            if (list.isEmpty()) {
                throw new CliException(where + ": field 'list' is empty");
            }
            for (int i = 0; i < list.size(); i++) {
                if (!list.get(i).isJsonObject()) {
                    throw new CliException(
                            where + ": list[" + i + "] must be an object of key: value");
                }
                Map<String, JsonElement> m = new LinkedHashMap<>();
                for (Map.Entry<String, JsonElement> e : list.get(i).getAsJsonObject().entrySet()) {
                    m.put(key(e.getKey(), where + ": list[" + i + "]"), e.getValue());
                }
                variants.add(m);
            }
        } else {
            variants.add(Map.of());
        }
        return variants;
    }

    private static SlurmSettings slurm(JsonObject s, String where) {
        for (String k : s.keySet()) {
            if (!SLURM_KEYS.contains(k)) {
                throw new CliException(
                        where
                                + ": unknown field 'slurm."
                                + k
                                + "' (fields: "
                                + sorted(SLURM_KEYS)
                                + ")");
            }
        }
        List<String> extra = new ArrayList<>();
        if (s.has("extra_args") && !s.get("extra_args").isJsonNull()) {
            for (JsonElement e : array(s, "extra_args", where + ": slurm")) {
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                    throw new CliException(
                            where + ": field 'slurm.extra_args' must hold strings, got " + e);
                }
                extra.add(e.getAsString());
            }
        }
        return new SlurmSettings(
                optString(s, "partition", where),
                optString(s, "time", where),
                s.has("cpus_per_task") && !s.get("cpus_per_task").isJsonNull()
                        ? nonNegative(s, "cpus_per_task", where + ": slurm")
                        : 0,
                optString(s, "mem", where),
                optString(s, "gres", where),
                optString(s, "account", where),
                extra,
                0);
    }

    /**
     * The trials of this sweep: every override set (or named variant) times every seed, named
     * {@code t000}, {@code t001}, ... in that order; each writes {@code dir/trials/ID}. A named
     * variant's words follow the base command; its resume command keeps every word but {@code
     * --preset} and {@code --config} (a resumed multi-trial search needs its {@code --strategy} and
     * {@code --trials} again; the configuration comes from the run).
     *
     * @param dir the sweep directory
     * @return the trials with their overrides
     */
    public List<Planned> plan(Path dir) {
        List<Planned> out = new ArrayList<>();
        List<Long> seedList = seeds.isEmpty() ? java.util.Collections.singletonList(null) : seeds;
        List<String> verb = new ArrayList<>();
        for (String w : command) {
            if (w.startsWith("-")) {
                break;
            }
            verb.add(w);
        }
        List<String> arms =
                named.isEmpty()
                        ? java.util.Collections.singletonList(null)
                        : List.copyOf(named.keySet());
        for (String arm : arms) {
            for (Map<String, JsonElement> v : variants) {
                for (Long seed : seedList) {
                    String id = String.format("t%03d", out.size());
                    Path run = dir.resolve("trials").resolve(id).toAbsolutePath().normalize();
                    List<String> words = new ArrayList<>(command);
                    if (arm != null) {
                        words.addAll(named.get(arm));
                    }
                    for (Map.Entry<String, JsonElement> e : v.entrySet()) {
                        words.add("--set");
                        words.add(e.getKey() + "=" + text(e.getValue()));
                    }
                    if (seed != null) {
                        words.add("--set");
                        words.add("seed=" + seed);
                    }
                    List<String> cmd = new ArrayList<>(words);
                    cmd.add("--work-dir");
                    cmd.add(run.toString());
                    List<String> resume =
                            arm == null ? new ArrayList<>(verb) : withoutConfigOptions(words);
                    resume.addAll(List.of("--work-dir", run.toString(), "--resume"));
                    out.add(
                            new Planned(
                                    new TrialCommand(id, cmd, resume, run, resultFile),
                                    v,
                                    seed,
                                    arm));
                }
            }
        }
        return out;
    }

    /** The words without {@code --preset X}, {@code --config X} (or their {@code =X} forms). */
    static List<String> withoutConfigOptions(List<String> words) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            String opt = w.contains("=") ? w.substring(0, w.indexOf('=')) : w;
            if (CONFIG_OPTIONS.contains(opt)) {
                if (!w.contains("=")) {
                    i++; // its value
                }
                continue;
            }
            out.add(w);
        }
        return out;
    }

    /**
     * One planned trial and what makes it different from the others.
     *
     * @param trial the trial
     * @param overrides its {@code --set} overrides
     * @param seed its seed, or null for the command's own
     * @param variant its named variant, or null
     */
    public record Planned(
            TrialCommand trial, Map<String, JsonElement> overrides, Long seed, String variant) {}

    /** A {@code --set} value: strings as they are, everything else as JSON. */
    static String text(JsonElement v) {
        return v.isJsonPrimitive() && v.getAsJsonPrimitive().isString()
                ? v.getAsString()
                : v.toString();
    }

    private static String key(String k, String where) {
        if (!k.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*")) {
            throw new CliException(where + ": '" + k + "' is not a config key like train.lr");
        }
        return k;
    }

    private static String string(JsonObject o, String k, String where) {
        JsonElement e = o.get(k);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new CliException(where + ": field '" + k + "' must be a string, got " + e);
        }
        return e.getAsString();
    }

    private static String optString(JsonObject o, String k, String where) {
        if (!o.has(k) || o.get(k).isJsonNull()) {
            return null;
        }
        JsonElement e = o.get(k);
        if (e.isJsonPrimitive()) {
            return e.getAsString();
        }
        throw new CliException(where + ": field 'slurm." + k + "' must be a string, got " + e);
    }

    private static JsonArray array(JsonObject o, String k, String where) {
        if (!o.get(k).isJsonArray()) {
            throw new CliException(where + ": field '" + k + "' must be an array");
        }
        return o.getAsJsonArray(k);
    }

    private static int nonNegative(JsonObject o, String k, String where) {
        JsonElement e = o.get(k);
        if (!isInteger(e) || e.getAsLong() < 0 || e.getAsLong() > Integer.MAX_VALUE) {
            throw new CliException(
                    where + ": field '" + k + "' must be a non-negative integer, got " + e);
        }
        return e.getAsInt();
    }

    private static boolean isInteger(JsonElement e) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            return false;
        }
        try {
            e.getAsBigDecimal().longValueExact();
            return true;
        } catch (ArithmeticException x) {
            return false;
        }
    }

    private static String sorted(Set<String> keys) {
        return String.join(", ", new java.util.TreeSet<>(keys));
    }

    private static String stem(Path file) {
        String n = file.getFileName().toString();
        return n.endsWith(".json") ? n.substring(0, n.length() - 5) : n;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** A JSON primitive for a seed, for status output. */
    static JsonElement seedJson(Long seed) {
        return seed == null ? com.google.gson.JsonNull.INSTANCE : new JsonPrimitive(seed);
    }
}
