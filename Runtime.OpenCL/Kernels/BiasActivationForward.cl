// z += bias (broadcast over rows, when hasBias), then y = f(z). y may be z itself: each element is
// read and written by the same work-item.
__kernel void bias_activation_forward(__global float* y, int yOffset, __global float* z, int zOffset,
    __global const float* bias, int biasOffset, int hasBias, int kind, float alpha, int rows, int columns)
{
    int i = get_global_id(0);
    if (i >= rows * columns) return;
    float v = z[zOffset + i];
    if (hasBias)
    {
        v += bias[biasOffset + i % columns];
        z[zOffset + i] = v;
    }
    y[yOffset + i] = cortex_activate(kind, alpha, v);
}

// Row-wise softmax with the row maximum subtracted; one work-item per row.
__kernel void bias_softmax_forward(__global float* y, int yOffset, __global float* z, int zOffset,
    __global const float* bias, int biasOffset, int hasBias, int rows, int columns)
{
    int r = get_global_id(0);
    if (r >= rows) return;
    __global float* zr = z + zOffset + r * columns;
    __global float* yr = y + yOffset + r * columns;
    float max = -INFINITY;
    for (int k = 0; k < columns; k++)
    {
        float v = zr[k];
        if (hasBias)
        {
            v += bias[biasOffset + k];
            zr[k] = v;
        }
        max = fmax(max, v);
    }
    float sum = 0.0f;
    for (int k = 0; k < columns; k++)
    {
        float e = exp(zr[k] - max);
        yr[k] = e;
        sum += e;
    }
    for (int k = 0; k < columns; k++) yr[k] = yr[k] / sum;
}
