package org.dpnas.common.config;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a resumed run changes against its {@code config.resolved.json}, and which of those changes
 * alter its trajectory. The rule: a key is <em>neutral</em> when it changes only how the run is
 * executed or reported, never the parameters it computes — {@code threads}, {@code device}, {@code
 * data.workers}, {@code eval.*}, and any {@code log_every}, {@code eval_every}, {@code
 * checkpoint_every} and {@code keep_checkpoints}. Every other key (learning rates, schedules, steps
 * and epochs, batch sizes, the seed, data, model and search settings) changes the trajectory, so
 * resuming with it changed is refused unless the user accepts it.
 */
public final class ResumeChanges {

    /**
     * One changed key.
     *
     * @param key the dotted key
     * @param from the value in the run's resolved configuration
     * @param to the value now
     */
    public record Change(String key, JsonElement from, JsonElement to) {}

    private static final List<String> NEUTRAL_KEYS = List.of("threads", "device", "data.workers");
    private static final List<String> NEUTRAL_PREFIXES = List.of("eval.");
    private static final List<String> NEUTRAL_LEAVES =
            List.of("log_every", "eval_every", "checkpoint_every", "keep_checkpoints");

    private ResumeChanges() {}

    /** Whether changing {@code key} leaves the run's trajectory as it was. */
    public static boolean neutral(String key) {
        if (NEUTRAL_KEYS.contains(key)) {
            return true;
        }
        for (String p : NEUTRAL_PREFIXES) {
            if (key.startsWith(p)) {
                return true;
            }
        }
        String leaf = key.substring(key.lastIndexOf('.') + 1);
        return NEUTRAL_LEAVES.contains(leaf);
    }

    /** Every leaf (a non-object value, arrays included) that differs, in key order. */
    public static List<Change> diff(Config before, Config after) {
        List<Change> out = new ArrayList<>();
        diff(before.asJsonObject(), after.asJsonObject(), "", out);
        return out;
    }

    private static void diff(JsonObject a, JsonObject b, String prefix, List<Change> out) {
        for (Map.Entry<String, JsonElement> e : b.entrySet()) {
            String key = JsonSupport.join(prefix, e.getKey());
            JsonElement x = a.get(e.getKey());
            JsonElement y = e.getValue();
            if (x != null && x.isJsonObject() && y.isJsonObject()) {
                diff(x.getAsJsonObject(), y.getAsJsonObject(), key, out);
            } else if (x == null || !same(x, y)) {
                out.add(new Change(key, x, y));
            }
        }
    }

    private static boolean same(JsonElement x, JsonElement y) {
        if (x.isJsonPrimitive()
                && y.isJsonPrimitive()
                && x.getAsJsonPrimitive().isNumber()
                && y.getAsJsonPrimitive().isNumber()) {
            return x.getAsBigDecimal().compareTo(y.getAsBigDecimal()) == 0;
        }
        return x.equals(y);
    }

    /** The changes that alter the trajectory. */
    public static List<Change> trajectory(List<Change> changes) {
        return changes.stream().filter(c -> !neutral(c.key())).toList();
    }

    /** {@code {key: {"from": old, "to": new}}}, for {@code provenance.json}. */
    public static JsonObject toJson(List<Change> changes) {
        JsonObject o = new JsonObject();
        for (Change c : changes) {
            JsonObject fromTo = new JsonObject();
            fromTo.add("from", c.from());
            fromTo.add("to", c.to());
            o.add(c.key(), fromTo);
        }
        return o;
    }

    /** "train.lr (0.05 → 0.01), seed (0 → 3)". */
    public static String describe(List<Change> changes) {
        List<String> parts = new ArrayList<>();
        for (Change c : changes) {
            parts.add(c.key() + " (" + c.from() + " → " + c.to() + ")");
        }
        return String.join(", ", parts);
    }
}
