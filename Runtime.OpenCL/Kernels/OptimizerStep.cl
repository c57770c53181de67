// Parameter updates: each reads the gradient times gradientScale (global-norm clipping), updates the
// parameters and moments and clears the gradient, in one pass; the formulas round like OptimizerKernels.
// With useControl the scale comes from control[0], written on the device by step_scale, and control[1] == 0
// rejects the step: the gradient is cleared and nothing else changes (the host never sees the norm first).

#ifdef cl_khr_fp64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double step_sum;
#else
typedef float step_sum;
#endif

// The step the host would decide from the loss and the gradient norm, decided here from the same partial sums
// (added in order, in double where the device has it, as the host adds them): control[1] = 0 rejects it (the loss
// or Σ g² is not finite), else control[0] = the clipping scale (max / ‖g‖ when ‖g‖ > max > 0, else 1).
__kernel void step_scale(__global float* control, __global const float* lossPartials, int lossGroups, int rows,
    __global const float* squarePartials, int squareGroups, float maxNorm)
{
    if (get_global_id(0) != 0) return;
    step_sum loss = 0, squares = 0;
    for (int i = 0; i < lossGroups; i++) loss += lossPartials[i];
    for (int i = 0; i < squareGroups; i++) squares += squarePartials[i];
    float mean = lossGroups == 0 ? 0.0f : (float)(loss / rows);
    if (isnan(mean) || isinf(mean) || isnan(squares) || isinf(squares))
    {
        control[0] = 0.0f;
        control[1] = 0.0f;
        return;
    }
    float norm = (float)sqrt(squares), scale = 1.0f;
    if (maxNorm > 0.0f && norm > maxNorm) scale = maxNorm / norm;
    control[0] = scale;
    control[1] = 1.0f;
}

// The scale to apply (gradientScale, or control[0]) and whether the step is taken (control[1] != 0).
#define STEP_SCALE(s, apply)                                   \
    float s = gradientScale;                                   \
    int apply = 1;                                             \
    if (useControl)                                            \
    {                                                          \
        s = control[0];                                        \
        apply = control[1] != 0.0f;                            \
    }

// p <- p - lr (s g + wd p); g <- 0.
__kernel void gradient_descent(__global float* parameters, int parametersOffset, __global float* gradients, int gradientsOffset,
    int n, float learningRate, float weightDecay, float gradientScale, __global const float* control, int useControl)
{
    int i = get_global_id(0);
    if (i >= n) return;
    STEP_SCALE(gradientScaleUsed, apply)
    if (!apply)
    {
        gradients[gradientsOffset + i] = 0.0f;
        return;
    }
    float p = parameters[parametersOffset + i];
    float g = gradients[gradientsOffset + i] * gradientScaleUsed + weightDecay * p;
    parameters[parametersOffset + i] = p - learningRate * g;
    gradients[gradientsOffset + i] = 0.0f;
}

// g' = s g + wd p; v <- mu v + g'; p <- p - lr v (Nesterov: p <- p - lr (g' + mu v)); g <- 0.
__kernel void momentum(__global float* parameters, int parametersOffset, __global float* velocity, int velocityOffset,
    __global float* gradients, int gradientsOffset, int n, float learningRate, float mu, int nesterov, float weightDecay, float gradientScale,
    __global const float* control, int useControl)
{
    int i = get_global_id(0);
    if (i >= n) return;
    STEP_SCALE(gradientScaleUsed, apply)
    if (!apply)
    {
        gradients[gradientsOffset + i] = 0.0f;
        return;
    }
    float p = parameters[parametersOffset + i];
    float g = gradients[gradientsOffset + i] * gradientScaleUsed + weightDecay * p;
    float v = mu * velocity[velocityOffset + i] + g;
    velocity[velocityOffset + i] = v;
    parameters[parametersOffset + i] = p - learningRate * (nesterov ? g + mu * v : v);
    gradients[gradientsOffset + i] = 0.0f;
}

// Adam with bias correction (c1 = 1/(1 - b1^t), c2 = 1/(1 - b2^t) from the host) and decoupled weight decay.
__kernel void adam(__global float* parameters, int parametersOffset, __global float* moment1, int moment1Offset,
    __global float* moment2, int moment2Offset, __global float* gradients, int gradientsOffset, int n,
    float learningRate, float beta1, float beta2, float epsilon, float weightDecay, float c1, float c2, float gradientScale,
    __global const float* control, int useControl)
{
    int i = get_global_id(0);
    if (i >= n) return;
    STEP_SCALE(gradientScaleUsed, apply)
    if (!apply)
    {
        gradients[gradientsOffset + i] = 0.0f;
        return;
    }
    float g = gradients[gradientsOffset + i] * gradientScaleUsed;
    float m = beta1 * moment1[moment1Offset + i] + (1.0f - beta1) * g;
    float v = beta2 * moment2[moment2Offset + i] + (1.0f - beta2) * (g * g);
    moment1[moment1Offset + i] = m;
    moment2[moment2Offset + i] = v;
    float p = parameters[parametersOffset + i];
    float update = m * c1 / (sqrt(v * c2) + epsilon) + weightDecay * p;
    parameters[parametersOffset + i] = p - learningRate * update;
    gradients[gradientsOffset + i] = 0.0f;
}
