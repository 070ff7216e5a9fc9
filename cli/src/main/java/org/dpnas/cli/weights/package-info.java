/**
 * {@code dpnas weights}: export a run's network as safetensors under PyTorch names, inspect a
 * safetensors file, and the weight options of {@code train} ({@code --init-weights}, {@code
 * --backbone-weights}, the backbone's learning rate).
 */
package org.dpnas.cli.weights;
