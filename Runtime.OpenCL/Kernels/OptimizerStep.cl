// Parameter updates: each reads the gradient times gradientScale (global-norm clipping), updates the
// parameters and moments and clears the gradient, in one pass; the formulas round like OptimizerKernels.

// p <- p - lr (s g + wd p); g <- 0.
__kernel void gradient_descent(__global float* parameters, int parametersOffset, __global float* gradients, int gradientsOffset,
    int n, float learningRate, float weightDecay, float gradientScale)
{
    int i = get_global_id(0);
    if (i >= n) return;
    float p = parameters[parametersOffset + i];
    float g = gradients[gradientsOffset + i] * gradientScale + weightDecay * p;
    parameters[parametersOffset + i] = p - learningRate * g;
    gradients[gradientsOffset + i] = 0.0f;
}

// g' = s g + wd p; v <- mu v + g'; p <- p - lr v (Nesterov: p <- p - lr (g' + mu v)); g <- 0.
__kernel void momentum(__global float* parameters, int parametersOffset, __global float* velocity, int velocityOffset,
    __global float* gradients, int gradientsOffset, int n, float learningRate, float mu, int nesterov, float weightDecay, float gradientScale)
{
    int i = get_global_id(0);
    if (i >= n) return;
    float p = parameters[parametersOffset + i];
    float g = gradients[gradientsOffset + i] * gradientScale + weightDecay * p;
    float v = mu * velocity[velocityOffset + i] + g;
    velocity[velocityOffset + i] = v;
    parameters[parametersOffset + i] = p - learningRate * (nesterov ? g + mu * v : v);
    gradients[gradientsOffset + i] = 0.0f;
}

// Adam with bias correction (c1 = 1/(1 - b1^t), c2 = 1/(1 - b2^t) from the host) and decoupled weight decay.
__kernel void adam(__global float* parameters, int parametersOffset, __global float* moment1, int moment1Offset,
    __global float* moment2, int moment2Offset, __global float* gradients, int gradientsOffset, int n,
    float learningRate, float beta1, float beta2, float epsilon, float weightDecay, float c1, float c2, float gradientScale)
{
    int i = get_global_id(0);
    if (i >= n) return;
    float g = gradients[gradientsOffset + i] * gradientScale;
    float m = beta1 * moment1[moment1Offset + i] + (1.0f - beta1) * g;
    float v = beta2 * moment2[moment2Offset + i] + (1.0f - beta2) * (g * g);
    moment1[moment1Offset + i] = m;
    moment2[moment2Offset + i] = v;
    float p = parameters[parametersOffset + i];
    float update = m * c1 / (sqrt(v * c2) + epsilon) + weightDecay * p;
    parameters[parametersOffset + i] = p - learningRate * update;
    gradients[gradientsOffset + i] = 0.0f;
}
