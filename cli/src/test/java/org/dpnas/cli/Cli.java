package org.dpnas.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs the real {@code dpnas} command in-process and captures its exit code and output. */
public final class Cli {

    /** Exit code, standard output and standard error of one run. */
    public record Outcome(int code, String out, String err) {}

    private Cli() {}

    /** Reads a JSON object file. */
    public static JsonObject json(Path p) throws java.io.IOException {
        return JsonParser.parseString(Files.readString(p)).getAsJsonObject();
    }

    /** Runs {@code dpnas args...} with the default verbs. */
    public static Outcome dpnas(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                Main.run(
                        args,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(
                code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
