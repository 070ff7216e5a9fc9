/**
 * {@code dpnas backbone}: run a torchvision-compatible backbone on an input tensor and write its
 * feature taps ({@code forward}), or count and time it ({@code cost}).
 */
package org.dpnas.cli.backbone;
