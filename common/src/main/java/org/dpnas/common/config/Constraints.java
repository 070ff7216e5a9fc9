package org.dpnas.common.config;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Value constraints declared beside the defaults: any object of a defaults file may hold a key
 * {@value #KEY} mapping some of its keys to a rule, checked on the resolved configuration before a
 * job writes anything.
 *
 * <ul>
 *   <li>an interval in mathematical notation, {@code "[1, inf)"}, {@code "(0, inf)"}, {@code "[0,
 *       1)"}: the number (or every number of an array) must lie in it;
 *   <li>an array of allowed values, {@code ["sgd", "adam", "adamw"]}: the value must be one of
 *       them.
 * </ul>
 *
 * A {@code null} value is never checked (null means "not set" in this project's configs).
 */
public final class Constraints {

    /** The key that holds an object's constraints in a defaults file. */
    public static final String KEY = "$constraints";

    private static final Pattern INTERVAL =
            Pattern.compile(
                    "\\s*([\\[(])\\s*(-?inf|[-+0-9.eE]+)\\s*,\\s*(-?inf|[-+0-9.eE]+)\\s*([\\])])\\s*");

    private final Map<String, JsonElement> rules;

    private Constraints(Map<String, JsonElement> rules) {
        this.rules = rules;
    }

    /**
     * Removes every {@value #KEY} object from {@code defaults} (in place, at any depth) and returns
     * the rules by dotted key.
     *
     * @throws IllegalArgumentException when a rule is malformed or names a key the defaults lack
     */
    static Constraints extract(JsonObject defaults) {
        Map<String, JsonElement> rules = new LinkedHashMap<>();
        extract(defaults, "", rules);
        return new Constraints(rules);
    }

    private static void extract(JsonObject o, String prefix, Map<String, JsonElement> rules) {
        JsonElement own = o.remove(KEY);
        if (own != null) {
            if (!own.isJsonObject()) {
                throw new IllegalArgumentException(
                        "defaults: '" + JsonSupport.join(prefix, KEY) + "' must be an object");
            }
            for (Map.Entry<String, JsonElement> e : own.getAsJsonObject().entrySet()) {
                String key = JsonSupport.join(prefix, e.getKey());
                if (!o.has(e.getKey())) {
                    throw new IllegalArgumentException(
                            "defaults: constraint on unknown key '" + key + "'");
                }
                JsonElement rule = e.getValue();
                boolean ok =
                        rule.isJsonArray()
                                || (rule.isJsonPrimitive()
                                        && rule.getAsJsonPrimitive().isString()
                                        && INTERVAL.matcher(rule.getAsString()).matches());
                if (!ok) {
                    throw new IllegalArgumentException(
                            "defaults: constraint on '"
                                    + key
                                    + "' must be an interval such as \"[1, inf)\" or an array of"
                                    + " allowed values, got "
                                    + rule);
                }
                rules.put(key, rule);
            }
        }
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            if (e.getValue().isJsonObject()) {
                extract(
                        e.getValue().getAsJsonObject(),
                        JsonSupport.join(prefix, e.getKey()),
                        rules);
            }
        }
    }

    /** The dotted keys that carry a rule. */
    List<String> keys() {
        return new ArrayList<>(rules.keySet());
    }

    /**
     * The first violation of a rule by {@code config}, as "key 'k' must be ..., got v", or null.
     *
     * @param config the merged configuration
     * @param key a key from {@link #keys()}
     */
    String violation(JsonObject config, String key) {
        JsonElement value = get(config, key);
        if (value == null || value.isJsonNull()) {
            return null;
        }
        JsonElement rule = rules.get(key);
        if (rule.isJsonArray()) {
            for (JsonElement allowed : rule.getAsJsonArray()) {
                if (allowed.equals(value)) {
                    return null;
                }
            }
            List<String> names = new ArrayList<>();
            rule.getAsJsonArray()
                    .forEach(a -> names.add(a.isJsonPrimitive() ? a.getAsString() : a.toString()));
            return "key '"
                    + key
                    + "' must be one of "
                    + String.join(", ", names)
                    + ", got "
                    + JsonSupport.describe(value);
        }
        Matcher m = INTERVAL.matcher(rule.getAsString());
        m.matches();
        double lo = bound(m.group(2));
        double hi = bound(m.group(3));
        boolean loOpen = m.group(1).equals("(");
        boolean hiOpen = m.group(4).equals(")");
        List<JsonElement> numbers = new ArrayList<>();
        if (value.isJsonArray()) {
            value.getAsJsonArray().forEach(numbers::add);
        } else {
            numbers.add(value);
        }
        for (int i = 0; i < numbers.size(); i++) {
            JsonElement n = numbers.get(i);
            if (!n.isJsonPrimitive() || !n.getAsJsonPrimitive().isNumber()) {
                continue; // the type check reports it
            }
            double v = n.getAsDouble();
            boolean in =
                    !Double.isNaN(v) && (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi);
            if (!in) {
                String where = value.isJsonArray() ? key + "[" + i + "]" : key;
                return "key '"
                        + where
                        + "' must be "
                        + render(m.group(1), m.group(2), m.group(3), m.group(4))
                        + ", got "
                        + n;
            }
        }
        return null;
    }

    private static String render(String open, String lo, String hi, String close) {
        if (hi.equals("inf") && !lo.endsWith("inf")) {
            return (open.equals("[") ? ">= " : "> ") + lo;
        }
        return "in " + open + lo + ", " + hi + close;
    }

    private static double bound(String s) {
        return switch (s) {
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    /** The value at a dotted key of {@code o}, or null when some part is absent. */
    static JsonElement get(JsonObject o, String dotted) {
        JsonElement cur = o;
        Iterator<String> parts = List.of(dotted.split("\\.")).iterator();
        while (parts.hasNext()) {
            if (cur == null || !cur.isJsonObject()) {
                return null;
            }
            cur = cur.getAsJsonObject().get(parts.next());
        }
        return cur;
    }

    /** Whether {@code layer} sets {@code dotted} (or an enclosing object of it). */
    static boolean sets(JsonObject layer, String dotted) {
        JsonElement cur = layer;
        for (String part : dotted.split("\\.")) {
            if (!cur.isJsonObject()) {
                return true;
            }
            cur = cur.getAsJsonObject().get(part);
            if (cur == null) {
                return false;
            }
        }
        return true;
    }
}
