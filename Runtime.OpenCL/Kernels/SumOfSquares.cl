// Partial sums of x (or of x^2 when square) in a fixed order: work-item g of the launch adds elements
// g, g + G, g + 2G, ... (G the global size), then each work-group adds its items as a tree. The host
// adds the groups' partials in double. The result depends only on n and the launch shape, never on timing.

#ifndef REDUCE_GROUP
#define REDUCE_GROUP 256
#endif

__kernel __attribute__((reqd_work_group_size(REDUCE_GROUP, 1, 1)))
void reduce_sum(__global float* partials, __global const float* x, int xOffset, int n, int square)
{
    __local float scratch[REDUCE_GROUP];
    const int lid = get_local_id(0), stride = get_global_size(0);
    float s = 0.0f;
    for (int i = get_global_id(0); i < n; i += stride)
    {
        float v = x[xOffset + i];
        s += square ? v * v : v;
    }
    scratch[lid] = s;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int width = REDUCE_GROUP / 2; width > 0; width >>= 1)
    {
        if (lid < width) scratch[lid] += scratch[lid + width];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) partials[get_group_id(0)] = scratch[0];
}
