package org.dpnas.common.search;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reading the common header of {@code genotype.json} files ({@code schema}, {@code method}) and
 * field access whose errors name the field, shared by every method's genotype parser.
 */
public final class GenotypeFiles {

    private GenotypeFiles() {}

    /**
     * Parses genotype text into its JSON object.
     *
     * @throws IllegalArgumentException when the text is not a JSON object
     */
    public static JsonObject parse(String json) {
        try {
            return JsonParser.parseString(json).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException("genotype is not a JSON object: " + e.getMessage());
        }
    }

    /**
     * Reads a file's text.
     *
     * @throws IllegalArgumentException naming the file when it is missing or unreadable
     */
    public static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("genotype file " + file + " not found", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot read genotype file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The {@code method} field of a genotype file.
     *
     * @throws IllegalArgumentException naming the file when it is missing, not JSON or has no
     *     method
     */
    public static String methodOf(Path file) {
        try {
            return string(parse(read(file)), "method");
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith("genotype file")) {
                throw e;
            }
            throw new IllegalArgumentException("genotype file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Checks the {@code schema} and {@code method} fields, naming the one that does not match — the
     * one wording of every method's genotype reader: {@code genotype field 'schema' is 2, this
     * version reads 1} and {@code genotype field 'method' is 'cas', expected 'autodeeplab'}.
     */
    public static void checkHeader(JsonObject o, int schema, String method) {
        int s = integer(o, "schema");
        if (s != schema) {
            throw new IllegalArgumentException(
                    "genotype field 'schema' is " + s + ", this version reads " + schema);
        }
        String m = string(o, "method");
        if (!method.equals(m)) {
            throw new IllegalArgumentException(
                    "genotype field 'method' is '" + m + "', expected '" + method + "'");
        }
    }

    /** A present, non-null field. */
    public static JsonElement field(JsonObject o, String name) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            throw new IllegalArgumentException("genotype lacks the field '" + name + "'");
        }
        return e;
    }

    /** An integer field. */
    public static int integer(JsonObject o, String name) {
        JsonElement e = field(o, name);
        try {
            double d = e.getAsDouble();
            if (d != Math.rint(d)) {
                throw new NumberFormatException();
            }
            return e.getAsInt();
        } catch (NumberFormatException | UnsupportedOperationException | IllegalStateException x) {
            throw new IllegalArgumentException("genotype field '" + name + "' is not an integer");
        }
    }

    /** A string field. */
    public static String string(JsonObject o, String name) {
        JsonElement e = field(o, name);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("genotype field '" + name + "' is not a string");
        }
        return e.getAsString();
    }
}
