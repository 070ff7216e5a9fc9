package org.dpnas.common.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.search.SearchMethod;

/**
 * Runs a registered method's search from a test the way {@code dpnas search METHOD} does: the
 * method's defaults under one of its committed presets ({@code configs/METHOD/PRESET.json}, read
 * from the module directory surefire runs in) and the test's overrides, into a run directory, with
 * the console captured.
 */
public final class MethodSearches {

    private MethodSearches() {}

    /** The method's defaults, then {@code configs/<method>/<preset>.json}, then the overrides. */
    public static Config preset(SearchMethod method, String preset, List<String> overrides) {
        return ConfigLoader.load(
                method.searchDefaults(),
                Path.of("../configs", method.name(), preset + ".json"),
                overrides);
    }

    /** Runs (or resumes) the search into {@code dir}; returns what it printed. */
    public static String search(SearchMethod method, Config config, Path dir, boolean resume)
            throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        method.search(
                config,
                new RunDirectory(dir),
                resume,
                List.of("test"),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        return log.toString(StandardCharsets.UTF_8);
    }
}
