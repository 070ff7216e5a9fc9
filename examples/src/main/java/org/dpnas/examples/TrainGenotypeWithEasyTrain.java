package org.dpnas.examples;

import ai.djl.Model;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.TrainingResult;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.search.Registry;
import org.dpnas.datasets.djl.SegRecords;
import org.dpnas.datasets.synthetic.SyntheticDataset;
import org.dpnas.datasets.synthetic.SyntheticSpec;

/**
 * Trains a searched genotype with DJL's {@link EasyTrain} on a dpnas dataset: the genotype's {@code
 * method} selects the registered method, which builds the fixed network; the synthetic dataset is
 * read through {@link SegRecords} (a DJL {@code RandomAccessDataset}); the loss is dpnas's
 * cross-entropy with ignore label wrapped as a DJL loss ({@link DpnasSegLoss}); the optimizer is
 * DJL's SGD.
 *
 * <pre>java -cp ... org.dpnas.examples.TrainGenotypeWithEasyTrain genotype-example.json</pre>
 */
public final class TrainGenotypeWithEasyTrain {

    private TrainGenotypeWithEasyTrain() {}

    /**
     * Trains the network of {@code genotype} on synthetic images.
     *
     * @param genotype a genotype file of any registered method
     * @param side image height and width
     * @param trainSize training images
     * @param batchSize images per batch
     * @param epochs passes over the training images
     * @return DJL's training result (losses per epoch)
     */
    public static TrainingResult runExample(
            Path genotype, int side, int trainSize, int batchSize, int epochs)
            throws IOException, TranslateException {
        JsonObject section = new JsonObject();
        section.addProperty("name", Registry.methodOf(genotype).name());
        section.addProperty("genotype", genotype.toString());
        Config model = ConfigLoader.load(section, null, List.of());
        SyntheticDataset train =
                new SyntheticDataset(new SyntheticSpec(1, "train", trainSize, side, side, 3, 1));
        SyntheticDataset val =
                new SyntheticDataset(new SyntheticSpec(1, "val", batchSize, side, side, 3, 1));
        Block net = Registry.build(model, train.numClasses());
        SegRecords trainSet =
                SegRecords.builder().setDataset(train).setSampling(batchSize, true).build();
        SegRecords valSet =
                SegRecords.builder().setDataset(val).setSampling(batchSize, false).build();
        try (Model m = Model.newInstance("searched");
                DpnasSegLoss loss = new DpnasSegLoss(m.getNDManager())) {
            m.setBlock(net);
            DefaultTrainingConfig config =
                    new DefaultTrainingConfig(loss)
                            .optOptimizer(
                                    Optimizer.sgd()
                                            .setLearningRateTracker(Tracker.fixed(0.05f))
                                            .optMomentum(0.9f)
                                            .build())
                            // epochs, losses and a divergence check into the training result
                            .addTrainingListeners(TrainingListener.Defaults.basic());
            try (Trainer trainer = m.newTrainer(config)) {
                trainer.initialize(new Shape(batchSize, 3, side, side));
                EasyTrain.fit(trainer, epochs, trainSet, valSet);
                return trainer.getTrainingResult();
            }
        }
    }

    /**
     * Trains for two epochs and prints the result.
     *
     * @param args the genotype file
     */
    public static void main(String[] args) throws Exception {
        Path g = Path.of(args.length > 0 ? args[0] : "examples/genotype-example.json");
        System.out.println(runExample(g, 32, 32, 8, 2));
    }
}
