package org.dpnas.eval.det;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Typed, location-aware reads on a Gson {@link JsonReader} shared by the COCO readers. */
final class CocoJson {

    private CocoJson() {}

    static JsonReader open(Path file) throws IOException {
        return new JsonReader(
                new BufferedReader(
                        new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8),
                        1 << 16));
    }

    static void expect(JsonReader r, JsonToken token, Path file, String where) throws IOException {
        JsonToken t = r.peek();
        if (t != token) {
            throw new CocoFormatException(
                    file, where, "expected " + name(token) + ", found " + name(t));
        }
    }

    static double number(JsonReader r, Path file, String where) throws IOException {
        expect(r, JsonToken.NUMBER, file, where);
        return r.nextDouble();
    }

    /**
     * Reads a finite number; a bare {@code NaN}, {@code Infinity} or {@code -Infinity} (as Python's
     * {@code json.dump} writes them) is reported as "{@code what} is NaN" rather than as a JSON
     * syntax error.
     */
    static double finite(JsonReader r, Path file, String where, String what) throws IOException {
        Strictness before = r.getStrictness();
        r.setStrictness(Strictness.LENIENT); // only to read this one value
        try {
            JsonToken t = r.peek();
            if (t == JsonToken.STRING) {
                String text = r.nextString();
                if (text.equals("NaN") || text.equals("Infinity") || text.equals("-Infinity")) {
                    throw new CocoFormatException(file, where, what + " is " + text);
                }
                throw new CocoFormatException(file, where, "expected a number, found a string");
            }
            expect(r, JsonToken.NUMBER, file, where);
            double v = r.nextDouble();
            if (!Double.isFinite(v)) {
                throw new CocoFormatException(file, where, what + " is " + v);
            }
            return v;
        } finally {
            r.setStrictness(before);
        }
    }

    static long integer(JsonReader r, Path file, String where) throws IOException {
        expect(r, JsonToken.NUMBER, file, where);
        try {
            return r.nextLong();
        } catch (NumberFormatException e) {
            throw new CocoFormatException(file, where, "expected an integer id");
        }
    }

    /** Python truthiness of a number or boolean ({@code iscrowd} may be written either way). */
    static boolean flag(JsonReader r, Path file, String where) throws IOException {
        JsonToken t = r.peek();
        if (t == JsonToken.BOOLEAN) {
            return r.nextBoolean();
        }
        if (t == JsonToken.NULL) {
            r.nextNull();
            return false;
        }
        return number(r, file, where) != 0;
    }

    /** Reads a {@code [x, y, w, h]} array into {@code out[off..off+3]}. */
    static void bbox(JsonReader r, Path file, String where, double[] out, int off)
            throws IOException {
        if (r.peek() != JsonToken.BEGIN_ARRAY) {
            throw new CocoFormatException(
                    file, where, "bbox must be an array of 4 numbers, found " + name(r.peek()));
        }
        r.beginArray();
        int n = 0;
        while (r.hasNext()) {
            if (r.peek() != JsonToken.NUMBER || n == 4) {
                throw new CocoFormatException(
                        file,
                        where,
                        n == 4
                                ? "bbox must be 4 numbers, found more"
                                : "bbox must be 4 numbers, element " + n + " is " + name(r.peek()));
            }
            out[off + n++] = r.nextDouble();
        }
        r.endArray();
        if (n != 4) {
            throw new CocoFormatException(file, where, "bbox must be 4 numbers, found " + n);
        }
    }

    static String name(JsonToken t) {
        return switch (t) {
            case BEGIN_ARRAY -> "an array";
            case END_ARRAY -> "the end of an array";
            case BEGIN_OBJECT -> "an object";
            case END_OBJECT -> "the end of an object";
            case NAME -> "a field name";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case END_DOCUMENT -> "the end of the file";
        };
    }
}
