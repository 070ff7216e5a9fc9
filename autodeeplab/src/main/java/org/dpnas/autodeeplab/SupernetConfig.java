package org.dpnas.autodeeplab;

/**
 * The size of an Auto-DeepLab search supernet (Liu et al., CVPR 2019, Sec. 4.1): L layers over 4
 * spatial levels, cells of B blocks on F·2^s channels at level s (outputs B·F·2^s channels).
 *
 * @param numClasses output classes of the ASPP heads
 * @param layers L, the number of network layers (12 in the paper)
 * @param filterMultiplier F, channels of a block at stride 4 (8 during search)
 * @param blocks B, blocks per cell, whose outputs are concatenated (5 in the paper)
 * @param betaNormalisation how β become the weights of a node's choices (forward pass and decoding)
 * @param down how an input is brought down one level before a cell
 */
public record SupernetConfig(
        int numClasses,
        int layers,
        int filterMultiplier,
        int blocks,
        BetaNormalisation betaNormalisation,
        DownTransition down) {

    /** The sizes with the reference's β normalisation and DOWN transition (bilinear + 1×1). */
    public SupernetConfig(int numClasses, int layers, int filterMultiplier, int blocks) {
        this(
                numClasses,
                layers,
                filterMultiplier,
                blocks,
                BetaNormalisation.REFERENCE,
                DownTransition.BILINEAR);
    }

    /** Validates the sizes. */
    public SupernetConfig {
        if (betaNormalisation == null || down == null) {
            throw new IllegalArgumentException("betaNormalisation and down must be given");
        }
        if (numClasses < 1 || layers < 1 || filterMultiplier < 2 || blocks < 1) {
            throw new IllegalArgumentException(
                    "supernet needs numClasses >= 1, layers >= 1, filterMultiplier >= 2 and"
                            + " blocks >= 1, got "
                            + numClasses
                            + ", "
                            + layers
                            + ", "
                            + filterMultiplier
                            + ", "
                            + blocks);
        }
    }

    /** The paper's search setting for {@code numClasses} classes: L = 12, F = 8, B = 5. */
    public static SupernetConfig paper(int numClasses) {
        return new SupernetConfig(numClasses, 12, 8, 5);
    }

    /** The same sizes with another β normalisation. */
    public SupernetConfig withBetaNormalisation(BetaNormalisation b) {
        return new SupernetConfig(numClasses, layers, filterMultiplier, blocks, b, down);
    }

    /** The same sizes with another DOWN transition. */
    public SupernetConfig withDown(DownTransition d) {
        return new SupernetConfig(
                numClasses, layers, filterMultiplier, blocks, betaNormalisation, d);
    }

    /** Channels of one block at {@code level} (F·2^level). */
    public int channels(int level) {
        return filterMultiplier << level;
    }

    /** Channels of a cell's output at {@code level} (B·F·2^level). */
    public int cellOutput(int level) {
        return blocks * channels(level);
    }

    /** Edges of a cell: 2 + 3 + … + (B + 1). */
    public int edges() {
        return blocks * (blocks + 3) / 2;
    }
}
