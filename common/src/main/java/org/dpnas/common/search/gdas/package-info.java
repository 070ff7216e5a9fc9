/**
 * GDAS (Dong &amp; Yang, CVPR 2019): a one-shot strategy that samples one op per edge with
 * Gumbel-max and trains through a straight-through softmax gradient.
 */
package org.dpnas.common.search.gdas;
