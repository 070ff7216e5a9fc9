package org.dpnas.datasets.djl;

import ai.djl.Model;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.output.CategoryMask;
import ai.djl.modality.cv.output.DetectedObjects;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorFactory;
import ai.djl.util.Pair;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * DJL's {@link TranslatorFactory} for dpnas model directories, named in their {@code
 * serving.properties}: {@code Image → CategoryMask} for segmentation networks ({@link
 * SegTranslator}); {@code Image → DetectedObjects} for detectors through the translator of a
 * registered {@link DetectorTranslatorProvider} (the detector's module supplies it).
 */
public final class DpnasTranslatorFactory implements TranslatorFactory {

    private static final Set<Pair<Type, Type>> TYPES =
            Set.of(
                    new Pair<>(Image.class, CategoryMask.class),
                    new Pair<>(Image.class, DetectedObjects.class));

    /** Creates the factory (DJL instantiates it by class name). */
    public DpnasTranslatorFactory() {}

    @Override
    public Set<Pair<Type, Type>> getSupportedTypes() {
        return TYPES;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <I, O> Translator<I, O> newInstance(
            Class<I> input, Class<O> output, Model model, Map<String, ?> arguments)
            throws TranslateException {
        Path path = model.getModelPath();
        ModelDir dir;
        try {
            dir = ModelDir.read(path);
        } catch (IOException e) {
            throw new TranslateException(e.getMessage(), e);
        }
        if (input != Image.class) {
            throw new TranslateException("a dpnas model takes an Image, not " + input.getName());
        }
        if (output == CategoryMask.class) {
            if (!dir.task().equals(ModelDir.SEGMENTATION)) {
                throw new TranslateException(
                        path + " is a " + dir.task() + " model: ask for DetectedObjects");
            }
            return (Translator<I, O>) new SegTranslator(dir);
        }
        if (output == DetectedObjects.class) {
            if (!dir.task().equals(ModelDir.DETECTION)) {
                throw new TranslateException(
                        path + " is a " + dir.task() + " model: ask for CategoryMask");
            }
            for (DetectorTranslatorProvider d :
                    ServiceLoader.load(DetectorTranslatorProvider.class)) {
                if (d.accepts(dir)) {
                    return (Translator<I, O>) d.translator(dir);
                }
            }
            throw new TranslateException(
                    path
                            + ": no DetectorTranslatorProvider is registered for this detector"
                            + " (model "
                            + dir.config().getString("model.name")
                            + ")");
        }
        throw new TranslateException("a dpnas model does not predict " + output.getName());
    }
}
