package org.dpnas.common.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    /** Manually advanced nanosecond clock. */
    private static final class FakeClock {
        long nanos = 1_000_000_000L;

        void advanceSeconds(double s) {
            nanos += (long) (s * 1e9);
        }
    }

    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    private final FakeClock clock = new FakeClock();

    private String output() {
        return buf.toString(StandardCharsets.UTF_8);
    }

    private List<String> lines() {
        return Arrays.stream(output().split("\n"))
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toList());
    }

    @Test
    void formatDurationHandValues() {
        assertEquals("0:07", ProgressBar.formatDuration(7));
        assertEquals("12:05", ProgressBar.formatDuration(725));
        assertEquals("1:02:03", ProgressBar.formatDuration(3723));
        assertEquals("0:00", ProgressBar.formatDuration(0.4));
        assertEquals("1:00", ProgressBar.formatDuration(59.6));
        assertEquals("26:00:00", ProgressBar.formatDuration(26 * 3600));
        assertEquals("--:--", ProgressBar.formatDuration(Double.NaN));
        assertEquals("--:--", ProgressBar.formatDuration(-1));
    }

    @Test
    void formatRateHandValues() {
        assertEquals("12.3 img/s", ProgressBar.formatRate(12.34, "img"));
        assertEquals("1234 img/s", ProgressBar.formatRate(1234.4, "img"));
        assertEquals("0.25 seq/s", ProgressBar.formatRate(0.25, "seq"));
        assertEquals("- img/s", ProgressBar.formatRate(Double.NaN, "img"));
    }

    @Test
    void formatValueHandValues() {
        assertEquals("0.4321", ProgressBar.formatValue(0.43214));
        assertEquals("0.01", ProgressBar.formatValue(0.01));
        assertEquals("2.5", ProgressBar.formatValue(2.5));
        assertEquals("3.000e-05", ProgressBar.formatValue(3e-5));
        assertEquals("0", ProgressBar.formatValue(0));
        assertEquals("nan", ProgressBar.formatValue(Double.NaN));
    }

    @Test
    void barAtZeroHalfAndFull() {
        assertEquals("[..........]", ProgressBar.renderBar(0, 10));
        assertEquals("[#####.....]", ProgressBar.renderBar(0.5, 10));
        assertEquals("[##########]", ProgressBar.renderBar(1, 10));
        assertEquals("[#########.]", ProgressBar.renderBar(0.999, 10));
        assertEquals("[##########]", ProgressBar.renderBar(1.7, 10));
        assertEquals("[..........]", ProgressBar.renderBar(Double.NaN, 10));
    }

    @Test
    void etaFromAveragePace() {
        assertEquals(15.0, ProgressBar.etaSeconds(10, 5.0, 30), 1e-12);
        assertEquals(0.0, ProgressBar.etaSeconds(10, 5.0, 0), 0.0);
        assertTrue(Double.isNaN(ProgressBar.etaSeconds(0, 5.0, 30)));
    }

    @Test
    void etaAndRateUseInjectedClockAndOnlyStepsOfThisProcess() {
        // resumed at step 60 of 100: 10 steps in 5 s, 30 left -> 0:15, not based on step 70
        ProgressBar bar = new ProgressBar(100, 60, "train", out, false, () -> clock.nanos);
        clock.advanceSeconds(5);
        bar.update(70, 80); // 80 images in 5 s
        assertEquals(15.0, bar.etaSeconds(), 1e-9);
        assertEquals(16.0, bar.rate(), 1e-9);
        String line = bar.line();
        assertTrue(line.contains("eta 0:15"), line);
        assertTrue(line.contains("16.0 img/s"), line);
        assertTrue(line.contains(" 70/100 "), line);
        assertTrue(line.contains(" 70%"), line);
        assertTrue(line.contains("| 0:05 "), "elapsed: " + line);
    }

    @Test
    void rateIsSmoothedTowardsNewPace() {
        ProgressBar bar = new ProgressBar(1000, 0, "", out, false, () -> clock.nanos);
        clock.advanceSeconds(1);
        bar.update(1, 10); // 10/s
        clock.advanceSeconds(1);
        bar.update(2, 40); // instantaneous 30/s
        double r = bar.rate();
        assertTrue(r > 10 && r < 30, "smoothed between old and new: " + r);
        // w = 1 - exp(-1/5)
        double w = 1 - Math.exp(-0.2);
        assertEquals(10 + w * 20, r, 1e-9);
        for (int i = 3; i < 200; i++) {
            clock.advanceSeconds(1);
            bar.update(i, 40 + 30L * (i - 2));
        }
        assertEquals(30.0, bar.rate(), 1e-6);
    }

    @Test
    void lineShowsLabelLossAndNamedNumbersInOrder() {
        ProgressBar bar = new ProgressBar(10, 0, "search", out, false, () -> clock.nanos);
        bar.loss(0.43214);
        bar.set("lr", 0.01);
        bar.set("loss", 0.5); // replaces, keeps position
        clock.advanceSeconds(2);
        bar.update(5, 20);
        String line = bar.line();
        assertTrue(line.startsWith("search  5/10 [############............]  50%"), line);
        assertTrue(line.contains("loss 0.5 lr 0.01 |"), line);
    }

    @Test
    void nonInteractiveLogsEveryNStepsAndAtEnd() {
        ProgressBar bar = new ProgressBar(10, 0, "t", out, false, () -> clock.nanos).logEvery(4);
        for (int s = 1; s <= 10; s++) {
            clock.advanceSeconds(0.5);
            bar.update(s, s * 2L);
        }
        bar.close();
        List<String> lines = lines();
        // steps 4, 8, and 10 (the end); close does not repeat step 10
        assertEquals(3, lines.size(), output());
        assertTrue(lines.get(0).contains(" 4/10 "), lines.get(0));
        assertTrue(lines.get(1).contains(" 8/10 "), lines.get(1));
        assertTrue(lines.get(2).contains("10/10 [########################] 100%"), lines.get(2));
        assertTrue(lines.get(2).contains("eta 0:00"), lines.get(2));
        assertFalse(output().contains("\r"));
    }

    @Test
    void nonInteractiveLogsAtLeastEveryTenSeconds() {
        ProgressBar bar =
                new ProgressBar(1000, 0, "t", out, false, () -> clock.nanos).logEvery(500);
        clock.advanceSeconds(3);
        bar.update(1, 1);
        assertEquals("", output());
        clock.advanceSeconds(8);
        bar.update(2, 2);
        assertEquals(1, lines().size());
        assertTrue(lines().get(0).contains(" 2/1000 "));
    }

    @Test
    void closeBeforeEndPrintsFinalLine() {
        ProgressBar bar = new ProgressBar(100, 0, "t", out, false, () -> clock.nanos).logEvery(50);
        clock.advanceSeconds(1);
        bar.update(3, 3);
        bar.close();
        bar.close(); // idempotent
        assertEquals(1, lines().size());
        assertTrue(lines().get(0).contains(" 3/100 "));
        assertTrue(output().endsWith("\n"));
    }

    @Test
    void interactiveRedrawsOneLineAndPadsShorterContent() {
        ProgressBar bar = new ProgressBar(10, 0, "t", out, true, () -> clock.nanos);
        bar.set("note", 123456.0); // long value
        clock.advanceSeconds(1);
        bar.update(1, 1);
        String first = output();
        assertTrue(first.startsWith("\r") && !first.contains("\n"), first);
        int firstLen = first.length() - 1;

        bar.set("note", 1.0); // much shorter value, must be padded over
        clock.advanceSeconds(0.05);
        bar.update(2, 2); // within 100 ms: not redrawn
        assertEquals(first, output());

        clock.advanceSeconds(0.2);
        bar.update(3, 3);
        String second = output().substring(first.length());
        assertTrue(second.startsWith("\r"), second);
        assertTrue(second.contains(" 3/10 "), second);
        assertEquals(firstLen, second.length() - 1, "padded to previous length");
        assertTrue(second.endsWith(" "), "trailing padding");

        bar.close();
        assertTrue(output().endsWith("\n"));
        assertEquals(1, output().chars().filter(c -> c == '\n').count());
    }

    @Test
    void rejectsInvalidArguments() {
        assertThrows(IllegalArgumentException.class, () -> new ProgressBar(10, 11, "", out, false));
        assertThrows(
                IllegalArgumentException.class,
                () -> new ProgressBar(10, 0, "", out, false).logEvery(0));
    }
}
