// The gradient of the mean loss: with respect to y, or to z for the fused cross-entropies (the
// softmax / sigmoid output y is p). perRow = 1/B, perElement = 1/(B K), computed on the host.

// Element-wise losses: MSE 2(y - c)/(BK), binary cross-entropy (p - c)/(BK), Huber clamp(y - c, -delta, delta)/(BK).
inline float cortex_element_gradient(int kind, float delta, float perElement, float d)
{
    switch (kind)
    {
        case LOSS_MSE: return 2.0f * d * perElement;
        case LOSS_BINARY_CROSS_ENTROPY: return d * perElement;
        default: return fmax(-delta, fmin(delta, d)) * perElement;
    }
}

__kernel void loss_backward_elements(__global float* gradient, int gradientOffset, __global const float* y, int yOffset,
    __global const float* target, int targetOffset, int kind, float delta, float perElement, int n)
{
    int i = get_global_id(0);
    if (i >= n) return;
    gradient[gradientOffset + i] = cortex_element_gradient(kind, delta, perElement, y[yOffset + i] - target[targetOffset + i]);
}

// Row-wise losses: softmax cross-entropy dz = (p sum(c) - c)/B, and the multi-class hinge (margin 1,
// true class the argmax of the target row; binary form for one column).
inline void cortex_row_gradient(__global float* g, __global const float* yr, __global const float* c, int kind, float perRow, int columns)
{
    if (kind == LOSS_SOFTMAX_CROSS_ENTROPY)
    {
        float mass = 0.0f;
        for (int k = 0; k < columns; k++) mass += c[k];
        for (int k = 0; k < columns; k++) g[k] = (yr[k] * mass - c[k]) * perRow;
        return;
    }
    if (columns == 1)
    {
        float s = c[0] >= 0.5f ? 1.0f : -1.0f;
        g[0] = 1.0f - s * yr[0] > 0.0f ? -s * perRow : 0.0f;
        return;
    }
    int t = cortex_argmax(c, columns), active = 0;
    float yt = yr[t];
    for (int k = 0; k < columns; k++)
    {
        bool on = k != t && 1.0f + yr[k] - yt > 0.0f;
        g[k] = on ? perRow : 0.0f;
        if (on) active++;
    }
    g[t] = -active * perRow;
}

// One work-item per row.
__kernel void loss_backward_rows(__global float* gradient, int gradientOffset, __global const float* y, int yOffset,
    __global const float* target, int targetOffset, int kind, float perRow, int rows, int columns)
{
    int r = get_global_id(0);
    if (r >= rows) return;
    int at = r * columns;
    cortex_row_gradient(gradient + gradientOffset + at, y + yOffset + at, target + targetOffset + at, kind, perRow, columns);
}
