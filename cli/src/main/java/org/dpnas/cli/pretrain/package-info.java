/**
 * {@code dpnas pretrain}: classification pre-training of a backbone on a folder of images (one
 * sub-folder per class, read with {@code basicdataset}'s {@code ImageFolder}) with DJL's {@code
 * Trainer} and {@code EasyTrain}, writing the backbone's weights as safetensors under the suite's
 * (torchvision) names.
 */
package org.dpnas.cli.pretrain;
