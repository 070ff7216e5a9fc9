package org.dpnas.fastdensenas;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.run.AtomicFiles;

/**
 * The {@link EarlyStop} rule of one search shared by its children wherever they run: its state
 * lives in {@code search/early-stop.json} under the search directory and every decision is a
 * read-modify-write under an operating-system lock on {@code search/early-stop.lock}. The file also
 * remembers the decisions of the most recent children by directory, so a child that was cut off
 * after its decision and runs again gets the same answer without moving the rule a second time
 * (resume stays exact).
 */
final class SharedEarlyStop {

    /** How many recent decisions the file remembers. */
    static final int REMEMBERED = 64;

    private SharedEarlyStop() {}

    /**
     * The decision for one child.
     *
     * @param proceed whether the child goes on to stage 2
     * @param average the running average after this reward
     * @param delta the margin bound after this decision
     */
    record Decision(boolean proceed, double average, double delta) {}

    /**
     * Decides whether a child goes on.
     *
     * @param searchRoot the search directory
     * @param child the child's key (its directory relative to the search)
     * @param reward the child's stage-1 reward
     * @param s the settings (start values)
     * @param seed the seed of the margin stream
     */
    static synchronized Decision decide(
            Path searchRoot, String child, double reward, FdnSettings s, long seed)
            throws IOException {
        Path dir = searchRoot.resolve("search");
        Files.createDirectories(dir);
        Path file = dir.resolve("early-stop.json");
        try (FileChannel ch =
                        FileChannel.open(
                                dir.resolve("early-stop.lock"),
                                StandardOpenOption.CREATE,
                                StandardOpenOption.WRITE);
                FileLock lock = ch.lock()) {
            EarlyStop rule = new EarlyStop(s.earlyStopAverage(), s.earlyStopDelta(), seed);
            JsonObject recent = new JsonObject();
            if (Files.exists(file)) {
                JsonObject o =
                        JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8))
                                .getAsJsonObject();
                rule.restore(o.getAsJsonObject("rule"));
                recent = o.getAsJsonObject("recent");
                if (recent.has(child)) {
                    JsonObject d = recent.getAsJsonObject(child);
                    return new Decision(
                            d.get("proceed").getAsBoolean(),
                            d.get("average").getAsDouble(),
                            d.get("delta").getAsDouble());
                }
            }
            boolean proceed = rule.proceed(reward);
            JsonObject d = new JsonObject();
            d.addProperty("reward", reward);
            d.addProperty("proceed", proceed);
            d.addProperty("average", rule.average());
            d.addProperty("delta", rule.delta());
            recent.add(child, d);
            List<String> keys = new ArrayList<>(recent.keySet());
            for (int i = 0; i < keys.size() - REMEMBERED; i++) {
                recent.remove(keys.get(i));
            }
            JsonObject o = new JsonObject();
            o.add("rule", rule.state());
            o.add("recent", recent);
            AtomicFiles.writeString(file, o.toString() + "\n");
            return new Decision(proceed, rule.average(), rule.delta());
        }
    }
}
