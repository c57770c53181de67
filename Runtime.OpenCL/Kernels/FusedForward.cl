// A small network's whole forward pass in one launch: the work-group copies every layer's weights and biases (one
// contiguous window of the parameter arena) into local memory, then each work-item carries one row through all layers
// in private memory. Each output adds its products in order p = 0..in-1 with CORTEX_MULADD, then the bias, then the
// activation (softmax over the row with its maximum subtracted): the same float operations in the same order as the
// layer-by-layer path (gemm with its epilogue, bias_softmax_forward).
// layout: 6 ints per layer: inputs, outputs, weight offset, bias offset (both in the window), activation kind, alpha bits.

#ifndef FUSED_MAX_WIDTH
#define FUSED_MAX_WIDTH 128
#endif

__kernel void fused_forward(__global float* y, int yOffset, __global const float* x, int xOffset,
    __global const float* parameters, int parametersOffset, int windowLength, __global const int* layout, int layers, int rows,
    __local float* window)
{
    for (int i = get_local_id(0); i < windowLength; i += get_local_size(0)) window[i] = parameters[parametersOffset + i];
    barrier(CLK_LOCAL_MEM_FENCE);
    const int r = get_global_id(0);
    if (r >= rows) return;
    float bufferA[FUSED_MAX_WIDTH], bufferB[FUSED_MAX_WIDTH];
    float* in = bufferA;
    float* out = bufferB;
    int width = layout[0];
    for (int p = 0; p < width; p++) in[p] = x[xOffset + r * width + p];
    for (int l = 0; l < layers; l++)
    {
        __global const int* d = layout + 6 * l;
        const int inputs = d[0], outputs = d[1], kind = d[4];
        const float alpha = as_float(d[5]);
        __local const float* w = window + d[2];
        __local const float* b = window + d[3];
        float max = -INFINITY;
        for (int j = 0; j < outputs; j++)
        {
            __local const float* wj = w + j * inputs;
            float sum = 0.0f;
            for (int p = 0; p < inputs; p++) sum = CORTEX_MULADD(in[p], wj[p], sum);
            float v = sum + b[j];
            if (kind == ACT_SOFTMAX)
            {
                out[j] = v;
                max = fmax(max, v);
            }
            else
            {
                out[j] = cortex_activate(kind, alpha, v);
            }
        }
        if (kind == ACT_SOFTMAX)
        {
            float total = 0.0f;
            for (int j = 0; j < outputs; j++)
            {
                float e = exp(out[j] - max);
                out[j] = e;
                total += e;
            }
            for (int j = 0; j < outputs; j++) out[j] = out[j] / total;
        }
        float* t = in;
        in = out;
        out = t;
        width = outputs;
    }
    for (int j = 0; j < width; j++) y[yOffset + r * width + j] = in[j];
}
