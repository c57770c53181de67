// The element-wise part of a GRU step (RecurrentKernels.GruGatesForward/Backward): one work-item per (row, unit).
// Gate blocks per row of width 3H in ONNX order [u | r | n]; the reset gate applies after the recurrent product.
__kernel void gru_gates_forward(__global float* hNext, int hNextOffset, __global float* gates, int gatesOffset,
    __global const float* gx, int gxOffset, __global const float* gh, int ghOffset, __global const float* h, int hOffset,
    int rows, int hidden)
{
    int i = get_global_id(0);
    if (i >= rows * hidden) return;
    int b = i / hidden, j = i - b * hidden;
    int g = b * 3 * hidden;
    float u = cortex_sigmoid(gx[gxOffset + g + j] + gh[ghOffset + g + j]);
    float r = cortex_sigmoid(gx[gxOffset + g + hidden + j] + gh[ghOffset + g + hidden + j]);
    float n = tanh(gx[gxOffset + g + 2 * hidden + j] + r * gh[ghOffset + g + 2 * hidden + j]);
    float hp = h[hOffset + i];
    gates[gatesOffset + g + j] = u;
    gates[gatesOffset + g + hidden + j] = r;
    gates[gatesOffset + g + 2 * hidden + j] = n;
    hNext[hNextOffset + i] = (1.0f - u) * n + u * hp;
}

__kernel void gru_gates_backward(__global float* dGx, int dGxOffset, __global float* dGh, int dGhOffset, __global float* dH, int dHOffset,
    __global const float* dHNext, int dHNextOffset, __global const float* gates, int gatesOffset, __global const float* gh, int ghOffset,
    __global const float* h, int hOffset, int rows, int hidden)
{
    int i = get_global_id(0);
    if (i >= rows * hidden) return;
    int b = i / hidden, j = i - b * hidden;
    int g = b * 3 * hidden;
    float u = gates[gatesOffset + g + j], r = gates[gatesOffset + g + hidden + j], n = gates[gatesOffset + g + 2 * hidden + j];
    float d = dHNext[dHNextOffset + i];
    float dn = d * (1.0f - u);
    float du = d * (h[hOffset + i] - n);
    float an = dn * (1.0f - n * n);
    float ar = an * gh[ghOffset + g + 2 * hidden + j] * (r * (1.0f - r));
    float au = du * (u * (1.0f - u));
    dGx[dGxOffset + g + j] = au;
    dGx[dGxOffset + g + hidden + j] = ar;
    dGx[dGxOffset + g + 2 * hidden + j] = an;
    dGh[dGhOffset + g + j] = au;
    dGh[dGhOffset + g + hidden + j] = ar;
    dGh[dGhOffset + g + 2 * hidden + j] = an * r;
    dH[dHOffset + i] += d * u;
}
