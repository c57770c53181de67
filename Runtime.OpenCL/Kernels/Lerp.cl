// destination <- destination + t (source - destination): Polyak averaging of target networks.
__kernel void lerp(__global float* destination, int destinationOffset, __global const float* source, int sourceOffset, int n, float t)
{
    int i = get_global_id(0);
    if (i >= n) return;
    float d = destination[destinationOffset + i];
    destination[destinationOffset + i] = d + t * (source[sourceOffset + i] - d);
}
