package org.dpnas.common.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;
import org.dpnas.common.train.Checkpointer;

/**
 * The exact-resume check of a one-shot search: a run "killed" after a checkpoint (its later
 * checkpoints gone, its logs holding records past it, as a killed process leaves them) and then
 * resumed must end byte for byte where an uninterrupted run did.
 */
public final class OneShotRuns {

    /** What a one-shot checkpoint holds: the weights and both optimizers' states. */
    private static final String[] CHECKPOINT_FILES = {
        "model.params", "optimizer-weights.ndlist", "optimizer-arch.ndlist"
    };

    private OneShotRuns() {}

    /** Deletes the run's checkpoints after {@code step}, as if the process died after it. */
    public static void dropCheckpointsAfter(Path run, long step) throws IOException {
        for (Path p : new Checkpointer(run.resolve("checkpoints"), 1).list()) {
            if (Checkpointer.stepOf(p) > step) {
                try (Stream<Path> s = Files.walk(p)) {
                    s.sorted(Comparator.reverseOrder())
                            .forEach(
                                    q -> {
                                        try {
                                            Files.delete(q);
                                        } catch (IOException e) {
                                            throw new UncheckedIOException(e);
                                        }
                                    });
                }
            }
        }
    }

    /**
     * Asserts that two runs hold the same checkpoint at {@code step} (weights and optimizer states,
     * byte for byte), the same per-epoch genotypes and the same metrics log.
     */
    public static void assertSameRun(Path expected, Path actual, long step) throws IOException {
        String dir = String.format(Locale.ROOT, "checkpoints/step-%08d", step);
        for (String f : CHECKPOINT_FILES) {
            assertArrayEquals(
                    Files.readAllBytes(expected.resolve(dir).resolve(f)),
                    Files.readAllBytes(actual.resolve(dir).resolve(f)),
                    f);
        }
        assertEquals(
                Files.readString(expected.resolve("search/genotypes.jsonl")),
                Files.readString(actual.resolve("search/genotypes.jsonl")));
        assertEquals(
                Files.readString(expected.resolve("metrics.jsonl")),
                Files.readString(actual.resolve("metrics.jsonl")));
    }
}
