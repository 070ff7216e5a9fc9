package org.dpnas.fastdensenas;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;

/**
 * Polyak averaging of weights (Polyak and Juditsky 1992), as FastDenseNAS evaluates its children
 * (decay 0.9 in stage 1, 0.99 in stage 2): after each step {@code avg ← d·avg + (1−d)·w}; at the
 * end of a stage the averages are copied into the weights. Runs outside autograd, on its own
 * arrays.
 */
public final class Polyak implements AutoCloseable {

    private final List<Parameter> params;
    private final NDManager manager;
    private final NDList average = new NDList();
    private final float decay;

    /**
     * Starts the averages at the current weights.
     *
     * @param params the weights to average
     * @param decay the decay d in [0, 1)
     */
    public Polyak(List<Parameter> params, float decay) {
        if (!(decay >= 0f && decay < 1f)) {
            throw new IllegalArgumentException("Polyak decay must be in [0, 1), got " + decay);
        }
        if (params.isEmpty()) {
            throw new IllegalArgumentException("Polyak averaging needs at least one parameter");
        }
        this.params = List.copyOf(params);
        this.decay = decay;
        this.manager = params.get(0).getArray().getManager().newSubManager();
        for (Parameter p : params) {
            average.add(p.getArray().duplicate());
        }
        average.attach(manager);
    }

    /**
     * One averaging step after a weight update, {@code avg ← avg − (1−d)·(avg − w)}: three engine
     * ops per weight and no copy of it (this runs once per training step for every weight).
     */
    public void update() {
        try (NDManager step = manager.newSubManager()) {
            for (int i = 0; i < params.size(); i++) {
                NDArray a = average.get(i);
                NDArray diff = a.sub(params.get(i).getArray());
                diff.attach(step);
                a.subi(diff.muli(1f - decay));
            }
        }
    }

    /** Copies the averages into the weights. */
    public void apply() {
        for (int i = 0; i < params.size(); i++) {
            average.get(i).copyTo(params.get(i).getArray());
        }
    }

    /** The average of parameter {@code i}. */
    public NDArray average(int i) {
        return average.get(i);
    }

    @Override
    public void close() {
        manager.close();
    }
}
