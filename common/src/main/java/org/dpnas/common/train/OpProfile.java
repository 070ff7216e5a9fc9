package org.dpnas.common.train;

import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine ops a piece of code runs, counted with libtorch's profiler (reachable through DJL's
 * {@code JniUtils.startProfile}/{@code stopProfile}, which write a Chrome trace): how many
 * <em>top-level</em> ops ran (an op called from Java, not one nested inside another, e.g. {@code
 * aten::convolution} inside {@code aten::conv2d}) and, per op name, the calls and the inclusive
 * time of its top-level calls. The count is what per-op overhead scales with; it does not depend on
 * which arrays are closed early.
 */
public final class OpProfile {

    /**
     * One op name's top-level calls.
     *
     * @param name the op, e.g. {@code aten::conv2d}
     * @param calls top-level calls
     * @param micros their inclusive time, microseconds
     */
    public record Op(String name, long calls, double micros) {}

    /**
     * A profile.
     *
     * @param topLevelOps top-level op calls in all
     * @param ops per op name, by descending time
     */
    public record Result(long topLevelOps, List<Op> ops) {

        /** The {@code n} most time-consuming ops as "name calls ms" lines. */
        public List<String> top(int n) {
            List<String> out = new ArrayList<>();
            for (Op o : ops.subList(0, Math.min(n, ops.size()))) {
                out.add(String.format("%s %d %.1f", o.name(), o.calls(), o.micros() / 1e3));
            }
            return out;
        }
    }

    private OpProfile() {}

    /**
     * Runs {@code body} under the profiler and aggregates the trace.
     *
     * @param body what to profile (on this thread)
     * @param trace where the Chrome trace is written (kept for chrome://tracing)
     * @return the profile
     * @throws IOException if the trace cannot be read
     */
    public static Result profile(Runnable body, Path trace) throws IOException {
        JniUtils.startProfile(false, false, false);
        try {
            body.run();
        } finally {
            JniUtils.stopProfile(trace.toAbsolutePath().toString());
        }
        return read(trace);
    }

    /**
     * Aggregates a Chrome trace written by libtorch's profiler: complete events ({@code "ph": "X"})
     * per thread; an event is top-level when it starts after the end of the previous top-level
     * event of its thread.
     *
     * @param trace the trace file
     * @return the profile
     * @throws IOException if the file cannot be read or is not a trace
     */
    public static Result read(Path trace) throws IOException {
        JsonElement root;
        try (Reader r = Files.newBufferedReader(trace)) {
            root = JsonParser.parseReader(r);
        } catch (RuntimeException e) {
            throw new IOException(trace + ": not a JSON trace: " + e.getMessage(), e);
        }
        JsonArray events =
                root.isJsonArray()
                        ? root.getAsJsonArray()
                        : root.getAsJsonObject().getAsJsonArray("traceEvents");
        if (events == null) {
            throw new IOException(trace + ": no traceEvents");
        }
        List<double[]> spans = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (JsonElement el : events) {
            JsonObject e = el.getAsJsonObject();
            if (!e.has("ph") || !"X".equals(e.get("ph").getAsString()) || !e.has("dur")) {
                continue;
            }
            String tid = e.has("tid") ? e.get("tid").getAsString() : "";
            names.add(e.get("name").getAsString());
            spans.add(
                    new double[] {
                        e.get("ts").getAsDouble(), e.get("dur").getAsDouble(), tid.hashCode()
                    });
        }
        Integer[] order = new Integer[spans.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(
                order,
                Comparator.<Integer>comparingDouble(i -> spans.get(i)[2])
                        .thenComparingDouble(i -> spans.get(i)[0])
                        .thenComparingDouble(i -> -spans.get(i)[1]));
        Map<String, double[]> agg = new HashMap<>();
        long top = 0;
        double end = Double.NEGATIVE_INFINITY;
        double thread = Double.NaN;
        for (int i : order) {
            double[] s = spans.get(i);
            if (s[2] != thread) {
                thread = s[2];
                end = Double.NEGATIVE_INFINITY;
            }
            if (s[0] >= end) {
                top++;
                end = s[0] + s[1];
                double[] a = agg.computeIfAbsent(names.get(i), k -> new double[2]);
                a[0]++;
                a[1] += s[1];
            }
        }
        List<Op> ops = new ArrayList<>();
        agg.forEach((k, v) -> ops.add(new Op(k, (long) v[0], v[1])));
        ops.sort(Comparator.comparingDouble(Op::micros).reversed());
        return new Result(top, ops);
    }
}
