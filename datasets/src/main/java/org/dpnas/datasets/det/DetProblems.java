package org.dpnas.datasets.det;

import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.dpnas.datasets.augment.BadSampleDataset;
import org.dpnas.datasets.seg.DatasetException;

/**
 * The problem sink of a detection loader under the {@code data.on_bad_sample} policy: {@code fail}
 * stops at the first problem with a hint, {@code skip} records each problem (the annotation or
 * image concerned is left out by the loader), prints one line per problem and reports them for the
 * run directory's {@code data_skips.json} in the shape {@link BadSampleDataset#report} uses.
 */
public final class DetProblems implements Consumer<DatasetException> {

    private final BadSampleDataset.Policy policy;
    private final PrintStream console;
    private final List<DatasetException> recorded = new ArrayList<>();

    /**
     * Creates the sink.
     *
     * @param policy {@code FAIL} or {@code SKIP}
     * @param console where a skipped problem is announced, or {@code null} for silence
     */
    public DetProblems(BadSampleDataset.Policy policy, PrintStream console) {
        this.policy = policy;
        this.console = console;
    }

    @Override
    public synchronized void accept(DatasetException e) {
        if (policy == BadSampleDataset.Policy.FAIL) {
            throw new DatasetException(
                    e.getMessage()
                            + " (--on-bad-sample skip, data.on_bad_sample=skip, leaves such"
                            + " annotations and images out)");
        }
        recorded.add(e);
        if (console != null) {
            console.println("skipping: " + e.getMessage());
        }
    }

    /** The problems recorded so far, in the order the loader met them. */
    public synchronized List<DatasetException> problems() {
        return List.copyOf(recorded);
    }

    /**
     * The recorded problems as one view of {@code data_skips.json}: {@code policy}, {@code
     * skipped_reads} (0: a detection loader leaves problems out while reading its annotations, so
     * no read is ever replaced), {@code bad_samples} (the number of problems) and {@code bad} (the
     * problem number, in loading order, to the message naming the file).
     */
    public synchronized JsonObject report() {
        JsonObject o = new JsonObject();
        o.addProperty("policy", policy.name().toLowerCase(Locale.ROOT));
        o.addProperty("skipped_reads", 0);
        o.addProperty("bad_samples", recorded.size());
        JsonObject bad = new JsonObject();
        for (int i = 0; i < recorded.size(); i++) {
            bad.addProperty(Integer.toString(i), recorded.get(i).getMessage());
        }
        o.add("bad", bad);
        return o;
    }
}
