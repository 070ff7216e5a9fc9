package org.dpnas.common.config;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.util.Map;
import org.dpnas.common.util.Names;

/** Package-private validation of user values against the caller's defaults. */
final class Schema {

    private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private Schema() {}

    /**
     * Checks that the defaults can serve as a schema: keys are non-empty and contain no dot, and
     * the top level has no {@code base} key (it is reserved for the file chain).
     *
     * @throws IllegalArgumentException naming the offending key
     */
    static void checkDefaults(JsonObject defaults) {
        if (defaults == null) {
            throw new IllegalArgumentException("defaults must not be null");
        }
        if (defaults.has(ConfigLoader.BASE_KEY)) {
            throw new IllegalArgumentException(
                    "defaults: top-level key '" + ConfigLoader.BASE_KEY + "' is reserved");
        }
        checkKeys(defaults, "");
    }

    private static void checkKeys(JsonObject object, String prefix) {
        for (Map.Entry<String, JsonElement> e : object.entrySet()) {
            String key = e.getKey();
            if (key.isEmpty() || key.indexOf('.') >= 0) {
                throw new IllegalArgumentException(
                        "defaults: key '"
                                + JsonSupport.join(prefix, key)
                                + "' must be non-empty and contain no '.'");
            }
            if (e.getValue().isJsonObject()) {
                checkKeys(e.getValue().getAsJsonObject(), JsonSupport.join(prefix, key));
            }
        }
    }

    /**
     * Validates every key of {@code values} (recursively) against {@code defaults}.
     *
     * @param defaults the schema object at this level
     * @param values the user object at this level
     * @param prefix dotted path of this level ({@code ""} at the top)
     * @param source where the values came from, used as the message prefix
     * @throws ConfigException on the first unknown key or type mismatch
     */
    static void validate(JsonObject defaults, JsonObject values, String prefix, String source) {
        for (Map.Entry<String, JsonElement> e : values.entrySet()) {
            String key = JsonSupport.join(prefix, e.getKey());
            JsonElement def = defaults.get(e.getKey());
            if (def == null) {
                throw new ConfigException(
                        source
                                + ": unknown key '"
                                + key
                                + "'"
                                + suggestion(defaults, e.getKey(), prefix));
            }
            checkValue(def, e.getValue(), key, source);
        }
    }

    private static void checkValue(JsonElement def, JsonElement value, String key, String source) {
        if (def.isJsonNull()) {
            if (!value.isJsonNull() && !value.isJsonPrimitive()) {
                throw mismatch(source, key, "a scalar (string, number or boolean) or null", value);
            }
        } else if (def.isJsonObject()) {
            if (!value.isJsonObject()) {
                throw mismatch(source, key, "an object", value);
            }
            validate(def.getAsJsonObject(), value.getAsJsonObject(), key, source);
        } else if (def.isJsonArray()) {
            if (!value.isJsonArray()) {
                throw mismatch(source, key, "an array", value);
            }
            JsonPrimitive prototype = elementPrototype(def.getAsJsonArray());
            if (prototype != null) {
                JsonArray array = value.getAsJsonArray();
                for (int i = 0; i < array.size(); i++) {
                    checkScalar(prototype, array.get(i), key + "[" + i + "]", source);
                }
            }
        } else {
            checkScalar(def.getAsJsonPrimitive(), value, key, source);
        }
    }

    /**
     * The element type a default array asks for: its elements when they are all primitives of one
     * kind (for numbers, a float element makes the whole array float), otherwise null (any elements
     * are accepted, including for an empty default array).
     */
    private static JsonPrimitive elementPrototype(JsonArray def) {
        JsonPrimitive prototype = null;
        for (JsonElement element : def) {
            if (!element.isJsonPrimitive()) {
                return null;
            }
            JsonPrimitive p = element.getAsJsonPrimitive();
            if (prototype == null) {
                prototype = p;
            } else if (kind(p) != kind(prototype)) {
                return null;
            } else if (p.isNumber() && JsonSupport.isFloatText(p)) {
                prototype = p;
            }
        }
        return prototype;
    }

    private static int kind(JsonPrimitive p) {
        return p.isNumber() ? 0 : p.isBoolean() ? 1 : 2;
    }

    private static void checkScalar(
            JsonPrimitive def, JsonElement value, String key, String source) {
        boolean primitive = value.isJsonPrimitive();
        if (def.isBoolean()) {
            if (!primitive || !value.getAsJsonPrimitive().isBoolean()) {
                throw mismatch(source, key, "a boolean", value);
            }
        } else if (def.isString()) {
            if (!primitive || !value.getAsJsonPrimitive().isString()) {
                throw mismatch(source, key, "a string", value);
            }
        } else if (JsonSupport.isFloatText(def)) {
            if (!primitive || !value.getAsJsonPrimitive().isNumber()) {
                throw mismatch(source, key, "a number", value);
            }
        } else {
            if (!primitive
                    || !value.getAsJsonPrimitive().isNumber()
                    || !JsonSupport.isIntegral(value.getAsJsonPrimitive())) {
                throw mismatch(source, key, "an integer", value);
            }
            BigDecimal d = JsonSupport.decimal(value.getAsJsonPrimitive());
            if (d.compareTo(LONG_MIN) < 0 || d.compareTo(LONG_MAX) > 0) {
                throw new ConfigException(
                        source
                                + ": key '"
                                + key
                                + "' expects an integer, got "
                                + JsonSupport.describe(value)
                                + " (outside the 64-bit range)");
            }
        }
    }

    private static ConfigException mismatch(
            String source, String key, String expected, JsonElement value) {
        return new ConfigException(
                source
                        + ": key '"
                        + key
                        + "' expects "
                        + expected
                        + ", got "
                        + JsonSupport.describe(value));
    }

    /**
     * {@code " (did you mean 'a.b'?)"} for the closest known key at the same level within edit
     * distance 2 (ties go to the earlier default), or {@code ""} when none is close enough.
     */
    private static String suggestion(JsonObject defaults, String unknown, String prefix) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : defaults.keySet()) {
            int d = Names.editDistance(unknown, known);
            if (d <= 2 && d < unknown.length() && d < bestDistance) {
                best = known;
                bestDistance = d;
            }
        }
        return best == null ? "" : " (did you mean '" + JsonSupport.join(prefix, best) + "'?)";
    }
}
