// A small network's whole forward pass in one launch: work-item i of a work-group carries row (group · size + i)
// through every layer. The group's activations stay in local memory between layers, stored feature-major
// (activations[p · size + i]), so the work-items of a group read neighbouring floats while they all read the same
// weight: every loop bound is the same for every work-item, which lets a CPU compiler run the work-items as SIMD lanes
// and a GPU broadcast the weight. Rows past the batch compute on a copy of the last row and store nothing.
// Each output adds its products in order p = 0..in-1 with CORTEX_MULADD, then the bias, then the activation (softmax
// over the row with its maximum subtracted): the same float operations in the same order as the layer-by-layer path
// (gemm with its epilogue, bias_softmax_forward), so the results are bitwise theirs.
// layout: 6 ints per layer: inputs, outputs, weight offset, bias offset (in the parameter buffer), activation kind,
// alpha bits. activations: 2 · maxWidth · group size floats.

__kernel void fused_forward(__global float* y, int yOffset, __global const float* x, int xOffset,
    __global const float* parameters, __global const int* layout, int layers, int rows, int maxWidth, __local float* activations)
{
    const int lid = get_local_id(0), size = get_local_size(0);
    const int row = get_group_id(0) * size + lid, source = min(row, rows - 1);
    __local float* in = activations + lid;
    __local float* out = activations + maxWidth * size + lid;
    int width = layout[0];
    for (int p = 0; p < width; p++) in[p * size] = x[xOffset + source * width + p];
    for (int l = 0; l < layers; l++)
    {
        __global const int* d = layout + 6 * l;
        const int inputs = d[0], outputs = d[1], kind = d[4];
        const float alpha = as_float(d[5]);
        __global const float* w = parameters + d[2];
        __global const float* b = parameters + d[3];
        for (int j = 0; j < outputs; j++)
        {
            float sum = 0.0f;
            for (int p = 0; p < inputs; p++) sum = CORTEX_MULADD(in[p * size], w[j * inputs + p], sum);
            float v = sum + b[j];
            out[j * size] = kind == ACT_SOFTMAX ? v : cortex_activate(kind, alpha, v);
        }
        if (kind == ACT_SOFTMAX)
        {
            float max = -INFINITY;
            for (int k = 0; k < outputs; k++) max = fmax(max, out[k * size]);
            float total = 0.0f;
            for (int k = 0; k < outputs; k++)
            {
                float e = exp(out[k * size] - max);
                out[k * size] = e;
                total += e;
            }
            for (int k = 0; k < outputs; k++) out[k * size] = out[k * size] / total;
        }
        __local float* t = in;
        in = out;
        out = t;
        width = outputs;
    }
    if (row < rows)
    {
        for (int j = 0; j < width; j++) y[yOffset + row * width + j] = in[j * size];
    }
}

// The same pass for CPU devices: work-item i carries rows FUSED_LANES · i .. FUSED_LANES · (i + 1) - 1 as the lanes of
// vectors held in private memory, so each product is one vector multiply-add of FUSED_LANES rows by one broadcast
// weight (the lanes never mix: per row the same operations in the same order as above). FUSED_MAX_WIDTH bounds every
// width. tanh and ReLU act on the whole vector (cortex_tanh's vector form rounds lane by lane as the scalar one); the
// other activations, scalar per lane, run on the valid lanes only: the lanes past the batch are never stored, so a
// short batch does not pay for FUSED_LANES of them.

#ifndef FUSED_LANES
#define FUSED_LANES 8
#endif
#ifndef FUSED_MAX_WIDTH
#define FUSED_MAX_WIDTH 128
#endif
#if FUSED_LANES == 16
typedef float16 fused_lanes;
#define fused_tanh cortex_tanh16
#elif FUSED_LANES == 4
typedef float4 fused_lanes;
#define fused_tanh cortex_tanh4
#else
typedef float8 fused_lanes;
#define fused_tanh cortex_tanh8
#endif

__kernel void fused_forward_lanes(__global float* y, int yOffset, __global const float* x, int xOffset,
    __global const float* parameters, __global const int* layout, int layers, int rows)
{
    const int row0 = get_global_id(0) * FUSED_LANES;
    if (row0 >= rows) return;
    const int valid = min(FUSED_LANES, rows - row0);
    fused_lanes bufferA[FUSED_MAX_WIDTH], bufferB[FUSED_MAX_WIDTH];
    fused_lanes* in = bufferA;
    fused_lanes* out = bufferB;
    int width = layout[0];
    for (int p = 0; p < width; p++)
    {
        float* lanes = (float*)&in[p];
        for (int l = 0; l < FUSED_LANES; l++) lanes[l] = x[xOffset + (row0 + min(l, valid - 1)) * width + p];
    }
    for (int l = 0; l < layers; l++)
    {
        __global const int* d = layout + 6 * l;
        const int inputs = d[0], outputs = d[1], kind = d[4];
        const float alpha = as_float(d[5]);
        __global const float* w = parameters + d[2];
        __global const float* b = parameters + d[3];
        // Eight outputs at a time, so each vector of inputs is loaded once for eight multiply-adds; every output still
        // sums its products in order from zero, then adds its bias.
        int j = 0;
        for (; j + 8 <= outputs; j += 8)
        {
            __global const float* wj = w + j * inputs;
            fused_lanes s0 = (fused_lanes)(0.0f), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
            for (int p = 0; p < inputs; p++)
            {
                fused_lanes v = in[p];
                s0 = CORTEX_MULADD(v, (fused_lanes)(wj[p]), s0);
                s1 = CORTEX_MULADD(v, (fused_lanes)(wj[inputs + p]), s1);
                s2 = CORTEX_MULADD(v, (fused_lanes)(wj[2 * inputs + p]), s2);
                s3 = CORTEX_MULADD(v, (fused_lanes)(wj[3 * inputs + p]), s3);
                s4 = CORTEX_MULADD(v, (fused_lanes)(wj[4 * inputs + p]), s4);
                s5 = CORTEX_MULADD(v, (fused_lanes)(wj[5 * inputs + p]), s5);
                s6 = CORTEX_MULADD(v, (fused_lanes)(wj[6 * inputs + p]), s6);
                s7 = CORTEX_MULADD(v, (fused_lanes)(wj[7 * inputs + p]), s7);
            }
            out[j] = s0 + (fused_lanes)(b[j]);
            out[j + 1] = s1 + (fused_lanes)(b[j + 1]);
            out[j + 2] = s2 + (fused_lanes)(b[j + 2]);
            out[j + 3] = s3 + (fused_lanes)(b[j + 3]);
            out[j + 4] = s4 + (fused_lanes)(b[j + 4]);
            out[j + 5] = s5 + (fused_lanes)(b[j + 5]);
            out[j + 6] = s6 + (fused_lanes)(b[j + 6]);
            out[j + 7] = s7 + (fused_lanes)(b[j + 7]);
        }
        for (; j < outputs; j++)
        {
            __global const float* wj = w + j * inputs;
            fused_lanes sum = (fused_lanes)(0.0f);
            for (int p = 0; p < inputs; p++) sum = CORTEX_MULADD(in[p], (fused_lanes)(wj[p]), sum);
            out[j] = sum + (fused_lanes)(b[j]);
        }
        for (j = 0; j < outputs; j++)
        {
            fused_lanes v = out[j];
            if (kind == ACT_TANH) v = fused_tanh(v);
            else if (kind == ACT_RELU) v = select((fused_lanes)(0.0f), v, v > (fused_lanes)(0.0f));
            else if (kind != ACT_SOFTMAX && kind != ACT_LINEAR)
            {
                float* lanes = (float*)&v;
                for (int k = 0; k < valid; k++) lanes[k] = cortex_activate(kind, alpha, lanes[k]);
            }
            out[j] = v;
        }
        if (kind == ACT_SOFTMAX)
        {
            for (int k = 0; k < valid; k++)
            {
                float max = -INFINITY;
                for (int j = 0; j < outputs; j++) max = fmax(max, ((float*)&out[j])[k]);
                float total = 0.0f;
                for (int j = 0; j < outputs; j++)
                {
                    float* o = (float*)&out[j] + k;
                    float e = exp(*o - max);
                    *o = e;
                    total += e;
                }
                for (int j = 0; j < outputs; j++)
                {
                    float* o = (float*)&out[j] + k;
                    *o = *o / total;
                }
            }
        }
        fused_lanes* t = in;
        in = out;
        out = t;
        width = outputs;
    }
    for (int l = 0; l < valid; l++)
    {
        for (int j = 0; j < width; j++) y[yOffset + (row0 + l) * width + j] = ((float*)&in[j])[l];
    }
}
