#if NET8_0_OR_GREATER
using System;
using System.Runtime.CompilerServices;

namespace Cortex.Kernels;

/// <summary>
/// Plain floats with a fused multiply-add: the tails of rows on the AVX paths, so that every element
/// sees exactly the operations a vector lane would.
/// </summary>
internal readonly unsafe struct SimdScalarFused : ISimdOps<float>
{
    public int Count => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Load(float* p) => *p;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float* p, float v) => *p = v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Create(float value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Add(float a, float b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Subtract(float a, float b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Multiply(float a, float b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Divide(float a, float b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float MultiplyAdd(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Max(float a, float b) => default(SimdScalar).Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Min(float a, float b) => default(SimdScalar).Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Clamp(float x, float lo, float hi) => default(SimdScalar).Clamp(x, lo, hi);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Abs(float a) => Math.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Select(float mask, float ifTrue, float ifFalse) => default(SimdScalar).Select(mask, ifTrue, ifFalse);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float LessThan(float a, float b) => default(SimdScalar).LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float GreaterThan(float a, float b) => default(SimdScalar).GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float GreaterThanOrEqual(float a, float b) => default(SimdScalar).GreaterThanOrEqual(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float IsNumber(float a) => default(SimdScalar).IsNumber(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float ScaleByPowerOfTwo(float e, float shifted) => default(SimdScalar).ScaleByPowerOfTwo(e, shifted);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Sum(float v) => v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float MaxAcross(float v) => v;

    public float Zero => 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Broadcast(float* p) => *p;
    public void Prefetch(float* p) { }
    public void Sum4(float a, float b, float c, float d, float* dst) => default(SimdScalar).Sum4(a, b, c, d, dst);
}
#endif
