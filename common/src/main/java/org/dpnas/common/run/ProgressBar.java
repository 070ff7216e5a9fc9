package org.dpnas.common.run;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Console progress display for training loops: step/total, a bar, named numbers such as loss and
 * learning rate, smoothed throughput, elapsed time and ETA.
 *
 * <p>In interactive mode one line is redrawn in place with {@code '\r'} (at most every 100 ms, plus
 * the last step); otherwise a full line is printed every {@link #logEvery(long)} steps, at least
 * every 10 s while updates arrive, and on {@link #close()}. Rate and ETA only count steps done
 * since construction, so a resumed run (start step &gt; 0) does not look artificially fast. Methods
 * are synchronized, so a second thread may call {@link #set} safely.
 */
public final class ProgressBar implements AutoCloseable {

    /** Width of the bar between the brackets, in characters. */
    public static final int BAR_WIDTH = 24;

    private static final long NANOS = 1_000_000_000L;
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final long LOG_INTERVAL_NANOS = 10 * NANOS;
    private static final double RATE_TAU_SECONDS = 5.0;

    private final long total;
    private final long startStep;
    private final String label;
    private final PrintStream out;
    private final boolean interactive;
    private final LongSupplier clock;
    private final long startNanos;
    private final Map<String, Double> values = new LinkedHashMap<>();

    private String unit = "img";
    private long logEvery;
    private long step;
    private long items;
    private long lastRateNanos;
    private long lastRateItems;
    private double rate = Double.NaN;
    private long lastPrintNanos;
    private long lastPrintedStep;
    private boolean printedAny;
    private int lastLength;
    private boolean closed;

    /**
     * Creates a bar using {@link System#nanoTime()}.
     *
     * @param total last step number (the run is done when {@code step == total})
     * @param startStep step the run starts or resumes from
     * @param label prefix, e.g. {@code "train"}
     * @param out where lines go
     * @param interactive redraw one line with {@code '\r'} instead of logging full lines
     */
    public ProgressBar(
            long total, long startStep, String label, PrintStream out, boolean interactive) {
        this(total, startStep, label, out, interactive, System::nanoTime);
    }

    /**
     * Creates a bar with an injectable clock (for tests).
     *
     * @param nanoClock monotonic nanosecond clock, like {@link System#nanoTime()}
     */
    public ProgressBar(
            long total,
            long startStep,
            String label,
            PrintStream out,
            boolean interactive,
            LongSupplier nanoClock) {
        if (total < 0 || startStep < 0 || startStep > total) {
            throw new IllegalArgumentException(
                    "need 0 <= startStep <= total, got " + startStep + ", " + total);
        }
        this.total = total;
        this.startStep = startStep;
        this.label = label == null ? "" : label;
        this.out = Objects.requireNonNull(out, "out");
        this.interactive = interactive;
        this.clock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.startNanos = clock.getAsLong();
        this.step = startStep;
        this.lastRateNanos = startNanos;
        this.lastPrintNanos = startNanos;
        this.lastPrintedStep = startStep;
        this.logEvery = Math.max(1, (total - startStep) / 20);
    }

    /**
     * Returns true when stdout looks like a terminal: a console is attached and {@code TERM} is not
     * {@code dumb}.
     */
    public static boolean isInteractive() {
        return System.console() != null && !"dumb".equals(System.getenv("TERM"));
    }

    /**
     * Sets how many steps pass between logged lines in non-interactive mode (default: a twentieth
     * of the steps left, at least 1).
     *
     * @return this bar
     */
    public synchronized ProgressBar logEvery(long steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("logEvery must be >= 1: " + steps);
        }
        this.logEvery = steps;
        return this;
    }

    /**
     * Sets the item unit shown in the rate, e.g. {@code "img"} (the default) or {@code "seq"}.
     *
     * @return this bar
     */
    public synchronized ProgressBar unit(String unit) {
        this.unit = Objects.requireNonNull(unit, "unit");
        return this;
    }

    /** Sets (or replaces) a named number shown after the percentage, e.g. {@code "lr"}. */
    public synchronized void set(String name, double value) {
        values.put(Objects.requireNonNull(name, "name"), value);
    }

    /** Shortcut for {@code set("loss", value)}. */
    public void loss(double value) {
        set("loss", value);
    }

    /**
     * Records progress and prints if due.
     *
     * @param step current step number, between the start step and total
     * @param itemsDone cumulative items (e.g. images) processed by this process since construction
     */
    public synchronized void update(long step, long itemsDone) {
        if (closed) {
            return;
        }
        long now = clock.getAsLong();
        this.step = Math.max(startStep, Math.min(total, step));
        updateRate(now, itemsDone);
        this.items = itemsDone;
        boolean last = this.step >= total;
        if (interactive) {
            if (last || !printedAny || now - lastPrintNanos >= REDRAW_NANOS) {
                redraw(now);
            }
        } else if (last
                || this.step - lastPrintedStep >= logEvery
                || now - lastPrintNanos >= LOG_INTERVAL_NANOS) {
            if (!(printedAny && this.step == lastPrintedStep)) {
                printLine(now);
            }
        }
    }

    /** Prints the final state (unless that exact line was just logged) and a newline. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long now = clock.getAsLong();
        if (interactive) {
            redraw(now);
            out.println();
        } else if (!(printedAny && step == lastPrintedStep)) {
            printLine(now);
        }
        out.flush();
    }

    /** Returns the status line for the current state, as it would be printed now. */
    public synchronized String line() {
        return render(clock.getAsLong());
    }

    /** Returns the smoothed throughput in items per second, or NaN before any measurement. */
    public synchronized double rate() {
        return rate;
    }

    /** Returns the estimated seconds left, or NaN while no step has been done. */
    public synchronized double etaSeconds() {
        return etaSeconds(step - startStep, elapsedSeconds(clock.getAsLong()), total - step);
    }

    private void updateRate(long now, long itemsDone) {
        long dt = now - lastRateNanos;
        if (dt <= 0) {
            return;
        }
        double inst = (itemsDone - lastRateItems) / (dt / (double) NANOS);
        if (Double.isNaN(rate)) {
            rate = inst;
        } else {
            double w = 1 - Math.exp(-(dt / (double) NANOS) / RATE_TAU_SECONDS);
            rate += w * (inst - rate);
        }
        lastRateNanos = now;
        lastRateItems = itemsDone;
    }

    private double elapsedSeconds(long now) {
        return (now - startNanos) / (double) NANOS;
    }

    private String render(long now) {
        StringBuilder sb = new StringBuilder(120);
        if (!label.isEmpty()) {
            sb.append(label).append(' ');
        }
        int digits = Long.toString(total).length();
        sb.append(String.format(Locale.ROOT, "%" + digits + "d/%d ", step, total));
        double fraction = total == 0 ? 1 : step / (double) total;
        sb.append(renderBar(fraction, BAR_WIDTH));
        sb.append(String.format(Locale.ROOT, " %3d%%", (int) Math.floor(fraction * 100)));
        for (Map.Entry<String, Double> e : values.entrySet()) {
            sb.append(' ').append(e.getKey()).append(' ').append(formatValue(e.getValue()));
        }
        double elapsed = elapsedSeconds(now);
        sb.append(" | ").append(formatRate(rate, unit));
        sb.append(" | ").append(formatDuration(elapsed));
        sb.append(" eta ")
                .append(formatDuration(etaSeconds(step - startStep, elapsed, total - step)));
        return sb.toString();
    }

    private void redraw(long now) {
        String s = render(now);
        StringBuilder sb = new StringBuilder(s.length() + 8).append('\r').append(s);
        for (int i = s.length(); i < lastLength; i++) {
            sb.append(' ');
        }
        out.print(sb);
        out.flush();
        lastLength = s.length();
        markPrinted(now);
    }

    private void printLine(long now) {
        out.println(render(now));
        out.flush();
        markPrinted(now);
    }

    private void markPrinted(long now) {
        lastPrintNanos = now;
        lastPrintedStep = step;
        printedAny = true;
    }

    /**
     * Formats seconds as {@code m:ss} below an hour and {@code h:mm:ss} above, rounding to the
     * nearest second; negative or non-finite input gives {@code "--:--"}.
     */
    public static String formatDuration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "--:--";
        }
        long s = Math.round(seconds);
        long h = s / 3600;
        long m = (s / 60) % 60;
        long sec = s % 60;
        return h > 0
                ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec)
                : String.format(Locale.ROOT, "%d:%02d", m, sec);
    }

    /**
     * Formats a throughput such as {@code "12.3 img/s"}: no decimals from 100, one from 1, two
     * below; NaN gives {@code "- img/s"}.
     */
    public static String formatRate(double perSecond, String unit) {
        if (!Double.isFinite(perSecond)) {
            return "- " + unit + "/s";
        }
        String pattern = perSecond >= 100 ? "%.0f" : perSecond >= 1 ? "%.1f" : "%.2f";
        return String.format(Locale.ROOT, pattern, perSecond) + " " + unit + "/s";
    }

    /**
     * Formats a named number with 4 significant digits, plainly in {@code [1e-3, 1e5)} and in
     * scientific notation otherwise (e.g. {@code 0.4321}, {@code 0.01}, {@code 3.000e-05}).
     */
    public static String formatValue(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e5) {
            return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
        }
        return String.format(Locale.ROOT, "%.3e", v);
    }

    /**
     * Renders {@code [####....]} with {@code width} cells, filled in proportion to {@code fraction}
     * (clamped to [0, 1], rounded down so only completion fills every cell).
     */
    public static String renderBar(double fraction, int width) {
        double f = Double.isNaN(fraction) ? 0 : Math.max(0, Math.min(1, fraction));
        int filled = (int) Math.floor(f * width + 1e-9);
        StringBuilder sb = new StringBuilder(width + 2).append('[');
        for (int i = 0; i < width; i++) {
            sb.append(i < filled ? '#' : '.');
        }
        return sb.append(']').toString();
    }

    /**
     * Estimates seconds left assuming the average pace so far continues.
     *
     * @param stepsDone steps completed in this process
     * @param elapsedSeconds time those steps took
     * @param stepsLeft steps still to do
     * @return seconds left, 0 when nothing is left, NaN when no step has been done yet
     */
    public static double etaSeconds(long stepsDone, double elapsedSeconds, long stepsLeft) {
        if (stepsLeft <= 0) {
            return 0;
        }
        if (stepsDone <= 0) {
            return Double.NaN;
        }
        return elapsedSeconds / stepsDone * stepsLeft;
    }
}
