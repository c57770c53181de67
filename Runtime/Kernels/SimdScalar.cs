using System;
using System.Runtime.CompilerServices;

namespace Cortex.Kernels;

/// <summary>Plain floats, unfused multiply-add (the path when no vector hardware is available).</summary>
internal readonly unsafe struct SimdScalar : ISimdOps<float>
{
    public int Count => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Load(float* p) => *p;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float* p, float v) => *p = v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Create(float value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Add(float a, float b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Subtract(float a, float b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Multiply(float a, float b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Divide(float a, float b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float MultiplyAdd(float a, float b, float c) => a * b + c;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Max(float a, float b) => a > b ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Min(float a, float b) => a < b ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Clamp(float x, float lo, float hi) => x < lo ? lo : x > hi ? hi : x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Abs(float a) => Math.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Select(float mask, float ifTrue, float ifFalse) => Bits(mask) != 0 ? ifTrue : ifFalse;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float LessThan(float a, float b) => a < b ? AllOnes : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float GreaterThan(float a, float b) => a > b ? AllOnes : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float GreaterThanOrEqual(float a, float b) => a >= b ? AllOnes : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float IsNumber(float a) => float.IsNaN(a) ? 0f : AllOnes;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float ScaleByPowerOfTwo(float e, float shifted) => Float(Bits(e) + ((Bits(shifted) - Bits(VectorMath.RoundingShift)) << 23));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Sum(float v) => v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float MaxAcross(float v) => v;

    private static float AllOnes => Float(-1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe int Bits(float value) => *(int*)&value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe float Float(int bits) => *(float*)&bits;

    public float Zero => 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Broadcast(float* p) => *p;
    public void Prefetch(float* p) { }

    public void Sum4(float a, float b, float c, float d, float* dst)
    {
        dst[0] = a;
        dst[1] = b;
        dst[2] = c;
        dst[3] = d;
    }
}
