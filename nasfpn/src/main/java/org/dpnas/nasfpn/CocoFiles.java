package org.dpnas.nasfpn;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.dpnas.common.data.Box;
import org.dpnas.common.run.AtomicFiles;
import org.dpnas.datasets.det.DetDataset;
import org.dpnas.datasets.det.DetSample;
import org.dpnas.eval.det.CocoDetections;

/**
 * Writes detections in the COCO results format ({@code [{"image_id", "category_id", "bbox": [x, y,
 * w, h], "score"}]}) and a dataset split's boxes as a COCO instances file with the same ids (image
 * id = index in the split, category id = class index + 1, ignore regions as {@code iscrowd} boxes),
 * so pycocotools or {@code dpnas eval det} can score a run's detections without dpnas's loaders.
 */
public final class CocoFiles {

    private CocoFiles() {}

    /**
     * The instances file written beside a results file: {@code NAME.json} → {@code NAME.gt.json}.
     */
    public static Path groundTruthFile(Path results) {
        String n = results.getFileName().toString();
        String stem = n.endsWith(".json") ? n.substring(0, n.length() - 5) : n;
        return results.resolveSibling(stem + ".gt.json");
    }

    /** Writes detections as a COCO results array, atomically. */
    public static void writeResults(Path file, List<CocoDetections.Detection> results)
            throws IOException {
        JsonArray r = new JsonArray();
        for (CocoDetections.Detection d : results) {
            JsonObject o = new JsonObject();
            o.addProperty("image_id", d.imageId());
            o.addProperty("category_id", d.categoryId());
            JsonArray b = new JsonArray();
            b.add(d.x());
            b.add(d.y());
            b.add(d.width());
            b.add(d.height());
            o.add("bbox", b);
            o.addProperty("score", d.score());
            r.add(o);
        }
        AtomicFiles.writeString(file, r + "\n");
    }

    /** Writes a split's boxes as a COCO instances file, atomically. */
    public static void writeGroundTruth(Path file, DetDataset data) throws IOException {
        JsonArray images = new JsonArray();
        JsonArray anns = new JsonArray();
        long next = 1;
        for (int i = 0; i < data.size(); i++) {
            DetSample s = data.get(i);
            JsonObject im = new JsonObject();
            im.addProperty("id", i);
            im.addProperty("file_name", s.id());
            im.addProperty("height", s.height());
            im.addProperty("width", s.width());
            images.add(im);
            for (Box b : s.boxes()) {
                anns.add(annotation(next++, i, b, false));
            }
            for (Box b : s.ignoreRegions()) {
                anns.add(annotation(next++, i, b, true));
            }
        }
        JsonArray cats = new JsonArray();
        for (int k = 0; k < data.numClasses(); k++) {
            JsonObject c = new JsonObject();
            c.addProperty("id", k + 1);
            c.addProperty("name", data.classNames().get(k));
            cats.add(c);
        }
        JsonObject o = new JsonObject();
        o.add("images", images);
        o.add("annotations", anns);
        o.add("categories", cats);
        AtomicFiles.writeString(file, o + "\n");
    }

    private static JsonObject annotation(long id, int image, Box b, boolean crowd) {
        JsonObject a = new JsonObject();
        a.addProperty("id", id);
        a.addProperty("image_id", image);
        a.addProperty("category_id", b.classId() + 1);
        JsonArray bb = new JsonArray();
        bb.add(b.x1());
        bb.add(b.y1());
        bb.add(b.width());
        bb.add(b.height());
        a.add("bbox", bb);
        a.addProperty("area", (double) b.width() * b.height());
        a.addProperty("iscrowd", crowd ? 1 : 0);
        return a;
    }
}
