package org.dpnas.cli.data;

import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.dpnas.cli.Args;
import org.dpnas.cli.CliException;
import org.dpnas.cli.Command;
import org.dpnas.cli.Opts;
import org.dpnas.common.config.Config;
import org.dpnas.common.data.SegBatcher;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.train.EpochSampler;
import org.dpnas.datasets.augment.AugmentedSegDataset;
import org.dpnas.datasets.augment.JointAugment;
import org.dpnas.datasets.augment.Resampler;

/**
 * {@code dpnas data bench DATASET --root DIR}: measures how many training images per second the
 * data path delivers (decode, augment with the training defaults, normalise into a batch, the
 * samples of a batch on {@code --workers} threads), as the training loop's loader thread does.
 */
public final class BenchCommand implements Command {

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "measure data throughput (decode + augment + batch) in images/s";
    }

    @Override
    public Options options() {
        return Opts.of(
                Opts.value("root", "DIR", "dataset root directory (not for synthetic)", null),
                Opts.value("split", "S", "split to read", "train"),
                Opts.value(
                        "crop",
                        "N",
                        "square crop after random scaling (0: no augmentation)",
                        "321"),
                Opts.value("workers", "K", "threads reading a batch's samples", "cores"),
                Opts.value("seconds", "T", "how long to measure", "10"),
                Opts.value("batch-size", "N", "images per batch", "16"),
                Opts.value("jitter", "X", "photometric jitter strength", "0.0"),
                Opts.value("resampler", "NAME", "image resampling: java or opencv", "java"),
                Opts.value("json", "OUT", "also write the result as JSON to this file", null));
    }

    @Override
    public List<String> positionals() {
        return List.of("DATASET");
    }

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        Args.atMostPositionals(cl, 1);
        String dataset = Args.positional(cl, 0, "DATASET");
        Path root = Args.path(cl, "root", null);
        String split = Args.string(cl, "split", "train");
        int crop = Args.intValue(cl, "crop", 321);
        int workers = Args.intValue(cl, "workers", Runtime.getRuntime().availableProcessors());
        double seconds = Args.doubleValue(cl, "seconds", 10);
        int batch = Args.intValue(cl, "batch-size", 16);
        double jitter = Args.doubleValue(cl, "jitter", 0.0);
        String resamplerName = Args.string(cl, "resampler", "java");
        Path json = Args.path(cl, "json", null);
        if (crop < 0 || workers < 1 || batch < 1 || !(seconds > 0)) {
            throw new CliException(
                    "need --crop >= 0, --workers >= 1, --batch-size >= 1 and --seconds > 0");
        }
        Resampler resampler = Resampler.named(resamplerName);
        Config data = DataSources.data(dataset, root);
        SegDataset base = DataSources.openSeg(dataset, root, split);
        SegDataset ds = base;
        if (crop > 0) {
            float[] scale = data.getFloatArray("augment.scale");
            ds =
                    new AugmentedSegDataset(
                            base,
                            new JointAugment(
                                    0L,
                                    scale[0],
                                    scale[1],
                                    crop,
                                    crop,
                                    true,
                                    jitter,
                                    JointAugment.fillOf(data.getFloatArray("mean")),
                                    resampler));
        }
        int b = Math.min(batch, ds.size());
        EpochSampler sampler = new EpochSampler(ds.size(), b, 0L);
        ExecutorService pool = workers > 1 ? Executors.newFixedThreadPool(workers) : null;
        long images = 0;
        double elapsed;
        try {
            SegBatcher batcher =
                    new SegBatcher(ds, data.getFloatArray("mean"), data.getFloatArray("std"), pool);
            batcher.assemble(sampler.batch(0), 0); // warm-up: class loading, JIT, native libs
            long t0 = System.nanoTime();
            long deadline = t0 + (long) (seconds * 1e9);
            long t = 1;
            while (System.nanoTime() < deadline) {
                batcher.assemble(sampler.batch(t), sampler.epochOf(t));
                images += b;
                t++;
            }
            elapsed = (System.nanoTime() - t0) / 1e9;
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        double rate = images / elapsed;
        out.printf(
                "%s %s: %.1f images/s (%d images in %.1f s; %d workers, batch %d, crop %s,"
                        + " resampler %s, %d cores)%n",
                dataset,
                split,
                rate,
                images,
                elapsed,
                workers,
                b,
                crop > 0 ? crop + "x" + crop : "none",
                resampler.name(),
                Runtime.getRuntime().availableProcessors());
        if (json != null) {
            JsonObject o = new JsonObject();
            o.addProperty("dataset", dataset);
            o.addProperty("split", split);
            o.addProperty("images_per_second", rate);
            o.addProperty("images", images);
            o.addProperty("seconds", elapsed);
            o.addProperty("workers", workers);
            o.addProperty("batch_size", b);
            o.addProperty("crop", crop);
            o.addProperty("jitter", jitter);
            o.addProperty("resampler", resampler.name());
            o.addProperty("cores", Runtime.getRuntime().availableProcessors());
            RunDirectory.writeJson(json, o);
        }
        return 0;
    }
}
