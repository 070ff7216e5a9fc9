package org.dpnas.common.config;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.EOFException;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Package-private JSON helpers: strict parsing, deep merge, number kinds and value descriptions.
 */
final class JsonSupport {

    /** Pretty printer that keeps nulls (a null default is a real key) and does not HTML-escape. */
    static final Gson PRETTY =
            new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create();

    private static final Gson PLAIN =
            new GsonBuilder().serializeNulls().disableHtmlEscaping().create();
    private static final TypeAdapter<JsonElement> ELEMENTS = PLAIN.getAdapter(JsonElement.class);
    private static final Pattern LOCATION =
            Pattern.compile("^(.*?)\\s*at line (\\d+) column (\\d+)(?: path \\S*)?\\s*$");
    private static final int MAX_DESCRIBED = 60;

    private JsonSupport() {}

    /**
     * Parses one strict JSON document (no comments, no unquoted names, nothing after the value).
     *
     * @throws JsonParseException on malformed input, with Gson's message
     * @throws IOException when the reader fails
     */
    static JsonElement parseStrict(Reader in) throws IOException {
        JsonReader reader = new JsonReader(in);
        reader.setStrictness(Strictness.STRICT);
        if (reader.peek() == JsonToken.END_DOCUMENT) {
            throw new JsonParseException("empty document");
        }
        JsonElement element = ELEMENTS.read(reader);
        if (reader.peek() != JsonToken.END_DOCUMENT) {
            throw new JsonParseException(
                    "unexpected content after the top-level value " + reader.getPath());
        }
        return element;
    }

    /** Parses {@code text} as one strict JSON document, or returns null when it is not one. */
    static JsonElement tryParse(String text) {
        try {
            return parseStrict(new StringReader(text));
        } catch (IOException | JsonParseException | IllegalStateException e) {
            return null;
        }
    }

    /**
     * Turns a Gson parse failure into a short one-line explanation such as {@code at line 3 column
     * 7: Unexpected value}.
     */
    static String explainParseError(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        if (newline >= 0) {
            message = message.substring(0, newline);
        }
        if (e instanceof EOFException) {
            message = message.replaceFirst("^End of input", "unexpected end of input");
        }
        Matcher m = LOCATION.matcher(message);
        if (!m.matches()) {
            return ": " + message.trim();
        }
        String detail = m.group(1).trim();
        if (detail.startsWith("Use JsonReader.setStrictness")) {
            detail =
                    "not strict JSON (no comments, unquoted names, single quotes or trailing text)";
        }
        return " at line " + m.group(2) + " column " + m.group(3) + ": " + detail;
    }

    /**
     * Deep-merges {@code source} over {@code target} in place: objects merge key by key, any other
     * value replaces. Values taken from {@code source} are copied; keys already in {@code target}
     * keep their position.
     */
    static void mergeInto(JsonObject target, JsonObject source) {
        for (Map.Entry<String, JsonElement> e : source.entrySet()) {
            JsonElement existing = target.get(e.getKey());
            JsonElement incoming = e.getValue();
            if (existing != null && existing.isJsonObject() && incoming.isJsonObject()) {
                mergeInto(existing.getAsJsonObject(), incoming.getAsJsonObject());
            } else {
                target.add(e.getKey(), incoming.deepCopy());
            }
        }
    }

    /**
     * True when a numeric default is written as a float: its text contains {@code .}, {@code e} or
     * {@code E}, or it is not finite ({@code 10} is an integer default, {@code 10.0} a float one).
     */
    static boolean isFloatText(JsonPrimitive number) {
        String text = number.getAsNumber().toString();
        return text.indexOf('.') >= 0
                || text.indexOf('e') >= 0
                || text.indexOf('E') >= 0
                || text.contains("NaN")
                || text.contains("Infinity");
    }

    /** The exact decimal value of a JSON number, or null when it is not finite. */
    static BigDecimal decimal(JsonPrimitive number) {
        try {
            return new BigDecimal(number.getAsNumber().toString());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** True when the number has no fractional part (its value, not its spelling: 3.0 counts). */
    static boolean isIntegral(JsonPrimitive number) {
        BigDecimal d = decimal(number);
        return d != null && (d.signum() == 0 || d.stripTrailingZeros().scale() <= 0);
    }

    /**
     * Short human description of a value: {@code string "abc"}, {@code number 0.5}, {@code null}.
     */
    static String describe(JsonElement value) {
        if (value == null || value.isJsonNull()) {
            return "null";
        }
        String kind;
        if (value.isJsonObject()) {
            kind = "object";
        } else if (value.isJsonArray()) {
            kind = "array";
        } else if (value.getAsJsonPrimitive().isNumber()) {
            kind = "number";
        } else if (value.getAsJsonPrimitive().isBoolean()) {
            kind = "boolean";
        } else {
            kind = "string";
        }
        String text = PLAIN.toJson(value);
        if (text.length() > MAX_DESCRIBED) {
            text = text.substring(0, MAX_DESCRIBED - 3) + "...";
        }
        return kind + " " + text;
    }

    /** Joins a dotted prefix and a key ({@code ""} + {@code a} is {@code a}). */
    static String join(String prefix, String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }
}
