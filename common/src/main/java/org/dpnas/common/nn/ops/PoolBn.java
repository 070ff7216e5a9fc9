package org.dpnas.common.nn.ops;

/** A pooling op followed by a non-affine BN, as DARTS wraps pooling inside a mixed op. */
final class PoolBn extends Chain {

    PoolBn(Pool3x3 pool) {
        stage(pool);
        bn(false);
    }
}
