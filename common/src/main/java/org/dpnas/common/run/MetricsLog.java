package org.dpnas.common.run;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The run's {@code metrics.jsonl}: one JSON object per line, each with a {@code step}, appended and
 * flushed as training goes. On resume, {@link #truncateAfter(long)} drops every line written after
 * the checkpoint being resumed (and a torn last line left by a killed process), so the resumed log
 * equals the log of an uninterrupted run.
 */
public final class MetricsLog implements AutoCloseable {

    private final Path file;
    private BufferedWriter out;

    /** Opens (creating if needed) the log at {@code file} for appending. */
    public MetricsLog(Path file) {
        this.file = file;
    }

    /** The log file. */
    public Path file() {
        return file;
    }

    /** Appends one record and flushes it. */
    public synchronized void append(JsonObject record) throws IOException {
        if (!record.has("step")) {
            throw new IllegalArgumentException("a metrics record needs a 'step'");
        }
        if (out == null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
            out =
                    Files.newBufferedWriter(
                            file,
                            StandardCharsets.UTF_8,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
        }
        out.write(record.toString());
        out.write('\n');
        out.flush();
    }

    /** All complete records in the file, in order; a torn last line is skipped. */
    public List<JsonObject> read() throws IOException {
        return read(file);
    }

    /** All complete records of a metrics file, in order; a torn last line is skipped. */
    public static List<JsonObject> read(Path file) throws IOException {
        List<JsonObject> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonElement e = JsonParser.parseString(line);
                if (e.isJsonObject() && e.getAsJsonObject().has("step")) {
                    out.add(e.getAsJsonObject());
                }
            } catch (JsonParseException torn) {
                // a line cut short by a killed process: not a record
            }
        }
        return out;
    }

    /** Rewrites the file atomically, keeping only records with {@code step <= lastStep}. */
    public synchronized void truncateAfter(long lastStep) throws IOException {
        close();
        StringBuilder sb = new StringBuilder();
        for (JsonObject r : read()) {
            if (r.get("step").getAsLong() <= lastStep) {
                sb.append(r).append('\n');
            }
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    @Override
    public synchronized void close() throws IOException {
        if (out != null) {
            out.close();
            out = null;
        }
    }
}
