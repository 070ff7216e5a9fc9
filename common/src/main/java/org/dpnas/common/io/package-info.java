/**
 * Weight exchange with the PyTorch world: the safetensors file format (read F32/F16/BF16/F64, write
 * F32) with errors that name the file and the tensor.
 */
package org.dpnas.common.io;
