// x[i] = value for i < n.
__kernel void fill(__global float* x, int xOffset, int n, float value)
{
    int i = get_global_id(0);
    if (i < n) x[xOffset + i] = value;
}
