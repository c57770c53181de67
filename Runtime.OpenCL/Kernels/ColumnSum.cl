// sums (columns) = sum over rows of x (rows, columns), or += when accumulate: the bias gradient.
// One work-item per column adds the rows in order, so the result does not depend on the device.
__kernel void column_sum(__global float* sums, int sumsOffset, __global const float* x, int xOffset, int rows, int columns, int accumulate)
{
    int c = get_global_id(0);
    if (c >= columns) return;
    float s = accumulate ? sums[sumsOffset + c] : 0.0f;
    for (int r = 0; r < rows; r++) s += x[xOffset + r * columns + c];
    sums[sumsOffset + c] = s;
}
