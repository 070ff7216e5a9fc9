package org.dpnas.common.search.strategies;

import java.util.List;
import org.dpnas.common.search.Genotype;
import org.dpnas.common.search.rl.Decision;
import org.dpnas.common.search.rl.DecisionSpace;
import org.dpnas.common.search.rl.SplitMix64;

/**
 * The mutation operators of a space, for evolutionary strategies ({@link RenasSearch}): a mutation
 * is one of {@link #operators} applied to a parent with a chosen argument. A {@link DecisionSpace}
 * gets the generic operators from {@link #of(DecisionSpace)}: operator {@code j} changes decision
 * {@code j} to another of its choices.
 *
 * @param <G> the genotype type
 */
public interface Mutator<G extends Genotype> {

    /**
     * The operators as decisions: operator {@code j} takes an argument in {@code [0,
     * operators().get(j).choices())}.
     */
    List<Decision> operators();

    /**
     * Applies operator {@code op} with {@code argument} to {@code parent}.
     *
     * @return the child, different from the parent
     * @throws IllegalArgumentException naming the operator when it does not apply
     */
    G apply(G parent, int op, int argument);

    /**
     * Whether operator {@code op} can change {@code parent} with {@code argument} (a generic
     * decision mutation cannot set the value the parent already has).
     */
    boolean allowed(G parent, int op, int argument);

    /** A uniformly random mutation: a uniform allowed operator with a uniform allowed argument. */
    default G random(G parent, SplitMix64 rng) {
        List<Decision> ops = operators();
        int[] usable = new int[ops.size()];
        int n = 0;
        for (int j = 0; j < ops.size(); j++) {
            for (int a = 0; a < ops.get(j).choices(); a++) {
                if (allowed(parent, j, a)) {
                    usable[n++] = j;
                    break;
                }
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("no mutation applies to this genotype");
        }
        int op = usable[rng.nextInt(n)];
        int[] args = new int[ops.get(op).choices()];
        int m = 0;
        for (int a = 0; a < args.length; a++) {
            if (allowed(parent, op, a)) {
                args[m++] = a;
            }
        }
        return apply(parent, op, args[rng.nextInt(m)]);
    }

    /**
     * The generic mutations of a decision space: operator {@code j} sets decision {@code j} to its
     * argument, any choice but the parent's current one.
     */
    static <G extends Genotype> Mutator<G> of(DecisionSpace<G> space) {
        return new Mutator<>() {
            @Override
            public List<Decision> operators() {
                return space.decisions();
            }

            @Override
            public G apply(G parent, int op, int argument) {
                int[] x = space.encode(parent);
                if (op < 0 || op >= x.length) {
                    throw new IllegalArgumentException(
                            "mutation operator " + op + " outside [0, " + x.length + ")");
                }
                if (!allowed(parent, op, argument)) {
                    throw new IllegalArgumentException(
                            "mutation of decision '"
                                    + space.decisions().get(op).name()
                                    + "' to "
                                    + argument
                                    + " does not change it or is out of range");
                }
                x[op] = argument;
                return space.decode(x);
            }

            @Override
            public boolean allowed(G parent, int op, int argument) {
                int[] x = space.encode(parent);
                return argument >= 0
                        && argument < space.decisions().get(op).choices()
                        && x[op] != argument;
            }
        };
    }
}
