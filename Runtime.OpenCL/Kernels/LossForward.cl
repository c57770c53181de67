// max(0, v) that keeps a NaN (fmax would drop it), so a non-finite output still makes the loss NaN and the step is rejected.
inline float cortex_positive(float v)
{
    return v < 0.0f ? 0.0f : v;
}

// The loss of one row (Loss.Reference is the definition).
inline float cortex_row_loss(__global const float* yr, __global const float* zr, __global const float* c, int kind, float delta, int columns)
{
    float row = 0.0f;
    switch (kind)
    {
        case LOSS_MSE:                                             // (1/K) sum (y - c)^2
            for (int k = 0; k < columns; k++) { float d = yr[k] - c[k]; row += d * d; }
            row /= columns;
            break;
        case LOSS_SOFTMAX_CROSS_ENTROPY:                           // -sum c ln softmax(z), via log-sum-exp
        {
            float max = -INFINITY, sum = 0.0f;
            for (int k = 0; k < columns; k++) max = fmax(max, zr[k]);
            for (int k = 0; k < columns; k++) sum += exp(zr[k] - max);
            float logSum = max + log(sum);
            for (int k = 0; k < columns; k++) if (c[k] != 0.0f) row -= c[k] * (zr[k] - logSum);
            break;
        }
        case LOSS_BINARY_CROSS_ENTROPY:                            // (1/K) sum softplus(z) - c z
            for (int k = 0; k < columns; k++) row += cortex_softplus(zr[k]) - c[k] * zr[k];
            row /= columns;
            break;
        case LOSS_HINGE:
            if (columns == 1)
            {
                row = cortex_positive(1.0f - (c[0] >= 0.5f ? 1.0f : -1.0f) * yr[0]);
                break;
            }
            {
                int t = cortex_argmax(c, columns);
                for (int k = 0; k < columns; k++) if (k != t) row += cortex_positive(1.0f + yr[k] - yr[t]);
            }
            break;
        default:                                                   // Huber: 1/2 r^2 within delta, delta (|r| - delta/2) beyond
            for (int k = 0; k < columns; k++)
            {
                float a = fabs(yr[k] - c[k]);
                row += a <= delta ? 0.5f * a * a : delta * (a - 0.5f * delta);
            }
            row /= columns;
            break;
    }
    return row;
}

// The loss of each row; the host sums the rows' partial sums (SumOfSquares.cl's reduce_sum) in a fixed
// order and divides by the batch. One work-item per row.
__kernel void loss_rows(__global float* rowLoss, __global const float* y, int yOffset, __global const float* z, int zOffset,
    __global const float* target, int targetOffset, int kind, float delta, int rows, int columns)
{
    int r = get_global_id(0);
    if (r >= rows) return;
    int at = r * columns;
    rowLoss[r] = cortex_row_loss(y + yOffset + at, z + zOffset + at, target + targetOffset + at, kind, delta, columns);
}
