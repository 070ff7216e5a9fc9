package org.dpnas.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.dpnas.common.search.Registry;
import org.dpnas.common.search.SearchMethod;
import org.junit.jupiter.api.Test;

/**
 * The command knows verbs, never methods: no registered method name (nor "Auto-DeepLab" in any
 * spelling) appears in cli's main sources, so a new method needs no change here.
 */
class NoMethodNamesTest {

    private static final Path SOURCES = Path.of("src/main/java");

    static List<String> offending(Path root, List<String> names) throws IOException {
        List<String> hits = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i).replace("-", "");
                    for (String n : names) {
                        // the name as a word or an identifier's start (CasMethod, "cas"), not
                        // inside a lower-case word ("case", "broadcast")
                        java.util.regex.Pattern word =
                                java.util.regex.Pattern.compile(
                                        "(?<![A-Za-z])(?i:"
                                                + java.util.regex.Pattern.quote(n)
                                                + ")(?![a-z])");
                        if (word.matcher(line).find()) {
                            hits.add(f + ":" + (i + 1) + ": " + n);
                        }
                    }
                }
            }
        }
        return hits;
    }

    private static List<String> names() {
        List<String> names = new ArrayList<>(List.of("autodeeplab", "Auto-DeepLab"));
        for (SearchMethod m : Registry.methods()) {
            names.add(m.name());
        }
        return names.stream()
                .map(n -> n.toLowerCase(Locale.ROOT).replace("-", ""))
                .distinct()
                .toList();
    }

    @Test
    void cliSourcesNameNoMethod() throws IOException {
        assertTrue(Files.isDirectory(SOURCES), "run from the cli module: " + SOURCES);
        assertFalse(Registry.methods().isEmpty(), "no method registered on the classpath");
        assertEquals(List.of(), offending(SOURCES, names()));
    }

    /** Negative control: the scan finds a method name where one is. */
    @Test
    void theScanFindsANameWhereOneIs() throws IOException {
        Path dir = Files.createTempDirectory("scan");
        Files.writeString(dir.resolve("X.java"), "class X { String m = \"autodeeplab\"; }\n");
        assertEquals(1, offending(dir, names()).size());
        Files.writeString(
                dir.resolve("Y.java"),
                "class Y { Object m = new CasMethod(); String s = \"case\"; }\n");
        assertEquals(
                List.of(
                        dir.resolve("X.java") + ":1: autodeeplab",
                        dir.resolve("Y.java") + ":1: cas"),
                offending(dir, List.of("autodeeplab", "cas")).stream().sorted().toList());
    }
}
