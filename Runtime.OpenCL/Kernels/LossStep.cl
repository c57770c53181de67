// Uses LossForward.cl's cortex_row_loss and LossBackward.cl's gradients (files compile in name order after Common.cl).

// A training step's loss and its gradient in one launch, one work-item per row: the row's loss (as loss_rows) and the
// row's gradient (as loss_backward_rows, or loss_backward_elements element by element), bitwise as those kernels.
__kernel void loss_rows_and_gradient(__global float* rowLoss, __global float* gradient, int gradientOffset,
    __global const float* y, int yOffset, __global const float* z, int zOffset, __global const float* target, int targetOffset,
    int kind, float delta, float perRow, float perElement, int rows, int columns)
{
    int r = get_global_id(0);
    if (r >= rows) return;
    int at = r * columns;
    __global const float* yr = y + yOffset + at;
    __global const float* c = target + targetOffset + at;
    __global float* g = gradient + gradientOffset + at;
    rowLoss[r] = cortex_row_loss(yr, z + zOffset + at, c, kind, delta, columns);
    if (kind == LOSS_SOFTMAX_CROSS_ENTROPY || kind == LOSS_HINGE)
    {
        cortex_row_gradient(g, yr, c, kind, perRow, columns);
        return;
    }
    for (int k = 0; k < columns; k++) g[k] = cortex_element_gradient(kind, delta, perElement, yr[k] - c[k]);
}
