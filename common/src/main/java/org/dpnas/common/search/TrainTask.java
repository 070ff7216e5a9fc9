package org.dpnas.common.search;

import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.dpnas.common.config.Config;
import org.dpnas.common.run.RunDirectory;

/**
 * A kind of training job the {@code dpnas} command runs besides its own segmentation training (e.g.
 * object detection), found at run time with {@link java.util.ServiceLoader} from {@code
 * META-INF/services/org.dpnas.common.search.TrainTask}: {@code train}, {@code eval model} and
 * {@code weights export} hand a run to the task that {@linkplain #trains trains} its {@code
 * model.name}, so the command never names a method or a task.
 */
public interface TrainTask {

    /**
     * What a job printed and wrote.
     *
     * @param text the lines for the terminal
     * @param json the numbers, for {@code --json}
     */
    record Report(String text, JsonObject json) {}

    /**
     * What {@code eval model} asks for.
     *
     * @param checkpoint the checkpoint directory ({@code model.params} inside)
     * @param split the split to evaluate
     * @param exit the exit to evaluate, from 1 (0: the last)
     * @param detections where to write the predictions in the task's interchange format, or null
     */
    record EvalRequest(Path checkpoint, String split, int exit, Path detections) {}

    /**
     * What an exported network of a run needs besides its weights.
     *
     * @param classNames the class names of its predictions
     * @param height the input height it is initialised with
     * @param width the input width
     */
    record ExportInfo(List<String> classNames, int height, int width) {}

    /**
     * The task's name, e.g. {@code detection} (also the task of its exported model directories).
     */
    String name();

    /** Whether this task trains networks whose {@code model.name} is {@code modelName}. */
    boolean trains(String modelName);

    /** A fresh copy of the training defaults (with {@code model}, {@code data}, {@code train}). */
    JsonObject trainDefaults();

    /**
     * Trains (or resumes) a network of this task.
     *
     * @param config the resolved configuration
     * @param run the run directory
     * @param resume continue from the last checkpoint
     * @param args the command line, for provenance
     * @param console where progress goes
     */
    Report train(
            Config config, RunDirectory run, boolean resume, List<String> args, PrintStream console)
            throws Exception;

    /**
     * Evaluates a run's checkpoint.
     *
     * @param config the run's configuration (with the command's overrides applied)
     * @param request what to evaluate
     * @param console where progress goes
     */
    Report evaluate(Config config, EvalRequest request, PrintStream console) throws Exception;

    /**
     * What a run's exported network needs (class names, input size), from the run's configuration
     * (opens the training split for its class names).
     */
    ExportInfo exportInfo(Config config);
}
