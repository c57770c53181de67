// destination[i] = source[i] for i < n; the two ranges do not overlap.
__kernel void copy(__global float* destination, int destinationOffset, __global const float* source, int sourceOffset, int n)
{
    int i = get_global_id(0);
    if (i < n) destination[destinationOffset + i] = source[sourceOffset + i];
}

// memmove within one buffer: a single work-item walks in the direction that reads each value before it is overwritten.
__kernel void copy_overlapping(__global float* x, int destinationOffset, int sourceOffset, int n)
{
    if (get_global_id(0) != 0) return;
    if (destinationOffset < sourceOffset)
    {
        for (int i = 0; i < n; i++) x[destinationOffset + i] = x[sourceOffset + i];
    }
    else
    {
        for (int i = n - 1; i >= 0; i--) x[destinationOffset + i] = x[sourceOffset + i];
    }
}
