package org.dpnas.common.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSkipsMergeTest {

    @TempDir Path dir;

    /** A report as {@code BadSampleDataset.report} writes it, for one view. */
    private static JsonObject report(String view, long reads, String... badIndexAndMessage) {
        JsonObject one = new JsonObject();
        one.addProperty("policy", "skip");
        one.addProperty("skipped_reads", reads);
        JsonObject bad = new JsonObject();
        for (int i = 0; i < badIndexAndMessage.length; i += 2) {
            bad.addProperty(badIndexAndMessage[i], badIndexAndMessage[i + 1]);
        }
        one.addProperty("bad_samples", bad.size());
        one.add("bad", bad);
        JsonObject o = new JsonObject();
        o.add(view, one);
        o.addProperty("skipped_reads", reads);
        return o;
    }

    private JsonObject read(RunDirectory run) throws IOException {
        return JsonParser.parseString(Files.readString(run.dataSkips())).getAsJsonObject();
    }

    @Test
    void aSecondProcessAddsToTheFirstInsteadOfReplacingIt() throws IOException {
        RunDirectory run = new RunDirectory(dir);
        run.writeDataSkips(report("train", 3, "10", "b.png: truncated", "2", "a.png: missing"));
        assertFalse(read(run).has("processes"));

        JsonObject second = report("train", 1, "4", "c.png: missing", "10", "b.png: truncated");
        second.add("val", report("val", 2, "0", "v.png: missing").getAsJsonObject("val"));
        second.addProperty("skipped_reads", 3);
        run.writeDataSkips(second);
        JsonObject merged = read(run);
        JsonObject train = merged.getAsJsonObject("train");
        assertEquals(4, train.get("skipped_reads").getAsLong());
        assertEquals(3, train.get("bad_samples").getAsLong());
        // indices in numeric order, each once
        assertEquals(List.of("2", "4", "10"), List.copyOf(train.getAsJsonObject("bad").keySet()));
        assertEquals(2, merged.getAsJsonObject("val").get("skipped_reads").getAsLong());
        assertEquals(6, merged.get("skipped_reads").getAsLong());
        assertEquals(2, merged.get("processes").getAsLong());

        // a third process with nothing to report leaves the file as it is
        String before = Files.readString(run.dataSkips());
        run.writeDataSkips(report("train", 0));
        assertEquals(before, Files.readString(run.dataSkips()));
        // a third process that skipped counts as the third
        run.writeDataSkips(report("train", 5, "2", "a.png: missing"));
        assertEquals(3, read(run).get("processes").getAsLong());
        assertEquals(9, read(run).getAsJsonObject("train").get("skipped_reads").getAsLong());
    }

    @Test
    void anUnreadableEarlierFileIsNamedAndKept() throws IOException {
        RunDirectory run = new RunDirectory(dir);
        Files.writeString(run.dataSkips(), "{\"train\": ");
        IOException e =
                assertThrows(IOException.class, () -> run.writeDataSkips(report("train", 1)));
        assertTrue(e.getMessage().startsWith(run.dataSkips().toString()), e.getMessage());
        assertEquals("{\"train\": ", Files.readString(run.dataSkips()));
    }
}
