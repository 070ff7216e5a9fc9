package org.dpnas.fastdensenas;

import java.util.List;
import java.util.function.Consumer;
import org.dpnas.common.config.Config;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.train.Seeds;
import org.dpnas.datasets.augment.SegPipeline;
import org.dpnas.datasets.job.JobSetup;
import org.dpnas.datasets.split.Splits;
import org.dpnas.datasets.split.SubsetDataset;

/**
 * The data of a FastDenseNAS search (Nekrasov et al., CVPR 2019, §4: the reward is measured on a
 * held-out part of the training set): the run's training split cut by the seed into a training part
 * and a held-out part of {@code search.held_out_fraction} (10%), each read through the bad-sample
 * policy on its own; the validation split is never opened. Each stage sees the training part
 * through the augmentation of {@code data.augment} with its own crop.
 */
final class SearchData implements AutoCloseable {

    private final JobSetup job;
    private final SegDataset trainPart;
    private final SegDataset heldOut;

    SearchData(Config config, FdnSettings s, Consumer<String> warn) {
        this.job = JobSetup.open(config, warn);
        SegDataset raw = job.raw("train_split");
        Splits.Split split =
                Splits.holdOut(
                        raw.size(), s.heldOutFraction(), Seeds.mix(job.seed(), "fdn-held-out"));
        if (split.first().length == 0 || split.second().length == 0) {
            throw new IllegalArgumentException(
                    "the training split of "
                            + raw.size()
                            + " images is too small to hold out search.held_out_fraction = "
                            + s.heldOutFraction());
        }
        this.trainPart = job.readable(new SubsetDataset(raw, split.first()));
        this.heldOut =
                SegPipeline.evaluation(
                        job.data(), job.readable(new SubsetDataset(raw, split.second())));
    }

    JobSetup job() {
        return job;
    }

    /** The part of the training split children train on. */
    SegDataset trainPart() {
        return trainPart;
    }

    /** The held-out part (evaluation view) the reward is measured on. */
    SegDataset heldOut() {
        return heldOut;
    }

    int numClasses() {
        return trainPart.numClasses();
    }

    /**
     * The training part augmented with {@code data.augment}'s scale and flip and a crop of {@code
     * crop} (augmentation switched on: a stage always crops).
     *
     * @param crop [h, w]
     * @param stream names the augmentation's random stream
     */
    SegDataset stage(int[] crop, String stream) {
        Config data =
                job.data()
                        .withOverrides(
                                List.of(
                                        "augment.enabled=true",
                                        "augment.crop=[" + crop[0] + "," + crop[1] + "]"));
        return SegPipeline.training(data, trainPart, Seeds.mix(job.seed(), stream), 2);
    }

    @Override
    public void close() {
        job.close();
    }
}
