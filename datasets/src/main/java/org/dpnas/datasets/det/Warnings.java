package org.dpnas.datasets.det;

import java.io.PrintStream;
import java.util.List;

/** Sends a dataset's one-line warnings to a supplied stream or, without one, to a logger. */
final class Warnings {

    /** File names listed in full in a warning line before the rest is summarised. */
    static final int MAX_LISTED = 20;

    private Warnings() {}

    /** Emits {@code line} to {@code out}, or to the {@link System.Logger} of {@code source}. */
    static void emit(PrintStream out, Class<?> source, String line) {
        if (out != null) {
            out.println("WARNING: " + line);
        } else {
            System.getLogger(source.getName()).log(System.Logger.Level.WARNING, line);
        }
    }

    /** Joins names with ", ", listing at most {@link #MAX_LISTED} and counting the rest. */
    static String names(List<String> names) {
        if (names.size() <= MAX_LISTED) {
            return String.join(", ", names);
        }
        return String.join(", ", names.subList(0, MAX_LISTED))
                + " and "
                + (names.size() - MAX_LISTED)
                + " more";
    }
}
