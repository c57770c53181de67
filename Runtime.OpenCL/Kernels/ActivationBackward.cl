// dZ = f'(z) * dY for the element-wise activations; dZ may be dY itself. Each derivative reads like
// the notes' table (ActivationFunctions in Runtime/Kernels): from the output y where it can, from z where it must.
__kernel void activation_backward(__global float* dZ, int dZOffset, __global const float* dY, int dYOffset,
    __global const float* z, int zOffset, __global const float* y, int yOffset, int kind, float alpha, int n)
{
    int i = get_global_id(0);
    if (i >= n) return;
    float g = dY[dYOffset + i], x = z[zOffset + i], f = y[yOffset + i], d;
    switch (kind)
    {
        case ACT_BINARY_STEP: d = 0.0f; break;                                // f' = 0 (also at 0, by choice)
        case ACT_SIGMOID: d = g * f * (1.0f - f); break;                      // f' = f (1 - f)
        case ACT_TANH: d = g * (1.0f - f * f); break;                         // f' = 1 - f^2
        case ACT_RELU: d = x > 0.0f ? g : 0.0f; break;                        // f' = 1 for x > 0, else 0
        case ACT_SOFTPLUS: d = g * cortex_sigmoid(x); break;                  // f' = sigma(x)
        case ACT_LEAKY_RELU: d = x >= 0.0f ? g : alpha * g; break;            // f' = 1 for x >= 0, else alpha
        case ACT_ELU: d = x > 0.0f ? g : g * (f + alpha); break;              // f' = 1 for x > 0, else alpha e^x = f + alpha
        case ACT_SWISH:                                                       // f' = s (1 + x (1 - s)), s = sigma(x)
        {
            float s = cortex_sigmoid(x);
            d = s == 0.0f ? 0.0f : g * (s * (1.0f + x * (1.0f - s)));
            break;
        }
        default: d = g; break;                                                // linear: f' = 1
    }
    dZ[dZOffset + i] = d;
}

// Softmax's vector-Jacobian product per row: dz_i = y_i (dy_i - sum_j dy_j y_j); one work-item per row.
__kernel void softmax_backward(__global float* dZ, int dZOffset, __global const float* dY, int dYOffset,
    __global const float* y, int yOffset, int rows, int columns)
{
    int r = get_global_id(0);
    if (r >= rows) return;
    __global float* dz = dZ + dZOffset + r * columns;
    __global const float* dy = dY + dYOffset + r * columns;
    __global const float* yr = y + yOffset + r * columns;
    float s = 0.0f;
    for (int k = 0; k < columns; k++) s += dy[k] * yr[k];
    for (int k = 0; k < columns; k++) dz[k] = yr[k] * (dy[k] - s);
}
