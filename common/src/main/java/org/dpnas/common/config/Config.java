package org.dpnas.common.config;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An immutable, validated configuration with typed getters addressed by dotted path such as {@code
 * "train.lr"}.
 *
 * <p>Instances come from {@link ConfigLoader#load}, {@link #sub(String)} or {@link
 * #withOverrides(List)}. Getters throw {@link IllegalArgumentException} naming the full dotted key
 * when the key does not exist or its value has another type; keys in messages include the path of a
 * {@linkplain #sub(String) sub-config} within the root.
 */
public final class Config {

    private final JsonObject schema;
    private final JsonObject values;
    private final String path;

    /**
     * Wraps already-validated values; both objects must be owned by the new instance.
     *
     * @param schema the defaults at this level
     * @param values the resolved values at this level
     * @param path the dotted path of this level within the root, {@code ""} for the root
     */
    Config(JsonObject schema, JsonObject values, String path) {
        this.schema = schema;
        this.values = values;
        this.path = path;
    }

    /** The dotted path of this config within the root config ({@code ""} for the root). */
    public String path() {
        return path;
    }

    /** The keys at the top level of this config, in defaults order. */
    public Set<String> keys() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(values.keySet()));
    }

    /**
     * Whether the dotted key exists; a key whose value is JSON null exists.
     *
     * @param key dotted path such as {@code "data.root"}
     * @return true when every segment of the path is present
     */
    public boolean has(String key) {
        return find(key) != null;
    }

    /**
     * Whether the dotted key exists and holds JSON null (an unset optional value).
     *
     * @param key dotted path
     * @return true for a present null value
     * @throws IllegalArgumentException when the key does not exist
     */
    public boolean isNull(String key) {
        return get(key).isJsonNull();
    }

    /**
     * The value as an {@code int}.
     *
     * @param key dotted path
     * @return the value, which must be an integral number within the int range
     * @throws IllegalArgumentException when the key is missing or the value is not such a number
     */
    public int getInt(String key) {
        return integral(get(key), key, "an int").intValue();
    }

    /**
     * The value as a {@code long}.
     *
     * @param key dotted path
     * @return the value, which must be an integral number within the long range
     * @throws IllegalArgumentException when the key is missing or the value is not such a number
     */
    public long getLong(String key) {
        return integral(get(key), key, "a long").longValue();
    }

    /**
     * The value as a {@code float}.
     *
     * @param key dotted path
     * @return the nearest float to the number
     * @throws IllegalArgumentException when the key is missing, the value is not a number or it
     *     overflows the float range
     */
    public float getFloat(String key) {
        return toFloat(get(key), key);
    }

    /**
     * The value as a {@code double}.
     *
     * @param key dotted path
     * @return the nearest double to the number
     * @throws IllegalArgumentException when the key is missing or the value is not a number
     */
    public double getDouble(String key) {
        return number(get(key), key, "a number").getAsDouble();
    }

    /**
     * The value as a string, or null when the value is JSON null.
     *
     * @param key dotted path
     * @return the string, or null
     * @throws IllegalArgumentException when the key is missing or the value is neither a string nor
     *     null
     */
    public String getString(String key) {
        JsonElement value = get(key);
        if (value.isJsonNull()) {
            return null;
        }
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
            throw wrongType(key, "a string", value);
        }
        return value.getAsString();
    }

    /**
     * The value as a {@code boolean}.
     *
     * @param key dotted path
     * @return the boolean
     * @throws IllegalArgumentException when the key is missing or the value is not a boolean
     */
    public boolean getBoolean(String key) {
        JsonElement value = get(key);
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isBoolean()) {
            throw wrongType(key, "a boolean", value);
        }
        return value.getAsBoolean();
    }

    /**
     * The value as an {@code int[]} (a fresh array).
     *
     * @param key dotted path
     * @return the elements
     * @throws IllegalArgumentException when the key is missing, the value is not an array or an
     *     element is not an integral number within the int range
     */
    public int[] getIntArray(String key) {
        JsonArray array = array(key);
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = integral(array.get(i), key + "[" + i + "]", "an int").intValue();
        }
        return out;
    }

    /**
     * The value as a {@code float[]} (a fresh array).
     *
     * @param key dotted path
     * @return the elements
     * @throws IllegalArgumentException when the key is missing, the value is not an array or an
     *     element is not a number within the float range
     */
    public float[] getFloatArray(String key) {
        JsonArray array = array(key);
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = toFloat(array.get(i), key + "[" + i + "]");
        }
        return out;
    }

    /**
     * The value as an unmodifiable list of strings.
     *
     * @param key dotted path
     * @return the elements
     * @throws IllegalArgumentException when the key is missing, the value is not an array or an
     *     element is not a string
     */
    public List<String> getStringList(String key) {
        JsonArray array = array(key);
        List<String> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonElement e = array.get(i);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw wrongType(key + "[" + i + "]", "a string", e);
            }
            out.add(e.getAsString());
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * A deep copy of the raw JSON value at the key, for structures the typed getters do not cover.
     *
     * @param key dotted path
     * @return a copy of the value (JSON null for a null value)
     * @throws IllegalArgumentException when the key is missing
     */
    public JsonElement getJson(String key) {
        return get(key).deepCopy();
    }

    /**
     * The nested object at the key as a config of its own; its messages keep the full path.
     *
     * @param key dotted path of an object value
     * @return the sub-config
     * @throws IllegalArgumentException when the key is missing or the value is not an object
     */
    public Config sub(String key) {
        JsonElement value = get(key);
        if (!value.isJsonObject()) {
            throw wrongType(key, "an object", value);
        }
        JsonElement subSchema = navigate(schema, split(key));
        return new Config(
                subSchema.getAsJsonObject().deepCopy(),
                value.getAsJsonObject().deepCopy(),
                full(key));
    }

    /**
     * A new config with {@code a.b=value} overrides applied on top of this one and validated
     * against the same defaults; keys are relative to this config.
     *
     * @param overrides override strings, as for {@link ConfigLoader#load}; null means none
     * @return the new config; this one is unchanged
     * @throws ConfigException on a malformed override, an unknown key or a wrong type
     */
    public Config withOverrides(List<String> overrides) {
        JsonObject copy = values.deepCopy();
        ConfigLoader.applyOverrides(schema, copy, overrides, path);
        return new Config(schema, copy, path);
    }

    /**
     * The resolved config as pretty-printed JSON with keys in defaults order; the same config
     * always gives the same text.
     */
    public String toJson() {
        return JsonSupport.PRETTY.toJson(values);
    }

    /** A deep copy of the resolved values; changing it does not change this config. */
    public JsonObject asJsonObject() {
        return values.deepCopy();
    }

    /** Configs are equal when their resolved values are equal JSON. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Config other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    /** The resolved values as compact JSON. */
    @Override
    public String toString() {
        return values.toString();
    }

    private JsonElement find(String key) {
        return navigate(values, split(key));
    }

    private JsonElement get(String key) {
        JsonElement value = find(key);
        if (value == null) {
            throw new IllegalArgumentException("no config key '" + full(key) + "'");
        }
        return value;
    }

    private JsonArray array(String key) {
        JsonElement value = get(key);
        if (!value.isJsonArray()) {
            throw wrongType(key, "an array", value);
        }
        return value.getAsJsonArray();
    }

    private static JsonElement navigate(JsonObject root, String[] parts) {
        JsonElement cursor = root;
        for (String part : parts) {
            if (!cursor.isJsonObject()) {
                return null;
            }
            cursor = cursor.getAsJsonObject().get(part);
            if (cursor == null) {
                return null;
            }
        }
        return cursor;
    }

    private static String[] split(String key) {
        if (key == null) {
            throw new IllegalArgumentException("config key must not be null");
        }
        String[] parts = key.split("\\.", -1);
        for (String part : parts) {
            if (part.isEmpty()) {
                throw new IllegalArgumentException("malformed config key '" + key + "'");
            }
        }
        return parts;
    }

    private JsonPrimitive number(JsonElement value, String key, String expected) {
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
            throw wrongType(key, expected, value);
        }
        return value.getAsJsonPrimitive();
    }

    private BigDecimal integral(JsonElement value, String key, String expected) {
        JsonPrimitive p = number(value, key, expected);
        BigDecimal d = JsonSupport.decimal(p);
        try {
            if (d == null) {
                throw new ArithmeticException();
            }
            if (expected.equals("an int")) {
                d.intValueExact();
            } else {
                d.longValueExact();
            }
        } catch (ArithmeticException e) {
            throw wrongType(key, expected, value);
        }
        return d;
    }

    private float toFloat(JsonElement value, String key) {
        double d = number(value, key, "a number").getAsDouble();
        float f = (float) d;
        if (Float.isInfinite(f) && !Double.isInfinite(d)) {
            throw new IllegalArgumentException(
                    "config key '" + full(key) + "' is outside the float range: " + d);
        }
        return f;
    }

    private IllegalArgumentException wrongType(String key, String expected, JsonElement value) {
        return new IllegalArgumentException(
                "config key '"
                        + full(key)
                        + "' is not "
                        + expected
                        + ": "
                        + JsonSupport.describe(value));
    }

    private String full(String key) {
        return JsonSupport.join(path, key);
    }
}
