package org.dpnas.cli.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The findings of {@code dpnas data check}: image count, pixels per class and ignored pixels
 * (segmentation) or boxes per class, dropped degenerate boxes, dropped boxes outside the image and
 * clipped boxes (detection), and every problem with the file it concerns.
 */
public final class CheckReport {

    /**
     * One problem.
     *
     * @param file the file concerned
     * @param problem what is wrong with it
     */
    public record Problem(String file, String problem) {}

    private final String dataset;
    private final String split;
    private final boolean segmentation;
    private final List<String> classNames;
    private final long[] pixels;
    private long ignored;
    private final Map<String, Long> boxes = new LinkedHashMap<>();
    private int droppedDegenerate;
    private int droppedOutside;
    private int clipped;
    private int images;
    private final List<Problem> problems = new ArrayList<>();

    CheckReport(String dataset, String split, boolean segmentation, List<String> classNames) {
        this.dataset = dataset;
        this.split = split;
        this.segmentation = segmentation;
        this.classNames = List.copyOf(classNames);
        this.pixels = new long[classNames.size()];
        for (String c : classNames) {
            boxes.put(c, 0L);
        }
    }

    void images(int n) {
        images = n;
    }

    void addPixels(long[] perClass, long ignoredPixels) {
        for (int c = 0; c < pixels.length; c++) {
            pixels[c] += perClass[c];
        }
        ignored += ignoredPixels;
    }

    void addBox(String className) {
        boxes.merge(className, 1L, Long::sum);
    }

    void droppedDegenerate(int n) {
        droppedDegenerate = n;
    }

    void droppedOutside(int n) {
        droppedOutside = n;
    }

    void clipped(int n) {
        clipped = n;
    }

    void problem(Path file, String problem) {
        problems.add(new Problem(String.valueOf(file), problem));
    }

    /**
     * Records a dataset error, splitting a message of the form {@code FILE: PROBLEM} when it starts
     * with one of the given files.
     */
    void problem(RuntimeException e, Path... candidates) {
        String m = String.valueOf(e.getMessage());
        for (Path p : candidates) {
            String prefix = p + ": ";
            if (m.startsWith(prefix)) {
                problem(p, m.substring(prefix.length()));
                return;
            }
        }
        problem(candidates.length > 0 ? candidates[0] : Path.of("?"), m);
    }

    /** The problems found, in the order met. */
    public List<Problem> problems() {
        return List.copyOf(problems);
    }

    /** Number of images (listed samples, bad ones included). */
    public int images() {
        return images;
    }

    /** Whether nothing is wrong. */
    public boolean clean() {
        return problems.isEmpty();
    }

    /** The JSON form written by {@code --json}. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("dataset", dataset);
        o.addProperty("split", split);
        o.addProperty("images", images);
        JsonArray names = new JsonArray();
        classNames.forEach(names::add);
        o.add("class_names", names);
        if (segmentation) {
            JsonArray px = new JsonArray();
            for (long p : pixels) {
                px.add(p);
            }
            o.add("pixels_per_class", px);
            o.addProperty("ignored_pixels", ignored);
        } else {
            JsonObject b = new JsonObject();
            boxes.forEach(b::addProperty);
            o.add("boxes_per_class", b);
            o.addProperty("dropped_degenerate", droppedDegenerate);
            o.addProperty("dropped_outside", droppedOutside);
            o.addProperty("clipped", clipped);
        }
        JsonArray ps = new JsonArray();
        for (Problem p : problems) {
            JsonObject j = new JsonObject();
            j.addProperty("file", p.file());
            j.addProperty("problem", p.problem());
            ps.add(j);
        }
        o.add("problems", ps);
        return o;
    }

    /** Prints the report as text. */
    void print(PrintStream out) {
        out.printf("%s %s: %d images, %d problems%n", dataset, split, images, problems.size());
        int width = 5;
        for (String c : classNames) {
            width = Math.max(width, c.length());
        }
        if (segmentation) {
            long total = ignored;
            for (long p : pixels) {
                total += p;
            }
            out.printf("  %-" + width + "s %14s %7s%n", "class", "pixels", "share");
            for (int c = 0; c < pixels.length; c++) {
                out.printf(
                        "  %-" + width + "s %14d %6.2f%%%n",
                        classNames.get(c),
                        pixels[c],
                        total == 0 ? 0.0 : 100.0 * pixels[c] / total);
            }
            out.printf(
                    "  %-" + width + "s %14d %6.2f%%%n",
                    "(ignored)",
                    ignored,
                    total == 0 ? 0.0 : 100.0 * ignored / total);
        } else {
            String row = "  %-" + width + "s %10s%n";
            out.printf(row, "class", "boxes");
            boxes.forEach((c, n) -> out.printf(row, c, n));
            out.printf("  dropped degenerate boxes: %d%n", droppedDegenerate);
            out.printf("  dropped boxes outside the image: %d%n", droppedOutside);
            out.printf("  boxes clipped to the image: %d%n", clipped);
        }
        if (!problems.isEmpty()) {
            out.println("problems:");
            for (Problem p : problems) {
                out.println("  " + p.file() + ": " + p.problem());
            }
        }
    }
}
