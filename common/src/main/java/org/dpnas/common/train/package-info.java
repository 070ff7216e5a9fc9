/**
 * The training core: optimizers, schedules, losses, clipping, checkpoints and the training loop.
 */
package org.dpnas.common.train;
