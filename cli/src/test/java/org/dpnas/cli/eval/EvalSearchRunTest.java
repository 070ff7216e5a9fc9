package org.dpnas.cli.eval;

import static org.dpnas.cli.Cli.dpnas;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dpnas.cli.Cli.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eval model --run} on search runs. */
class EvalSearchRunTest {

    private static final String[] TINY = {
        "--set", "space.layers=3",
        "--set", "space.filter_multiplier=2",
        "--set", "space.blocks=2",
        "--set", "data.synthetic.train_size=8",
        "--set", "data.synthetic.val_size=4",
        "--set", "data.synthetic.height=16",
        "--set", "data.synthetic.width=16",
        "--batch-size", "2",
        "--epochs", "1",
        "--threads", "1",
        "--device", "cpu",
    };

    private static String[] search(Path dir, String... extra) {
        String[] head = {"search", "autodeeplab", "--work-dir", dir.toString()};
        String[] out = new String[head.length + TINY.length + extra.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(TINY, 0, out, head.length, TINY.length);
        System.arraycopy(extra, 0, out, head.length + TINY.length, extra.length);
        return out;
    }

    @Test
    void aOneShotSearchRunEvaluatesItsSupernet(@TempDir Path dir) {
        Path run = dir.resolve("s");
        Outcome s = dpnas(search(run));
        assertEquals(0, s.code(), s.err());
        Outcome e = dpnas("eval", "model", "--run", run.toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("supernet of a search run"), e.out());
        assertTrue(e.out().contains("mIoU"), e.out());
    }

    @Test
    void aMultiTrialRunNamesATrialToEvaluate(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("r");
        Files.createDirectories(run.resolve("search"));
        Files.writeString(run.resolve("config.resolved.json"), "{}");
        Files.writeString(run.resolve("search/history.jsonl"), "");
        Outcome e = dpnas("eval", "model", "--run", run.toString());
        assertEquals(2, e.code());
        assertTrue(e.err().contains("trials/trial-0000"), e.err());
    }
}
