// Shared by every Cortex kernel; compiled first, in one program with the other files.
// Matrices are row-major; every buffer argument comes with an offset (in floats) so slices of one
// arena can be passed without sub-buffers. Contraction of a*b+c into fma is off so element-wise
// results round like the CPU backend's; GEMM asks for fma explicitly where it is fast.
#pragma OPENCL FP_CONTRACT OFF

#ifdef FP_FAST_FMAF
#define CORTEX_MULADD(a, b, c) fma((a), (b), (c))
#else
#define CORTEX_MULADD(a, b, c) ((a) * (b) + (c))
#endif

// ActivationKind (Runtime/Ops/Activation.cs).
#define ACT_LINEAR 0
#define ACT_BINARY_STEP 1
#define ACT_SIGMOID 2
#define ACT_TANH 3
#define ACT_RELU 4
#define ACT_SOFTPLUS 5
#define ACT_LEAKY_RELU 6
#define ACT_ELU 7
#define ACT_SOFTMAX 8
#define ACT_SWISH 9

// LossKind (Runtime/Losses/Loss.cs).
#define LOSS_MSE 0
#define LOSS_SOFTMAX_CROSS_ENTROPY 1
#define LOSS_BINARY_CROSS_ENTROPY 2
#define LOSS_HINGE 3
#define LOSS_HUBER 4

// Stable logistic function: never evaluates e^x for large positive x.
inline float cortex_sigmoid(float x)
{
    if (x >= 0.0f) return 1.0f / (1.0f + exp(-x));
    float e = exp(x);
    return e / (1.0f + e);
}

// Stable softplus: max(x, 0) + ln(1 + e^-|x|), accurate when e^-|x| is tiny (as ActivationKernels.Softplus).
inline float cortex_softplus(float x)
{
    float e = exp(-fabs(x));
    float u = 1.0f + e;
    float log1p_e = u == 1.0f ? e : log(u) * e / (u - 1.0f);
    return fmax(x, 0.0f) + log1p_e;
}

// tanh as the CPU backend computes it (VectorMath.Tanh): x clamped to ±9, x·P(x²)/Q(x²), clamped to ±1; NaN stays NaN.
// Defined for float and for the vector types by one macro, so that a vector lane rounds exactly as the scalar does
// (a built-in tanh need not: PoCL's float16 tanh and its scalar tanh differ in the last bit).
#define CORTEX_DEFINE_TANH(name, T) \
    inline T name(T x) \
    { \
        T c = clamp(x, (T)(-9.0f), (T)(9.0f)); \
        T s = c * c; \
        T p = (T)(1.841329866e-11f); \
        p = CORTEX_MULADD(p, s, (T)(-1.285413376e-08f)); \
        p = CORTEX_MULADD(p, s, (T)(9.296165445e-06f)); \
        p = CORTEX_MULADD(p, s, (T)(2.924280707e-03f)); \
        p = CORTEX_MULADD(p, s, (T)(1.292265952e-01f)); \
        p = CORTEX_MULADD(p, s, (T)(1.0f)); \
        T q = (T)(2.285637602e-04f); \
        q = CORTEX_MULADD(q, s, (T)(2.377803624e-02f)); \
        q = CORTEX_MULADD(q, s, (T)(4.625595808e-01f)); \
        q = CORTEX_MULADD(q, s, (T)(1.0f)); \
        T r = clamp(c * p / q, (T)(-1.0f), (T)(1.0f)); \
        return select(r, x, isnan(x)); \
    }

CORTEX_DEFINE_TANH(cortex_tanh, float)
CORTEX_DEFINE_TANH(cortex_tanh4, float4)
CORTEX_DEFINE_TANH(cortex_tanh8, float8)
CORTEX_DEFINE_TANH(cortex_tanh16, float16)

// f(x) for the element-wise activations (softmax is row-wise, see BiasActivationForward.cl).
inline float cortex_activate(int kind, float alpha, float x)
{
    switch (kind)
    {
        case ACT_BINARY_STEP: return x < 0.0f ? 0.0f : 1.0f;
        case ACT_SIGMOID: return cortex_sigmoid(x);
        case ACT_TANH: return cortex_tanh(x);
        case ACT_RELU: return x > 0.0f ? x : 0.0f;
        case ACT_SOFTPLUS: return cortex_softplus(x);
        case ACT_LEAKY_RELU: return x >= 0.0f ? x : alpha * x;          // max(x, ax) as 0 <= a < 1
        case ACT_ELU: return x > 0.0f ? x : alpha * (exp(x) - 1.0f);
        case ACT_SWISH: { float s = cortex_sigmoid(x); return s == 0.0f ? 0.0f : x * s; }   // x sigma(x); 0 where sigma is 0 (-inf too)
        default: return x;
    }
}

// Index of the largest value of a row; the first one on ties (as Metrics.ArgMax).
inline int cortex_argmax(__global const float* row, int columns)
{
    int best = 0;
    for (int k = 1; k < columns; k++) if (row[k] > row[best]) best = k;
    return best;
}
